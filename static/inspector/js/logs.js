// The Server log tab: bounded like the Protocol log, and filtered by level and text.
(function () {
  "use strict";

  const MAX_ROWS = 2000;

  function pruneServerLog() {
    const log = document.getElementById("server-log");
    while (log && log.children.length > MAX_ROWS) {
      log.firstElementChild.remove();
    }
  }

  function applyLogFilters() {
    const level = Number((document.getElementById("log-level-filter") || {}).value || 0);
    const needle = ((document.getElementById("log-search") || {}).value || "").trim().toLowerCase();
    document.querySelectorAll("#server-log > li").forEach(function (row) {
      row.hidden =
        Number(row.dataset.level) < level || (needle !== "" && !(row.dataset.search || "").includes(needle));
    });
  }

  document.body.addEventListener("inspector:pushed", function () {
    pruneServerLog();
    applyLogFilters();
  });
  ["input", "change"].forEach(function (type) {
    document.addEventListener(type, function (event) {
      if (event.target.closest("#log-filters")) {
        applyLogFilters();
      }
    });
  });
})();
