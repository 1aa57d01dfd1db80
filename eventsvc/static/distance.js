// Prefills the round-trip distance of the declaration while the person types their commune.
// Progressive enhancement only: without this script the server fills the distance from the same
// table. No inline code, so it runs under a strict Content-Security-Policy (script-src 'self').
(function () {
  "use strict";
  var section = document.querySelector("fieldset.declaration[data-distance-url]");
  if (!section || !window.fetch) { return; }
  var origin = section.querySelector("#travel-origin");
  var km = section.querySelector("#travel-round_trip_km");
  var status = section.querySelector("#travel-distance-status");
  if (!origin || !km) { return; }
  var filled = null; // the value this script put in the km field, if any
  var pending = null;

  function lookup() {
    var text = origin.value.trim();
    if (!text) { return; }
    var url = section.getAttribute("data-distance-url") + "?from=" + encodeURIComponent(text);
    if (pending) { pending.abort(); }
    pending = new AbortController();
    fetch(url, { signal: pending.signal, headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data || origin.value.trim() !== text) { return; }
        var untouched = km.value === "" || km.value === filled;
        if (data.round_trip_km !== null && untouched) {
          filled = data.round_trip_km.replace(".", ",");
          km.value = filled;
          if (status) { status.textContent = section.getAttribute("data-found") || ""; }
        } else if (data.round_trip_km === null && km.value === filled) {
          km.value = "";
          filled = null;
          if (status) { status.textContent = ""; }
        }
      })
      .catch(function () { /* offline or aborted: the server fills it on submit */ });
  }

  var timer = null;
  origin.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(lookup, 300);
  });
  origin.addEventListener("change", lookup);
}());
