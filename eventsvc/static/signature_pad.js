// The drawing pad shared by the check-in desk (signature.js) and the participant's own phone
// (sign_own.js): a canvas drawn with pointer events (finger, stylus, mouse alike).
//
// Strokes are vector data: [[[x, y, t], …], …], x and y from 0 to 1 across the pad, t in
// milliseconds since the pad was first touched.
// No inline code: it runs under the strict Content-Security-Policy (script-src 'self').
window.EventsvcSignaturePad = function (canvas, onTouch) {
  "use strict";
  var context = canvas.getContext("2d");
  var strokes = [];
  var current = null;
  var firstTouch = null;

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

  function fit() {
    // The canvas's pixels follow its size on screen (and the screen's density): sharp lines.
    var box = canvas.getBoundingClientRect();
    var ratio = window.devicePixelRatio || 1;
    canvas.width = Math.max(1, Math.round(box.width * ratio));
    canvas.height = Math.max(1, Math.round(box.height * ratio));
    redraw();
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
    if (onTouch) { onTouch(); }
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

  return {
    fit: fit,
    clear: function () { strokes = []; current = null; firstTouch = null; redraw(); },
    strokes: function () { return strokes; },
    pointCount: function () {
      return strokes.reduce(function (sum, stroke) { return sum + stroke.length; }, 0);
    }
  };
};
