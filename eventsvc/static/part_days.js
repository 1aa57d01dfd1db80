// Events over several days: the arrival time is read on the first day of the parts chosen and the
// departure time on their last day (registrations/periods.py, arrival_and_departure_days). The
// server words both labels when it draws the form; this keeps them in step with the parts ticked
// before the form is sent. Progressive enhancement only: without it the labels name the whole
// event's first and last days until the form comes back. An external file, for the strict CSP.
(function () {
  "use strict";
  var times = document.querySelector(".times[data-part-days]");
  if (!times) { return; }
  var form = times.closest("form");
  var days, labels;
  try {
    days = JSON.parse(times.getAttribute("data-part-days"));
    labels = JSON.parse(times.getAttribute("data-day-labels"));
  } catch (error) { return; }
  if (!form) { return; }

  function chosenDays() {
    var everyPart = form.querySelector('input[name="full_day"][value="yes"]');
    var chosen = [];
    if (!(everyPart && everyPart.checked)) {
      form.querySelectorAll('input[name="parts"]:checked').forEach(function (box) {
        if (days[box.value]) { chosen.push(days[box.value]); }
      });
    }
    if (!chosen.length) {
      chosen = Object.keys(days).map(function (id) { return days[id]; });
    }
    return chosen.sort(function (a, b) { return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0; });
  }

  function setLabel(field, template, day) {
    var label = form.querySelector('label[for="' + field + '"]');
    if (label && template) { label.textContent = template.replace("{day}", day[1]); }
  }

  function update() {
    var chosen = chosenDays();
    if (!chosen.length) { return; }
    setLabel("arrival_time", labels.arrival, chosen[0]);
    setLabel("departure_time", labels.departure, chosen[chosen.length - 1]);
  }

  form.addEventListener("change", function (event) {
    var name = event.target && event.target.name;
    if (name === "parts" || name === "full_day") { update(); }
  });
  update();
}());
