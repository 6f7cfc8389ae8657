// A background job's page while it runs (core/jobs): poll the job in the API every second, move the
// <progress> bar and the message, and reload the page once the job has ended (result or reason).
(function () {
  "use strict";
  function init() {
    var box = document.querySelector("[data-job-progress]");
    if (!box || box.dataset.jobFinished === "1") { return; }
    var bar = box.querySelector("[data-job-bar]");
    var percent = box.querySelector("[data-job-percent]");
    var state = box.querySelector("[data-job-state]");
    var message = box.querySelector("[data-job-message]");
    function poll() {
      fetch(box.dataset.jobProgress, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) {
          if (!response.ok) { throw new Error(String(response.status)); }
          return response.json();
        })
        .then(function (job) {
          if (["succeeded", "failed", "cancelled"].indexOf(job.state) !== -1) { window.location.reload(); return; }
          bar.value = job.progress;
          percent.textContent = job.progress + "%";
          state.textContent = job.state_label;
          message.textContent = job.message;
          window.setTimeout(poll, 1000);
        })
        .catch(function () { window.setTimeout(poll, 3000); });
    }
    window.setTimeout(poll, 1000);
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
})();
