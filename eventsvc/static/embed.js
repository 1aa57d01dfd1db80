// In the frame of the embedded form (/e/<slug>/embed): tells the host page how tall this page is,
// so that the snippet's script (embed-host.js) fits the frame to it. Posted only to the origins
// allowed to frame the page (data-embed-origins, from EMBED_ORIGINS); nothing else is sent.
(function () {
  "use strict";
  if (window.parent === window) return;
  var origins = (document.body.getAttribute("data-embed-origins") || "").split(" ").filter(Boolean);
  if (!origins.length) return;
  var sent = 0;

  function height() {
    return Math.ceil(document.documentElement.getBoundingClientRect().height);
  }

  function post(force) {
    var now = height();
    if (!force && now === sent) return;
    sent = now;
    origins.forEach(function (origin) {
      window.parent.postMessage({ type: "eventsvc-embed-height", height: now }, origin);
    });
  }

  // The host page's script asks once it has loaded (it may load after this page).
  window.addEventListener("message", function (event) {
    if (origins.indexOf(event.origin) === -1 || event.source !== window.parent) return;
    if (event.data && event.data.type === "eventsvc-embed-ask") post(true);
  });
  if (window.ResizeObserver) {
    new ResizeObserver(function () { post(false); }).observe(document.documentElement);
  } else {
    window.addEventListener("resize", function () { post(false); });
  }
  window.addEventListener("load", function () { post(true); });
  // Browsers ignore « autofocus » in a frame of another site (the page leaves it out there): the
  // summary of a form that came back with errors gets the focus from here instead.
  var summary = document.getElementById("form-errors");
  if (summary) summary.focus();
  post(true);
})();
