/* Progressive enhancement for a background job's progress (no framework, no inline script).
 *
 * An element with data-job-progress="URL" (the page-side JSON of workflow.jobs.get_job for the
 * signed-in user) holds a <progress>, a [data-job-label] sentence and a [data-job-left] one.
 * Every 1.5 s the script reads the URL and updates them; when the job has ended it reloads the
 * page, which then shows the result. Without script, the page's refresh link does the same.
 * After three failed reads in a row (offline, signed out) it stops and leaves the link.
 */
(function () {
  "use strict";

  var INTERVAL_MS = 1500;
  var MAX_FAILURES = 3;

  function follow(box) {
    var url = box.getAttribute("data-job-progress");
    var bar = box.querySelector("progress");
    var label = box.querySelector("[data-job-label]");
    var left = box.querySelector("[data-job-left]");
    var failures = 0;

    function show(job) {
      if (bar) {
        bar.max = job.max;
        bar.value = job.value;
        bar.textContent = job.value + " / " + job.max;
      }
      if (label) {
        label.textContent = job.label;
      }
      if (left) {
        left.textContent = job.left;
      }
    }

    function failed() {
      failures += 1;
      if (failures < MAX_FAILURES) {
        window.setTimeout(tick, INTERVAL_MS * (failures + 1));
      }
    }

    function tick() {
      window.fetch(url, {
        credentials: "same-origin",
        cache: "no-store",
        headers: { Accept: "application/json" }
      }).then(function (response) {
        var type = response.headers.get("Content-Type") || "";
        if (!response.ok || type.indexOf("application/json") !== 0) {
          throw new Error("job progress: HTTP " + response.status);
        }
        return response.json();
      }).then(function (job) {
        failures = 0;
        show(job);
        box.setAttribute("data-job-state", job.state);
        if (!job.active) {
          window.location.reload();
          return;
        }
        window.setTimeout(tick, INTERVAL_MS);
      }).catch(failed);
    }

    window.setTimeout(tick, INTERVAL_MS);
  }

  if (!window.fetch) {
    return;
  }
  Array.prototype.forEach.call(document.querySelectorAll("[data-job-progress]"), follow);
})();
