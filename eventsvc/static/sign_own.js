// The participant's own phone (/emargement/<code>/s/<token>): the shared pad (signature_pad.js),
// Valider posts the strokes; the server records the signature and the check-in together.
// No inline code: it runs under the strict Content-Security-Policy (script-src 'self').
(function () {
  "use strict";
  var box = document.getElementById("own-sign");
  var canvas = document.getElementById("sign-pad");
  if (!box || !canvas || !window.fetch || !window.EventsvcSignaturePad) { return; }
  var error = document.getElementById("sign-error");
  var ok = document.getElementById("sign-ok");
  var done = document.getElementById("sign-done");
  var text = function (name) { return box.getAttribute("data-text-" + name) || ""; };
  var startedAt = Date.now();
  var pad = window.EventsvcSignaturePad(canvas, function () { error.textContent = ""; });
  pad.fit();
  window.addEventListener("resize", function () { pad.fit(); });
  document.getElementById("sign-clear").addEventListener("click", function () {
    pad.clear();
    error.textContent = "";
  });
  ok.addEventListener("click", function () {
    if (pad.pointCount() < 5) { error.textContent = text("empty"); return; }
    ok.disabled = true;
    error.textContent = text("pending");
    fetch(box.getAttribute("data-url"), {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        "Accept": "application/json",
        "X-CSRFToken": box.querySelector("input[name=csrf_token]").value
      },
      body: JSON.stringify({strokes: pad.strokes(), duration_ms: Date.now() - startedAt})
    }).then(function (response) {
      return response.json().catch(function () { return null; });
    }).then(function (data) {
      ok.disabled = false;
      if (data && data.ok) {
        box.hidden = true;
        done.textContent = data.message;
        done.hidden = false;
        done.focus && done.setAttribute("tabindex", "-1");
        done.focus();
      } else {
        error.textContent = (data && data.error) || text("unsaved");
      }
    }, function () {
      ok.disabled = false;
      error.textContent = text("unsaved");
    });
  });
}());
