// An export job's page follows its progress: while the job is queued or running, the page
// reloads every few seconds (the figures come from the server; nothing is computed here).
(function () {
  "use strict";
  var waiting = document.querySelector('[data-export-state="queued"], [data-export-state="running"]');
  if (waiting) {
    window.setTimeout(function () { window.location.reload(); }, 3000);
  }
})();
