// A job's progress page (templates/dashboard/job.html): poll its JSON every second, move the
// bar and the « 120 sur 300 » count, and load the page again once the job has ended, to show its
// result. Without JavaScript the page refreshes itself (<noscript> meta refresh).
(function () {
  "use strict";
  var box = document.getElementById("job");
  if (!box || box.getAttribute("data-finished") === "true") return;
  var bar = box.querySelector("progress");
  var count = box.querySelector("[data-job-count]");
  var status = box.querySelector("[data-job-status]");
  function poll() {
    fetch(box.getAttribute("data-job-url"), { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (job) {
        if (!job) return setTimeout(poll, 3000);
        if (job.finished) return window.location.reload();
        if (job.total) { bar.max = job.total; bar.value = job.done; }
        bar.textContent = job.count;
        count.textContent = job.count;
        if (status.textContent !== job.status_text) status.textContent = job.status_text;
        setTimeout(poll, 1000);
      }, function () { setTimeout(poll, 3000); });
  }
  setTimeout(poll, 1000);
})();
