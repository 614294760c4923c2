// The Server log tab: bounded like the Protocol log, and filtered by level and text.
(function () {
  "use strict";

  const MAX_ROWS = 2000;

  // The oldest rows leave the page past the bound; "load earlier" brings them back.
  function pruneServerLog() {
    const log = document.getElementById("server-log");
    if (!log || log.children.length <= MAX_ROWS) {
      return;
    }
    const first = log.children[log.children.length - MAX_ROWS];
    while (log.firstElementChild !== first) {
      log.firstElementChild.remove();
    }
    const holder = document.getElementById("load-earlier-log");
    const events = document.getElementById("protocol-log");
    if (holder && events) {
      const button = document.createElement("button");
      button.type = "button";
      button.textContent = "Load earlier log messages";
      button.setAttribute("hx-get", events.dataset.earlierUrl + "?lane=log&before=" + first.dataset.seq);
      button.setAttribute("hx-target", "#load-earlier-log");
      button.setAttribute("hx-swap", "outerHTML");
      holder.replaceChildren(button);
      htmx.process(holder);
    }
  }

  function applyLogFilters() {
    const level = Number((document.getElementById("log-level-filter") || {}).value || 0);
    const needle = ((document.getElementById("log-search") || {}).value || "").trim().toLowerCase();
    document.querySelectorAll("#server-log > li").forEach(function (row) {
      const hidden =
        Number(row.dataset.level) < level || (needle !== "" && !(row.dataset.search || "").includes(needle));
      if (row.hidden !== hidden) {
        row.hidden = hidden; // only when it changes: a flood re-applies the filters often
      }
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
