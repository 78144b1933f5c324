// The admin's business-date page: follow the close of business while it runs (the
// progress JSON of closing.selectors.close_progress), redrawing its steps every second.
(function () {
  "use strict";
  var box = document.getElementById("close-progress");
  if (!box) { return; }
  var url = box.getAttribute("data-url");
  var body = document.querySelector("#close-steps tbody");
  var title = document.getElementById("close-run-date");
  var calendarState = document.getElementById("calendar-state");

  function cell(text) {
    var td = document.createElement("td");
    td.textContent = text === null || text === undefined ? "" : String(text);
    return td;
  }

  function draw(data) {
    var run = data.run;
    if (!run) { return false; }
    title.textContent = run.business_date + " · " + run.state;
    while (body.firstChild) { body.removeChild(body.firstChild); }
    run.steps.forEach(function (step) {
      var row = document.createElement("tr");
      row.appendChild(cell(step.step));
      row.appendChild(cell(step.state));
      var progress = document.createElement("td");
      if (step.chunks_total) {
        var bar = document.createElement("progress");
        bar.max = step.chunks_total;
        bar.value = step.chunks_done;
        progress.appendChild(bar);
        progress.appendChild(document.createTextNode(" " + step.chunks_done + " / " + step.chunks_total));
      }
      row.appendChild(progress);
      var duration = cell(step.duration_ms);
      duration.className = "num";
      row.appendChild(duration);
      body.appendChild(row);
    });
    return run.state === "running" || data.calendar_state === "closing";
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.json(); })
      .then(function (data) {
        var running = draw(data);
        if (running) {
          window.setTimeout(poll, 1000);
        } else if (calendarState && data.calendar_state === "open") {
          // Finished while we watched: reload once so the date and history are current.
          if (box.getAttribute("data-was-running") === "yes") { window.location.reload(); }
        }
        box.setAttribute("data-was-running", running ? "yes" : "no");
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  poll();
})();
