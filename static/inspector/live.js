// The live stream of a session page: a websocket that pushes HTML fragments swapped out
// of band. The page remembers the last seq it rendered and asks for what follows it on
// every (re)connect, so nothing is missed and nothing is shown twice.
(function () {
  "use strict";

  const RETRY_MIN_MS = 500;
  const RETRY_MAX_MS = 10000;
  // Beyond this many rows the oldest leave the page (they stay one click away), so a
  // flooding server cannot make the page sluggish.
  const MAX_ROWS = 2000;

  function startLiveStream(status) {
    let lastSeq = Number(status.dataset.lastSeq || 0);
    let retryMs = RETRY_MIN_MS;
    const scheme = window.location.protocol === "https:" ? "wss://" : "ws://";

    function say(text, state) {
      status.textContent = text;
      status.dataset.state = state;
    }

    function connect() {
      const url = scheme + window.location.host + status.dataset.wsPath + "?after=" + lastSeq;
      const socket = new WebSocket(url);
      socket.addEventListener("open", function () {
        retryMs = RETRY_MIN_MS;
        say("Live", "live");
      });
      socket.addEventListener("message", function (message) {
        const push = JSON.parse(message.data);
        if (push.last_seq <= lastSeq) {
          return;
        }
        const log = document.getElementById("protocol-log");
        const pinned = log && isScrolledToBottom(log);
        htmx.swap("#live-sink", push.html, { swapStyle: "none" });
        lastSeq = push.last_seq;
        status.dataset.lastSeq = String(lastSeq);
        pruneOldRows();
        applyFilters();
        if (pinned) {
          log.scrollTop = log.scrollHeight;
        }
      });
      socket.addEventListener("close", function (event) {
        if (event.code === 4403 || event.code === 4404) {
          say("The live stream was refused (" + event.code + ").", "refused");
          return;
        }
        say("Reconnecting to the live stream…", "reconnecting");
        window.setTimeout(connect, retryMs);
        retryMs = Math.min(retryMs * 2, RETRY_MAX_MS);
      });
    }

    connect();
  }

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
    const status = document.getElementById("live-status");
    if (holder && status) {
      const base = status.dataset.wsPath.replace(/^\/ws/, "").replace(/\/$/, "");
      const button = document.createElement("button");
      button.type = "button";
      button.textContent = "Load earlier events";
      button.setAttribute("hx-get", base + "/events?before=" + cutoff);
      button.setAttribute("hx-target", "#load-earlier");
      button.setAttribute("hx-swap", "outerHTML");
      holder.replaceChildren(button);
      htmx.process(holder);
    }
  }

  function isScrolledToBottom(element) {
    return element.scrollHeight - element.scrollTop - element.clientHeight < 40;
  }

  function applyFilters() {
    const method = (document.getElementById("filter-method") || {}).value || "";
    const direction = (document.getElementById("filter-direction") || {}).value || "";
    const transportBox = document.getElementById("filter-transport");
    const showTransport = !transportBox || transportBox.checked;
    const needle = method.trim().toLowerCase();
    document.querySelectorAll("#protocol-log > li.event").forEach(function (row) {
      const visible =
        (!needle || row.dataset.method.toLowerCase().includes(needle)) &&
        (!direction || row.dataset.direction === direction) &&
        (showTransport || row.dataset.transport !== "1");
      row.hidden = !visible;
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    const status = document.getElementById("live-status");
    if (status) {
      startLiveStream(status);
    }
    const filters = document.getElementById("event-filters");
    if (filters) {
      filters.addEventListener("input", applyFilters);
      filters.addEventListener("change", applyFilters);
      filters.addEventListener("submit", function (event) {
        event.preventDefault();
      });
    }
    document.body.addEventListener("htmx:afterSettle", applyFilters);
  });
})();
