// The signature pad of the check-in page, when the event asks for signatures. Tapping a person
// who is not present yet (or present without a signature) opens the pad instead of sending the
// tap: Valider posts the strokes and the check-in together (sign.json), Annuler closes without
// recording anything, Effacer starts again. A present person who has signed is left to
// checkin.js (a tap then undoes the check-in, as without signatures). The trainer countersigns
// the part with the same pad (countersign.json).
//
// Strokes are vector data: [[[x, y, t], …], …], x and y from 0 to 1 across the pad, t in
// milliseconds since the pad was first touched. Pointer events: finger, stylus and mouse alike.
// No inline code: it runs under the strict Content-Security-Policy (script-src 'self').
(function () {
  "use strict";
  var config = document.getElementById("sign-config");
  var dialog = document.getElementById("sign-dialog");
  var canvas = document.getElementById("sign-pad");
  var list = document.getElementById("desk");
  if (!config || !dialog || !canvas || !list || !window.fetch || !dialog.showModal) { return; }
  if (!window.EventsvcSignaturePad) { return; }

  var text = function (name) { return config.getAttribute("data-text-" + name) || ""; };
  var partId = Number(config.getAttribute("data-part-id"));
  var who = document.getElementById("sign-who");
  var error = document.getElementById("sign-error");
  var ok = document.getElementById("sign-ok");
  var MIN_POINTS = 5;
  var startedAt = null;
  var pending = null;  // what Valider sends: {url, body, done(data)}

  function csrfToken() {
    var field = document.querySelector("input[name=csrf_token]");
    return field ? field.value : "";
  }

  function say(message) {
    var status = document.getElementById("desk-status");
    if (status) { status.textContent = message || ""; }
  }

  var pad = window.EventsvcSignaturePad(canvas, function () { error.textContent = ""; });
  function clear() { pad.clear(); }
  function fit() { pad.fit(); }
  function pointCount() { return pad.pointCount(); }

  // --- the dialog ------------------------------------------------------------------------------
  function open(title, request) {
    pending = request;
    clear();
    who.textContent = title;
    error.textContent = "";
    ok.disabled = false;
    startedAt = Date.now();
    dialog.showModal();
    fit();
  }

  function close() {
    pending = null;
    clear();
    if (dialog.open) { dialog.close(); }
  }

  document.getElementById("sign-clear").addEventListener("click", function () {
    clear();
    error.textContent = "";
  });
  document.getElementById("sign-cancel").addEventListener("click", close);
  dialog.addEventListener("cancel", function () { pending = null; clear(); });  // Escape
  window.addEventListener("resize", function () { if (dialog.open) { fit(); } });

  // --- signatures taken without network -------------------------------------------------------
  // Kept in localStorage with the time they were drawn (taken_at) and sent when the network
  // returns; the server keeps that time next to the time it received them.
  var storeKey = "eventsvc-signatures:" + config.getAttribute("data-sign-url");
  function loadQueue() {
    try { return JSON.parse(window.localStorage.getItem(storeKey) || "[]") || []; }
    catch (problem) { return []; }
  }
  function saveQueue(queue) {
    try { window.localStorage.setItem(storeKey, JSON.stringify(queue)); }
    catch (problem) { /* private mode: nothing kept */ }
  }
  // Like unsaved taps: leaving with signatures not yet sent asks first (they stay on the
  // device, but only this page sends them).
  window.addEventListener("beforeunload", function (event) {
    if (loadQueue().length) {
      event.preventDefault();
      event.returnValue = "";
      return "";
    }
    return undefined;
  });
  function post(url, body) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        "Accept": "application/json",
        "X-CSRFToken": csrfToken()
      },
      body: JSON.stringify(body)
    }).then(function (response) {
      return response.json().catch(function () { return {ok: false, refused: true}; });
    });
  }
  function rowOf(registrationId) {
    return list.querySelector('.desk-row[data-registration-id="' + registrationId + '"]');
  }
  var flushing = false;
  function flush() {
    var queue = loadQueue();
    if (flushing || !queue.length || navigator.onLine === false) { return; }
    flushing = true;
    var item = queue[0];
    post(item.url, item.body).then(function (data) {
      // Sent (or refused for good: said, not retried forever).
      saveQueue(loadQueue().slice(1));
      flushing = false;
      var row = rowOf(item.body.registration_id);
      if (data && data.ok) {
        if (row && item.body.part_id === partId) {
          row.classList.remove("is-unsaved");
          showSigned(row, data);
        }
        say(data.message);
      } else {
        say((data && data.error) || text("unsaved"));
      }
      flush();
    }, function () { flushing = false; });
  }
  window.addEventListener("online", flush);
  window.setInterval(flush, 15000);

  ok.addEventListener("click", function () {
    if (!pending) { return; }
    if (pointCount() < MIN_POINTS) { error.textContent = text("empty"); return; }
    var request = pending;
    var body = Object.assign({}, request.body, {
      part_id: partId, strokes: pad.strokes(), duration_ms: Date.now() - startedAt
    });
    var takenAt = new Date().toISOString();
    ok.disabled = true;
    error.textContent = text("pending");
    post(request.url, body).then(function (data) {
      ok.disabled = false;
      if (data && data.ok) {
        request.done(data);
        close();
        say(data.message);
      } else {
        error.textContent = (data && data.error) || text("unsaved");
      }
    }, function () {
      ok.disabled = false;
      if (!request.queueable) {
        // Nothing recorded; the drawing stays so that Valider can be pressed again.
        error.textContent = text("unsaved");
        return;
      }
      // No network: kept on this device with the time it was drawn, sent when it returns.
      var queue = loadQueue();
      queue.push({url: request.url, body: Object.assign({taken_at: takenAt}, body)});
      saveQueue(queue);
      request.queued();
      close();
      say(text("queued"));
    });
  });

  // --- a participant ---------------------------------------------------------------------------
  function showSigned(row, data) {
    row.classList.add("is-present");
    row.setAttribute("data-signed", "1");
    var button = row.querySelector(".desk-tap");
    var state = row.querySelector(".desk-state");
    var present = row.querySelector("input[name=present]");
    if (button) { button.setAttribute("aria-pressed", "true"); }
    if (state) { state.textContent = text("present"); }
    if (present) { present.value = "0"; }
    if (!row.querySelector(".desk-signed") && button) {
      var tag = document.createElement("span");
      tag.className = "desk-tag desk-signed";
      tag.textContent = text("signed");
      button.insertBefore(tag, state);
    }
    if (data.counts) {
      var shown = document.getElementById("desk-present");
      if (shown) { shown.textContent = data.counts.present; }
    }
  }

  // Before checkin.js (capture phase): a tap asking for presence opens the pad instead.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.classList || !form.classList.contains("desk-form")) { return; }
    var row = form.closest(".desk-row");
    if (!row || !list.contains(row)) { return; }
    var signed = row.getAttribute("data-signed") === "1" || row.querySelector(".desk-signed");
    if (row.classList.contains("is-present") && signed) { return; }  // checkin.js: undo
    event.preventDefault();
    event.stopImmediatePropagation();
    var name = row.querySelector(".desk-name").textContent.replace(/\s+/g, " ").trim();
    open(name, {
      url: config.getAttribute("data-sign-url"),
      body: { registration_id: Number(row.getAttribute("data-registration-id")) },
      done: function (data) { showSigned(row, data); },
      queueable: true,
      queued: function () { showSigned(row, {}); row.classList.add("is-unsaved"); }
    });
  }, true);

  flush();

  // --- the trainer's countersignature ----------------------------------------------------------
  var countersign = document.getElementById("countersign-form");
  if (countersign) {
    countersign.addEventListener("submit", function (event) {
      event.preventDefault();
      var name = countersign.querySelector("[name=name]").value.trim();
      var role = countersign.querySelector("[name=role]").value.trim();
      var state = document.getElementById("countersign-state");
      if (!name) { state.textContent = text("name"); countersign.querySelector("[name=name]").focus(); return; }
      open(name + (role ? ", " + role : ""), {
        url: config.getAttribute("data-countersign-url"),
        body: { name: name, role: role },
        done: function (data) { state.textContent = data.message; }
      });
    });
  }
}());
