// A page that came back with errors at an #anchor (the refused field's block): browsers skip
// `autofocus` when the address points at an element, and the jump to the anchor takes the focus
// back, so focus the first refused field once the page is loaded and at its anchor.
// Progressive enhancement only; an external file, so it runs under the strict CSP.
(function () {
  "use strict";
  function focusRefused() {
    var field = document.querySelector("[autofocus]");
    if (field && document.activeElement !== field) { field.focus(); }
  }
  if (document.readyState === "complete") { setTimeout(focusRefused, 0); return; }
  window.addEventListener("load", function () { setTimeout(focusRefused, 0); });
}());
