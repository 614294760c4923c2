// The Protocol tab's log: the oldest rows leave it past a bound, the later rounds of a
// multi round-trip request join their request, and the filters hide what the person
// asked to hide, in rows already shown and in rows that arrive.
(function () {
  "use strict";

  // Beyond this many rows the oldest leave the page (they stay one click away), so a
  // flooding server cannot make the page sluggish.
  const MAX_ROWS = 2000;

  function pruneOldRows() {
    const log = document.getElementById("protocol-log");
    if (!log || log.children.length <= MAX_ROWS) {
      return;
    }
    const cutoff = Number(log.children[log.children.length - MAX_ROWS].dataset.seq);
    document.querySelectorAll("#protocol-log > li, #console-log > li").forEach(function (row) {
      if (Number(row.dataset.seq) < cutoff) {
        row.remove();
      }
    });
    const holder = document.getElementById("load-earlier");
    if (holder) {
      const button = document.createElement("button");
      button.type = "button";
      button.textContent = "Load earlier events";
      button.setAttribute("hx-get", log.dataset.earlierUrl + "?before=" + cutoff);
      button.setAttribute("hx-target", "#load-earlier");
      button.setAttribute("hx-swap", "outerHTML");
      holder.replaceChildren(button);
      htmx.process(holder);
    }
  }

  // The later rounds of a multi round-trip request (2026-07-28) arrive after other
  // traffic; each is moved to just below its originating request (and the response that
  // asked for input), after the rounds before it.
  function groupRounds() {
    document.querySelectorAll("#protocol-log > li[data-origin-seq]:not([data-grouped])").forEach(function (row) {
      const seq = row.dataset.originSeq;
      const origin = document.getElementById("event-" + seq);
      if (!origin || origin.parentElement !== row.parentElement) {
        return;
      }
      const answer = origin.parentElement.querySelector(':scope > li[data-answers="' + seq + '"]');
      if (answer && !answer.dataset.grouped) {
        origin.after(answer);
        answer.dataset.grouped = "1";
      }
      let last = origin;
      let next = last.nextElementSibling;
      while (next && next !== row && (next.dataset.originSeq === seq || next.dataset.answers === seq)) {
        last = next;
        next = last.nextElementSibling;
      }
      last.after(row);
      row.dataset.grouped = "1";
    });
  }

  function applyFilters() {
    const method = (document.getElementById("filter-method") || {}).value || "";
    const direction = (document.getElementById("filter-direction") || {}).value || "";
    const transportBox = document.getElementById("filter-transport");
    const showTransport = !transportBox || transportBox.checked;
    const findingsBox = document.getElementById("filter-findings");
    const onlyFlagged = Boolean(findingsBox && findingsBox.checked);
    const needle = method.trim().toLowerCase();
    document.querySelectorAll("#protocol-log > li.event").forEach(function (row) {
      const visible =
        (!needle || row.dataset.method.toLowerCase().includes(needle)) &&
        (!direction || row.dataset.direction === direction) &&
        (showTransport || row.dataset.transport !== "1") &&
        (!onlyFlagged || row.dataset.findings !== "0");
      if (row.hidden !== !visible) {
        row.hidden = !visible; // only when it changes: a flood re-applies the filters often
      }
    });
  }

  document.body.addEventListener("inspector:pushed", function () {
    pruneOldRows();
    groupRounds();
    applyFilters();
  });
  document.body.addEventListener("htmx:afterSettle", groupRounds);
  document.body.addEventListener("htmx:afterSettle", applyFilters);

  const filters = document.getElementById("event-filters");
  if (filters) {
    filters.addEventListener("input", applyFilters);
    filters.addEventListener("change", applyFilters);
    filters.addEventListener("submit", function (event) {
      event.preventDefault();
    });
  }
  groupRounds();
})();
