// On the organisation's own page, next to the frame of the embedded sign-up form (the snippet of
// the dashboard): fits the frame's height to the form. It trusts only messages from the site that
// served this script (its own address), and only for a frame marked data-eventsvc-embed whose
// window sent them. Without it the frame keeps its fixed height and scrolls.
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || !window.URL) return;
  var origin = new URL(script.src, window.location.href).origin;

  function frames() {
    return Array.prototype.slice.call(document.querySelectorAll("iframe[data-eventsvc-embed]"));
  }

  window.addEventListener("message", function (event) {
    var data = event.data;
    if (event.origin !== origin || !data || data.type !== "eventsvc-embed-height") return;
    var height = Number(data.height);
    if (!isFinite(height) || height <= 0) return;
    height = Math.min(Math.max(Math.ceil(height), 150), 20000);
    frames().forEach(function (frame) {
      if (frame.contentWindow !== event.source) return;
      var before = frame.getBoundingClientRect();
      frame.style.height = height + "px";
      frame.setAttribute("height", String(height));
      frame.setAttribute("data-eventsvc-fitted", String(height));
      // A shorter page in the frame (the confirmation after a long form): bring its top back.
      if (before.top < 0 && frame.getBoundingClientRect().bottom < window.innerHeight / 2) {
        frame.scrollIntoView();
      }
    });
  });

  function ask() {
    frames().forEach(function (frame) {
      if (frame.contentWindow) {
        frame.contentWindow.postMessage({ type: "eventsvc-embed-ask" }, origin);
      }
    });
  }
  ask();
  window.addEventListener("load", ask);
  document.addEventListener("DOMContentLoaded", ask);
})();
