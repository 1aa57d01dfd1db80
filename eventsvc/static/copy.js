// « Copier le code » buttons (the dashboard's embed snippet): copy the text of the field named by
// data-copy, and say so in the status next to it. Hidden without JavaScript: the field is
// read-only text to select and copy by hand.
(function () {
  "use strict";
  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    var field = document.getElementById(button.getAttribute("data-copy"));
    var status = document.querySelector('[data-copy-status="' + button.getAttribute("data-copy") + '"]');
    if (!field) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      function done() { if (status) status.textContent = button.getAttribute("data-copied"); }
      field.focus();
      field.select();
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(field.value).then(done, function () {
          if (document.execCommand("copy")) done();
        });
      } else if (document.execCommand("copy")) {
        done();
      }
    });
  });
})();
