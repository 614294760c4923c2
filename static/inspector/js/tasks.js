// A task's row is fetched again when the server spoke about its task. Signals of one push
// are gathered first, so a task's row is fetched once per push; a status notification's
// seq goes along, for the server side to apply it. A row comes back out of band (swapped
// by its id); one with a command in flight is left alone, since that command's answer is
// the newer word. A task no row shows yet reloads the list.
(function () {
  "use strict";

  const pending = new Map();

  function noteTask(event) {
    const signal = event.detail;
    if (pending.size === 0) {
      window.setTimeout(refreshRows, 0);
    }
    pending.set(signal.task, Math.max(pending.get(signal.task) || 0, signal.seq || 0));
  }

  function refreshRows() {
    let unknown = false;
    pending.forEach(function (seq, taskId) {
      let shown = false;
      document.querySelectorAll("[data-task-id]").forEach(function (row) {
        if (row.dataset.taskId !== taskId) {
          return;
        }
        shown = true;
        if (row.matches(".htmx-request") || row.querySelector(".htmx-request")) {
          return;
        }
        const url =
          row.dataset.taskUrl + "&fingerprint=" + (row.dataset.taskFingerprint || "") + (seq ? "&seq=" + seq : "");
        htmx.ajax("GET", url, { source: row, swap: "none" });
      });
      unknown = unknown || !shown;
    });
    pending.clear();
    const rows = document.getElementById("task-rows");
    if (unknown && rows && rows.dataset.rowsUrl) {
      htmx.ajax("GET", rows.dataset.rowsUrl, { target: rows, swap: "outerHTML" });
    }
  }

  document.body.addEventListener("inspector:task_status", noteTask);
})();
