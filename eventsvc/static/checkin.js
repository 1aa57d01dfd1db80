// The check-in page, enhanced. Without this script every person is a button in a form of its own
// and the search is a GET form; with it, taps go to the JSON endpoint with fetch(), the list is
// filtered as you type, and a tap that did not reach the server stays on screen as « non
// enregistré » with a retry button (and in localStorage, so a reload does not lose it).
// No inline code: it runs under the strict Content-Security-Policy (script-src 'self').
(function () {
  "use strict";
  var list = document.getElementById("desk");
  if (!list || !window.fetch || !window.JSON) { return; }

  var markUrl = list.getAttribute("data-mark-url");
  var walkInUrl = list.getAttribute("data-walk-in-url");
  // The part of this page, read once from the page itself: every tap sends it, and a queued tap
  // keeps the part it was made on, whichever part's page is open when it is retried.
  var partId = Number(list.getAttribute("data-part-id"));
  var partLabel = list.getAttribute("data-part-label") || "";
  var text = function (name) { return list.getAttribute("data-text-" + name) || ""; };
  var status = document.getElementById("desk-status");
  var search = document.getElementById("desk-q");
  var none = document.getElementById("desk-none");
  var storeKey = "eventsvc-desk:" + markUrl;
  var TIMEOUT_MS = 10000;

  function csrfToken() {
    var field = document.querySelector("input[name=csrf_token]");
    return field ? field.value : "";
  }

  function say(message) {
    if (status) { status.textContent = message || ""; }
  }

  function fold(value) {
    return (value || "").normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  // --- unsaved taps, kept across reloads -------------------------------------------------
  // { "<part id>:<registration id>": {part_id, part_label, registration_id, present, name} }
  function loadUnsaved() {
    try { return JSON.parse(window.localStorage.getItem(storeKey) || "{}") || {}; }
    catch (error) { return {}; }
  }
  function keyOf(registrationId) { return partId + ":" + registrationId; }
  var unsaved = loadUnsaved();
  function saveUnsaved() {
    try { window.localStorage.setItem(storeKey, JSON.stringify(unsaved)); }
    catch (error) { /* private mode: the page still shows them */ }
  }

  window.addEventListener("beforeunload", function (event) {
    if (Object.keys(unsaved).length) {
      event.preventDefault();
      event.returnValue = text("leave");
      return text("leave");
    }
    return undefined;
  });

  // --- one row ----------------------------------------------------------------------------
  function parts(row) {
    return {
      button: row.querySelector(".desk-tap"),
      state: row.querySelector(".desk-state"),
      present: row.querySelector("input[name=present]")
    };
  }

  function show(row, present) {
    var p = parts(row);
    row.classList.toggle("is-present", present);
    p.button.setAttribute("aria-pressed", present ? "true" : "false");
    p.state.textContent = present ? text("present") : text("absent");
    p.present.value = present ? "0" : "1";  // what the next tap asks for
  }

  function clearUnsaved(row) {
    row.classList.remove("is-unsaved");
    var box = row.querySelector(".desk-unsaved");
    if (box) { box.parentNode.removeChild(box); }
  }

  function markUnsaved(row, wanted, message) {
    row.classList.add("is-unsaved");
    var box = row.querySelector(".desk-unsaved");
    if (!box) {
      box = document.createElement("div");
      box.className = "desk-unsaved";
      box.setAttribute("role", "alert");
      var label = document.createElement("span");
      var retry = document.createElement("button");
      retry.type = "button";
      retry.className = "small desk-retry";
      retry.textContent = text("retry");
      retry.addEventListener("click", function () { send(row, wanted); });
      box.appendChild(label);
      box.appendChild(retry);
      row.appendChild(box);
    }
    var name = row.querySelector(".desk-name").textContent.replace(/\s+/g, " ").trim();
    box.querySelector("button").setAttribute("aria-label", text("retry") + " : " + name);
    box.querySelector("span").textContent =
      text("unsaved") + " — " + partLabel + (message ? " — " + message : "");
    var registrationId = Number(row.getAttribute("data-registration-id"));
    unsaved[keyOf(registrationId)] = {
      part_id: partId, part_label: partLabel, registration_id: registrationId,
      present: wanted, name: name
    };
    saveUnsaved();
  }

  function updateCounts(counts) {
    if (!counts) { return; }
    var present = document.getElementById("desk-present");
    var expected = document.getElementById("desk-expected");
    if (present) { present.textContent = counts.present; }
    if (expected) { expected.textContent = counts.expected; }
    // Panels other domains add (a body's quorum): HTML the server rendered and escaped.
    Object.keys(counts.panels || {}).forEach(function (name) {
      var panel = document.getElementById("panel-" + name);
      if (panel) { panel.innerHTML = counts.panels[name]; }
    });
  }

  function post(url, body) {
    var controller = window.AbortController ? new AbortController() : null;
    var timer = controller ? setTimeout(function () { controller.abort(); }, TIMEOUT_MS) : null;
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        "Accept": "application/json",
        "X-CSRFToken": csrfToken()
      },
      body: JSON.stringify(body),
      signal: controller ? controller.signal : undefined
    }).then(function (response) {
      if (timer) { clearTimeout(timer); }
      var type = response.headers.get("Content-Type") || "";
      var data = type.indexOf("application/json") === 0 ? response.json() : Promise.resolve(null);
      return data.then(function (json) { return { status: response.status, data: json }; });
    }, function (error) {
      if (timer) { clearTimeout(timer); }
      throw error;
    });
  }

  function send(row, wanted) {
    if (row.classList.contains("is-pending")) { return; }
    row.classList.add("is-pending");
    show(row, wanted);
    parts(row).state.textContent = text("pending");
    post(markUrl, {
      part_id: partId,
      registration_id: Number(row.getAttribute("data-registration-id")),
      present: wanted
    }).then(function (result) {
      row.classList.remove("is-pending");
      if (result.data && result.data.ok) {
        show(row, result.data.present);
        clearUnsaved(row);
        delete unsaved[keyOf(row.getAttribute("data-registration-id"))];
        saveUnsaved();
        updateCounts(result.data.counts);
        say(result.data.message);
      } else {
        show(row, wanted);
        markUnsaved(row, wanted, result.data && result.data.error);
      }
    }, function () {
      row.classList.remove("is-pending");
      show(row, wanted);
      markUnsaved(row, wanted, "");
    });
  }

  function wire(row) {
    var form = row.querySelector("form");
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (row.classList.contains("is-unsaved")) {
        // A tap on a row not saved yet: ask for the opposite of what is shown, as a tap does.
        send(row, !row.classList.contains("is-present"));
        return;
      }
      send(row, parts(row).present.value === "1");
    });
  }

  Array.prototype.forEach.call(list.querySelectorAll(".desk-row"), wire);

  // A tap queued on another part's page: sent with its own part, its outcome said with it.
  function sendQueued(key) {
    var tap = unsaved[key];
    post(markUrl, {
      part_id: tap.part_id, registration_id: tap.registration_id, present: tap.present
    }).then(function (result) {
      if (result.data && result.data.ok) {
        delete unsaved[key];
        saveUnsaved();
        say(result.data.message);
      } else if (result.status >= 400 && result.status < 500 && result.data) {
        delete unsaved[key];  // refused for good: say why, with the part it was for
        saveUnsaved();
        say(tap.name + " — " + tap.part_label + " — " + result.data.error);
      }
    }, function () { /* still offline: kept for the next try */ });
  }

  function retryAll() {
    Object.keys(unsaved).forEach(function (key) {
      var tap = unsaved[key];
      var row = tap.part_id === partId ? document.getElementById("r" + tap.registration_id) : null;
      if (row) { send(row, tap.present); }
      else if (tap.part_id !== partId) { sendQueued(key); }
    });
  }

  // Taps that did not reach the server before a reload (or before switching part): those of this
  // part are shown again, waiting for a retry; those of another part are sent with their part.
  Object.keys(unsaved).forEach(function (key) {
    var tap = unsaved[key];
    if (!tap || typeof tap !== "object") { delete unsaved[key]; return; }
    if (tap.part_id !== partId) { sendQueued(key); return; }
    var row = document.getElementById("r" + tap.registration_id);
    if (row) { show(row, tap.present); markUnsaved(row, tap.present, ""); }
    else { delete unsaved[key]; }
  });
  saveUnsaved();

  // Back online: retry what is waiting (the buttons stay for a manual retry too).
  window.addEventListener("online", retryAll);

  // --- search as you type -------------------------------------------------------------------
  function filter() {
    var words = fold(search.value).split(/\s+/).filter(Boolean);
    var shown = 0;
    Array.prototype.forEach.call(list.querySelectorAll(".desk-row"), function (row) {
      var haystack = row.getAttribute("data-search") || "";
      var match = words.every(function (word) { return haystack.indexOf(word) !== -1; });
      row.hidden = !match;
      if (match) { shown += 1; }
    });
    if (none) { none.hidden = shown > 0 || !words.length; }
  }

  if (search) {
    search.addEventListener("input", filter);
    var filterForm = search.form;
    var queryAtLoad = search.value;
    if (filterForm) {
      filterForm.addEventListener("submit", function (event) {
        // The list is already filtered as typed; the server is needed only when the page came
        // filtered by the server (its list is incomplete). Parts are links: no state here.
        if (!queryAtLoad) {
          event.preventDefault();
          filter();
          search.blur();
        }
      });
    }
  }

  // --- walk-ins -------------------------------------------------------------------------------
  var walkInForm = document.getElementById("walk-in-form");
  var template = document.getElementById("desk-row-template");

  function walkInMessage(message, isError) {
    var box = walkInForm.querySelector(".walk-in-message");
    if (!box) {
      box = document.createElement("div");
      box.setAttribute("role", "alert");
      walkInForm.insertBefore(box, walkInForm.firstChild);
    }
    box.className = "walk-in-message notice " + (isError ? "notice-error" : "notice-success");
    box.textContent = message;
  }

  function fieldError(name, messages) {
    var input = walkInForm.querySelector("[name=" + name + "]");
    if (!input) { return; }
    var id = input.id + "-js-error";
    var existing = document.getElementById(id);
    if (existing) { existing.parentNode.removeChild(existing); }
    input.removeAttribute("aria-invalid");
    var described = (input.getAttribute("aria-describedby") || "").split(" ").filter(function (x) {
      return x && x !== id;
    });
    if (messages && messages.length) {
      var p = document.createElement("p");
      p.className = "error";
      p.id = id;
      p.textContent = messages.join(" ");
      input.parentNode.appendChild(p);
      input.setAttribute("aria-invalid", "true");
      described.push(id);
    }
    if (described.length) { input.setAttribute("aria-describedby", described.join(" ")); }
    else { input.removeAttribute("aria-describedby"); }
  }

  function newRequestId() {
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) {
      return ("0" + b.toString(16)).slice(-2);
    }).join("");
  }

  function addRow(data) {
    var row = template.content.firstElementChild.cloneNode(true);
    row.id = "r" + data.registration_id;
    row.setAttribute("data-registration-id", data.registration_id);
    row.setAttribute("data-search", fold([data.first_name, data.last_name, data.organisation].join(" ")));
    row.querySelector("form").setAttribute("action", data.tap_url);
    row.querySelector(".desk-name strong").textContent = data.last_name.toUpperCase();
    row.querySelector(".desk-name span").textContent = data.first_name;
    var org = row.querySelector(".desk-org");
    if (data.organisation) { org.textContent = data.organisation; } else { org.parentNode.removeChild(org); }
    var key = fold(data.last_name + " " + data.first_name);
    var before = null;
    Array.prototype.some.call(list.querySelectorAll(".desk-row"), function (other) {
      var name = fold(other.querySelector(".desk-name").textContent);
      if (name > key) { before = other; return true; }
      return false;
    });
    list.insertBefore(row, before);
    wire(row);
    return row;
  }

  if (walkInForm && template && window.crypto && window.crypto.getRandomValues) {
    walkInForm.addEventListener("submit", function (event) {
      event.preventDefault();
      var idField = walkInForm.querySelector("[name=request_id]");
      if (!idField.value) { idField.value = newRequestId(); }
      var body = { part_id: partId };
      ["first_name", "last_name", "organisation", "email", "request_id"].forEach(function (name) {
        var input = walkInForm.querySelector("[name=" + name + "]");
        body[name] = input ? input.value : "";
      });
      var button = walkInForm.querySelector("button[type=submit]");
      button.disabled = true;
      post(walkInUrl, body).then(function (result) {
        button.disabled = false;
        var data = result.data || {};
        ["first_name", "last_name", "organisation", "email"].forEach(function (name) {
          fieldError(name, (data.errors || {})[name]);
        });
        if (data.ok) {
          var row = document.getElementById("r" + data.registration_id) || addRow(data);
          show(row, true);
          updateCounts(data.counts);
          walkInForm.reset();
          idField.value = newRequestId();  // the next person is another walk-in
          walkInMessage(data.message, false);
          say(data.message);
          if (search) { search.value = ""; filter(); }
        } else {
          walkInMessage(data.error || text("unsaved"), true);
        }
      }, function () {
        // Nothing is lost: the fields keep what was typed, the same request id makes the retry
        // safe even if the first attempt did arrive.
        button.disabled = false;
        walkInMessage(text("unsaved") + " — " + text("retry"), true);
      });
    });
  }
}());
