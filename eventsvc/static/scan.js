// The check-in page's scanner of check-in codes (the QR code of the badge, the confirmation email
// and the personal page). « Scanner » opens the camera; each frame is read by the browser's
// BarcodeDetector where it has one, else by jsQR (static/vendor/jsQR.js, served by eventsvc itself,
// loaded only then). A code read, or typed by hand in the field below, is looked up (code.json,
// which writes nothing); the person and the part are shown with one button to confirm, which
// submits the person's row of the desk: checkin.js (offline queue) or signature.js (the pad, when
// the event asks for signatures) take it from there, as for a tap on the name.
// Without JavaScript the field is a plain form (the person found in the list).
(function () {
  "use strict";
  var section = document.getElementById("scan");
  if (!section || !window.fetch) { return; }
  var text = function (name) { return section.getAttribute("data-text-" + name) || ""; };
  var startButton = document.getElementById("scan-start");
  var camera = document.getElementById("scan-camera");
  var video = document.getElementById("scan-video");
  var form = document.getElementById("scan-form");
  var field = document.getElementById("scan-code");
  var result = document.getElementById("scan-result");
  var message = document.getElementById("scan-message");
  var personLine = document.getElementById("scan-person");
  var confirm = document.getElementById("scan-confirm");
  var stream = null;
  var timer = null;
  var found = null;

  function csrfToken() {
    var input = form.querySelector("input[name=csrf_token]");
    return input ? input.value : "";
  }

  function show(words, person) {
    result.hidden = false;
    message.textContent = words || "";
    personLine.textContent = "";
    if (person) {
      var name = document.createElement("strong");
      name.textContent = person.last_name.toUpperCase() + " " + person.first_name;
      personLine.appendChild(name);
      if (person.organisation) { personLine.appendChild(document.createTextNode(" — " + person.organisation)); }
    }
  }

  // --- the lookup ------------------------------------------------------------------------------
  function lookUp(code) {
    found = null;
    confirm.hidden = true;
    show(text("looking"));
    fetch(section.getAttribute("data-lookup-url"), {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
      body: JSON.stringify({ part_id: Number(section.getAttribute("data-part-id")), code: code })
    }).then(function (response) {
      return response.json();
    }).then(function (data) {
      if (!data.ok) { show(data.error); return; }
      var person = data.person;
      var notes = [data.message];
      if (!person.expected) { notes.push(text("other-part")); }
      if (person.present) { notes.push(text("present")); }
      show(notes.join(" "), person);
      if (!person.present) { found = person; confirm.hidden = false; confirm.focus(); }
    }).catch(function () { show(text("offline")); });
  }

  form.addEventListener("submit", function (event) {
    var code = field.value.trim();
    if (!code) { return; }
    event.preventDefault();
    lookUp(code);
  });

  confirm.addEventListener("click", function () {
    if (!found) { return; }
    var row = document.getElementById("r" + found.registration_id);
    var rowForm = row && row.querySelector("form.desk-form");
    confirm.hidden = true;
    if (rowForm && rowForm.requestSubmit) {
      rowForm.requestSubmit();  // checkin.js or signature.js, as a tap on the name
    } else {
      var post = document.createElement("form");  // the person is not in the filtered list
      post.method = "post";
      post.action = found.tap_url;
      post.innerHTML = '<input type="hidden" name="present" value="1"><input type="hidden" name="csrf_token">';
      post.querySelector("input[name=csrf_token]").value = csrfToken();
      document.body.appendChild(post);
      post.submit();
    }
    found = null;
    result.hidden = true;  // the desk's status line says what the tap recorded
    field.value = "";
  });

  // --- the camera ------------------------------------------------------------------------------
  if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) { return; }
  startButton.hidden = false;

  function stop() {
    if (timer) { clearTimeout(timer); timer = null; }
    if (stream) { stream.getTracks().forEach(function (track) { track.stop(); }); stream = null; }
    video.srcObject = null;
    camera.hidden = true;
    startButton.hidden = false;
  }

  function loadJsQR() {
    return new Promise(function (resolve, reject) {
      if (window.jsQR) { resolve(); return; }
      var script = document.createElement("script");
      script.src = section.getAttribute("data-decoder-url");
      script.onload = resolve;
      script.onerror = reject;
      document.head.appendChild(script);
    });
  }

  // A function frame → Promise of the text read (or null).
  function decoder() {
    if ("BarcodeDetector" in window) {
      return window.BarcodeDetector.getSupportedFormats().then(function (formats) {
        if (formats.indexOf("qr_code") < 0) { throw new Error("no qr_code"); }
        var detector = new window.BarcodeDetector({ formats: ["qr_code"] });
        section.setAttribute("data-decoder", "barcode-detector");
        return function () {
          return detector.detect(video).then(function (codes) {
            return codes.length ? codes[0].rawValue : null;
          });
        };
      }).catch(jsQRDecoder);
    }
    return jsQRDecoder();
  }

  function jsQRDecoder() {
    return loadJsQR().then(function () {
      var canvas = document.createElement("canvas");
      var context = canvas.getContext("2d", { willReadFrequently: true });
      section.setAttribute("data-decoder", "jsqr");
      return function () {
        var width = video.videoWidth, height = video.videoHeight;
        if (!width || !height) { return Promise.resolve(null); }
        var scale = Math.min(1, 800 / Math.max(width, height));
        canvas.width = Math.round(width * scale);
        canvas.height = Math.round(height * scale);
        context.drawImage(video, 0, 0, canvas.width, canvas.height);
        var image = context.getImageData(0, 0, canvas.width, canvas.height);
        var code = window.jsQR(image.data, image.width, image.height, { inversionAttempts: "dontInvert" });
        return Promise.resolve(code ? code.data : null);
      };
    });
  }

  startButton.addEventListener("click", function () {
    var read = null;
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false })
      .then(function (media) {
        stream = media;
        video.srcObject = media;
        camera.hidden = false;
        startButton.hidden = true;
        result.hidden = true;
        return video.play();
      })
      .then(decoder)
      .then(function (decode) {
        read = decode;
        (function tick() {
          if (!stream) { return; }
          read().then(function (code) {
            if (code) { stop(); field.value = code; lookUp(code); return; }
            timer = setTimeout(tick, 150);
          }, function () { timer = setTimeout(tick, 300); });
        })();
      })
      .catch(function () { stop(); show(text("no-camera")); field.focus(); });
  });
  document.getElementById("scan-stop").addEventListener("click", stop);
})();
