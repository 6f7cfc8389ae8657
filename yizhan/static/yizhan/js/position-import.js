// The import result page while a large file is imported: poll the progress and reload when done.
(function () {
  "use strict";
  function init() {
    var box = document.querySelector("[data-import-progress]");
    if (!box) { return; }
    var bar = box.querySelector("progress");
    var count = box.querySelector("[data-import-count]");
    function poll() {
      fetch(box.dataset.importProgress, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) { return response.json(); })
        .then(function (job) {
          if (job.state !== "running") { window.location.reload(); return; }
          bar.max = job.total || 1;
          bar.value = job.done;
          count.textContent = "已处理 " + job.done + " / " + job.total + " 行";
          window.setTimeout(poll, 1000);
        })
        .catch(function () { window.setTimeout(poll, 3000); });
    }
    window.setTimeout(poll, 1000);
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
})();
