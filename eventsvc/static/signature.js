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

  var text = function (name) { return config.getAttribute("data-text-" + name) || ""; };
  var partId = Number(config.getAttribute("data-part-id"));
  var who = document.getElementById("sign-who");
  var error = document.getElementById("sign-error");
  var ok = document.getElementById("sign-ok");
  var context = canvas.getContext("2d");
  var MIN_POINTS = 5;

  var strokes = [];
  var current = null;
  var startedAt = null;
  var firstTouch = null;
  var pending = null;  // what Valider sends: {url, body, done(data)}

  function csrfToken() {
    var field = document.querySelector("input[name=csrf_token]");
    return field ? field.value : "";
  }

  function say(message) {
    var status = document.getElementById("desk-status");
    if (status) { status.textContent = message || ""; }
  }

  // --- drawing ---------------------------------------------------------------------------------
  function fit() {
    // The canvas's pixels follow its size on screen (and the screen's density): sharp lines.
    var box = canvas.getBoundingClientRect();
    var ratio = window.devicePixelRatio || 1;
    canvas.width = Math.max(1, Math.round(box.width * ratio));
    canvas.height = Math.max(1, Math.round(box.height * ratio));
    redraw();
  }

  function redraw() {
    context.clearRect(0, 0, canvas.width, canvas.height);
    context.lineWidth = Math.max(2, canvas.width / 250);
    context.lineCap = "round";
    context.lineJoin = "round";
    context.strokeStyle = "#111";
    strokes.forEach(function (stroke) {
      context.beginPath();
      stroke.forEach(function (point, index) {
        var x = point[0] * canvas.width;
        var y = point[1] * canvas.height;
        if (index === 0) { context.moveTo(x, y); context.lineTo(x + 0.01, y); }
        else { context.lineTo(x, y); }
      });
      context.stroke();
    });
  }

  function pointOf(event) {
    var box = canvas.getBoundingClientRect();
    var clamp = function (value) { return Math.min(1, Math.max(0, value)); };
    var now = Date.now();
    if (firstTouch === null) { firstTouch = now; }
    return [
      Math.round(clamp((event.clientX - box.left) / box.width) * 10000) / 10000,
      Math.round(clamp((event.clientY - box.top) / box.height) * 10000) / 10000,
      now - firstTouch
    ];
  }

  canvas.addEventListener("pointerdown", function (event) {
    event.preventDefault();
    if (canvas.setPointerCapture) { canvas.setPointerCapture(event.pointerId); }
    current = [pointOf(event)];
    strokes.push(current);
    error.textContent = "";
    redraw();
  });
  canvas.addEventListener("pointermove", function (event) {
    if (!current) { return; }
    event.preventDefault();
    current.push(pointOf(event));
    redraw();
  });
  function lift() { current = null; }
  canvas.addEventListener("pointerup", lift);
  canvas.addEventListener("pointercancel", lift);

  function pointCount() {
    return strokes.reduce(function (sum, stroke) { return sum + stroke.length; }, 0);
  }

  function clear() {
    strokes = [];
    current = null;
    firstTouch = null;
    redraw();
  }

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

  ok.addEventListener("click", function () {
    if (!pending) { return; }
    if (pointCount() < MIN_POINTS) { error.textContent = text("empty"); return; }
    var request = pending;
    var body = Object.assign({}, request.body, {
      part_id: partId, strokes: strokes, duration_ms: Date.now() - startedAt
    });
    ok.disabled = true;
    error.textContent = text("pending");
    fetch(request.url, {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        "Accept": "application/json",
        "X-CSRFToken": csrfToken()
      },
      body: JSON.stringify(body)
    }).then(function (response) {
      return response.json().catch(function () { return null; });
    }).then(function (data) {
      ok.disabled = false;
      if (data && data.ok) {
        request.done(data);
        close();
        say(data.message);
      } else {
        error.textContent = (data && data.error) || text("unsaved");
      }
    }, function () {
      // Nothing recorded; the drawing stays so that Valider can be pressed again.
      ok.disabled = false;
      error.textContent = text("unsaved");
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
      done: function (data) { showSigned(row, data); }
    });
  }, true);

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
