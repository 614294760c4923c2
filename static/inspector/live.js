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
        (push.signals || []).forEach(applySignal);
        lastSeq = push.last_seq;
        status.dataset.lastSeq = String(lastSeq);
        pruneOldRows();
        groupRounds();
        applyFilters();
        applyLogFilters();
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

  function pruneServerLog() {
    const log = document.getElementById("server-log");
    while (log && log.children.length > MAX_ROWS) {
      log.firstElementChild.remove();
    }
  }

  function pruneOldRows() {
    pruneServerLog();
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

  // -- signals: what a push says besides new rows ---------------------------------------

  function applySignal(signal) {
    if (signal.type === "progress") {
      document.querySelectorAll("[data-progress-token]").forEach(function (box) {
        if (box.dataset.progressToken !== signal.token) {
          return;
        }
        const bar = box.querySelector("progress");
        if (bar && signal.progress !== null) {
          bar.hidden = false;
          if (signal.total) {
            bar.max = signal.total;
            bar.value = Math.min(signal.progress, signal.total);
          } else {
            bar.removeAttribute("value");
          }
        }
        const message = box.querySelector(".call-progress-message");
        if (message) {
          // Worded by the server, as the In flight panel words it.
          message.textContent = signal.text;
        }
      });
    } else if (signal.type === "list_changed") {
      const banner = document.getElementById("stale-" + signal.listing);
      if (banner) {
        banner.hidden = false;
        const auto = document.querySelector('.auto-refresh[data-listing="' + signal.listing + '"]');
        const refresh = banner.querySelector("button");
        if (auto && auto.checked && refresh) {
          refresh.click();
        }
      }
    } else if (signal.type === "connected") {
      document.querySelectorAll(".stale[id^='stale-']").forEach(function (banner) {
        applySignal({ type: "list_changed", listing: banner.id.replace(/^stale-/, "") });
      });
    } else if (signal.type === "inbox") {
      refreshInbox();
    } else if (signal.type === "inflight") {
      refreshInflight();
    } else if (signal.type === "task_status") {
      refreshTask(signal);
    } else if (signal.type === "resource_updated") {
      document.querySelectorAll("[data-resource-uri]").forEach(function (box) {
        if (box.dataset.resourceUri === signal.uri) {
          box.dataset.updated = "true";
          box.querySelectorAll(".updated-notice").forEach(function (notice) {
            notice.hidden = false;
          });
        }
      });
    }
  }

  // -- the inbox -------------------------------------------------------------------------
  // Loaded again whenever the stream says it changed. Cards that stay are left alone (a
  // person may be typing in one); an answered card shows its note for a moment.

  const SETTLED_CARD_MS = 4000;
  let inboxLoading = false;
  let inboxAgain = false;

  function refreshInbox() {
    const inbox = document.getElementById("inbox");
    if (!inbox) {
      return;
    }
    if (inboxLoading) {
      inboxAgain = true;
      return;
    }
    inboxLoading = true;
    fetch(inbox.dataset.inboxUrl, { credentials: "same-origin" })
      .then(function (response) {
        return response.ok ? response.text() : Promise.reject(new Error(response.statusText));
      })
      .then(function (html) {
        mergeInbox(inbox, html);
      })
      .catch(function () {})
      .finally(function () {
        inboxLoading = false;
        if (inboxAgain) {
          inboxAgain = false;
          refreshInbox();
        }
      });
  }

  function leaveSoon(item) {
    if (item.dataset.leaving) {
      return;
    }
    item.dataset.leaving = "1";
    window.setTimeout(function () {
      item.remove();
    }, SETTLED_CARD_MS);
  }

  // The page that answered sees the note, then the card goes, whichever came first:
  // this answer's response or the stream's word that the inbox changed.
  document.addEventListener("htmx:afterSettle", function (event) {
    const item = event.target.closest && event.target.closest(".inbox-item");
    if (item && item.querySelector("[data-settled]")) {
      leaveSoon(item);
    }
  });

  function mergeInbox(inbox, html) {
    const fresh = document.createElement("template");
    fresh.innerHTML = html;
    const cards = inbox.querySelector("#inbox-cards");
    const freshCards = fresh.content.querySelector("#inbox-cards");
    if (!cards || !freshCards) {
      inbox.replaceChildren(fresh.content);
      htmx.process(inbox);
      return;
    }
    const waiting = new Set(Array.from(freshCards.children, function (item) {
      return item.id;
    }));
    Array.from(cards.children).forEach(function (item) {
      // A card whose answer is on its way stays: its note replaces it when it lands.
      if (waiting.has(item.id) || item.dataset.leaving || item.querySelector(".htmx-request")) {
        return;
      }
      if (item.querySelector("[data-settled]")) {
        leaveSoon(item);
      } else {
        item.remove();
      }
    });
    Array.from(freshCards.children).forEach(function (item) {
      if (!document.getElementById(item.id)) {
        cards.appendChild(item);
        htmx.process(item);
      }
    });
    const parts = Array.from(fresh.content.children).map(function (part) {
      return part.id === "inbox-cards" ? cards : part;
    });
    inbox.replaceChildren.apply(inbox, parts);
    htmx.process(inbox);
  }

  // -- requests in flight --------------------------------------------------------------

  // The panel reloads when requests start or end, at most once per interval however
  // busy the session is; the holder's hx-sync keeps one reload running at a time.
  const INFLIGHT_REFRESH_MS = 300;
  let inflightTimer = null;

  function refreshInflight() {
    if (inflightTimer !== null) {
      return;
    }
    inflightTimer = window.setTimeout(function () {
      inflightTimer = null;
      const holder = document.getElementById("inflight");
      if (holder) {
        htmx.trigger(holder, "inflight-refresh");
      }
    }, INFLIGHT_REFRESH_MS);
  }

  function elapsedText(seconds) {
    if (seconds < 10) {
      return seconds.toFixed(1) + " s";
    }
    if (seconds < 60) {
      return Math.round(seconds) + " s";
    }
    const whole = Math.floor(seconds);
    return Math.floor(whole / 60) + " min " + (whole % 60) + " s";
  }

  // Elapsed times count on between reloads, from what the server measured when it
  // rendered them (data-elapsed, in seconds): each is stamped with the moment it
  // arrived. Their words are written here only.
  const ELAPSED_TICK_MS = 250;

  function tickElapsed() {
    const now = Date.now();
    document.querySelectorAll(".inflight-elapsed[data-elapsed]").forEach(function (element) {
      if (!element.dataset.seenAt) {
        element.dataset.seenAt = String(now);
      }
      const seconds = Number(element.dataset.elapsed) + (now - Number(element.dataset.seenAt)) / 1000;
      element.textContent = elapsedText(seconds);
    });
  }

  // -- tasks: a row is fetched again when the server spoke about its task --------------
  // Signals of one push are gathered first, so a task's row is fetched once per push; a
  // status notification's seq goes along, for the server side to apply it. A row comes
  // back out of band (swapped by its id); one with a command in flight is left alone,
  // since that command's answer is the newer word.
  const taskRefreshes = new Map();

  function refreshTask(signal) {
    if (taskRefreshes.size === 0) {
      window.setTimeout(flushTaskRefreshes, 0);
    }
    taskRefreshes.set(signal.task, Math.max(taskRefreshes.get(signal.task) || 0, signal.seq || 0));
  }

  function flushTaskRefreshes() {
    let unknown = false;
    taskRefreshes.forEach(function (seq, taskId) {
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
          row.dataset.taskUrl + "&version=" + (row.dataset.taskVersion || "") + (seq ? "&seq=" + seq : "");
        htmx.ajax("GET", url, { source: row, swap: "none" });
      });
      unknown = unknown || !shown;
    });
    taskRefreshes.clear();
    const rows = document.getElementById("task-rows");
    if (unknown && rows && rows.dataset.rowsUrl) {
      htmx.ajax("GET", rows.dataset.rowsUrl, { target: rows, swap: "outerHTML" });
    }
  }

  // -- tabs ------------------------------------------------------------------------------

  function selectTab(slug, remember) {
    const tab = document.getElementById("tab-" + slug);
    if (!tab) {
      return;
    }
    document.querySelectorAll('[role="tab"][data-tab]').forEach(function (other) {
      const selected = other === tab;
      other.setAttribute("aria-selected", selected ? "true" : "false");
      const panel = document.getElementById(other.getAttribute("aria-controls"));
      if (panel) {
        panel.hidden = !selected;
        if (selected) {
          htmx.trigger(panel, "tab-shown");
        }
      }
    });
    if (remember) {
      history.replaceState(null, "", "#" + slug);
    }
  }

  function showEvent(seq) {
    selectTab("protocol", true);
    const row = document.getElementById("event-" + seq);
    if (row) {
      const details = row.querySelector("details");
      if (details) {
        details.open = true;
      }
      row.scrollIntoView({ block: "center" });
    }
  }

  // -- calls: a key per call, its progress, its cancel button ---------------------------

  function newCallKey() {
    const bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.from(bytes, function (b) {
      return b.toString(16).padStart(2, "0");
    }).join("");
  }

  function csrfToken() {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
    } catch (error) {
      return "";
    }
  }

  // The progress box of a call: inside the requesting element, right after it (a button
  // names it with hx-indicator="next .call-progress"), or in its [data-call-form].
  function progressBoxOf(issuer) {
    const next = issuer.nextElementSibling;
    const form = issuer.closest("[data-call-form]");
    return (
      issuer.querySelector(".call-progress") ||
      (next && next.matches(".call-progress") ? next : null) ||
      (form ? form.querySelector(".call-progress") : null)
    );
  }

  // Every element marked [data-call] starts a call that can be watched and cancelled: a
  // tool run, a resource or template read, a prompt get.
  function startCall(event) {
    const issuer = event.detail.elt;
    if (!issuer.matches("[data-call]")) {
      return;
    }
    const key = newCallKey();
    event.detail.parameters["call_key"] = key;
    const box = progressBoxOf(issuer);
    if (box) {
      box.dataset.progressToken = key;
      const bar = box.querySelector("progress");
      if (bar) {
        bar.removeAttribute("value");
      }
      const message = box.querySelector(".call-progress-message");
      if (message) {
        message.textContent = "";
      }
    }
  }

  function cancelCall(button) {
    const box = button.closest("[data-progress-token]");
    if (!box) {
      return;
    }
    const body = new FormData();
    body.append("call_key", box.dataset.progressToken);
    button.disabled = true;
    fetch(button.dataset.cancelUrl, {
      method: "POST",
      body: body,
      headers: { "X-CSRFToken": csrfToken() },
      credentials: "same-origin",
    }).finally(function () {
      button.disabled = false;
    });
  }

  // -- small behaviours --------------------------------------------------------------

  function filterList(input) {
    const list = document.getElementById(input.dataset.filter);
    if (!list) {
      return;
    }
    const needle = input.value.trim().toLowerCase();
    list.querySelectorAll(":scope > li.item").forEach(function (item) {
      item.hidden = needle !== "" && !(item.dataset.search || "").includes(needle);
    });
  }

  function applyLogFilters() {
    const level = Number((document.getElementById("log-level-filter") || {}).value || 0);
    const needle = ((document.getElementById("log-search") || {}).value || "").trim().toLowerCase();
    document.querySelectorAll("#server-log > li").forEach(function (row) {
      row.hidden =
        Number(row.dataset.level) < level || (needle !== "" && !(row.dataset.search || "").includes(needle));
    });
  }

  function switchArgumentsView(button) {
    const form = button.closest("form");
    const view = button.dataset.argsView;
    form.querySelectorAll("[data-args-view]").forEach(function (other) {
      other.setAttribute("aria-selected", other === button ? "true" : "false");
    });
    form.querySelectorAll("[data-args-pane]").forEach(function (pane) {
      pane.hidden = pane.dataset.argsPane !== view;
    });
  }

  function copyText(button) {
    const source = document.querySelector(button.dataset.copy);
    if (!source) {
      return;
    }
    const text = source.textContent;
    const done = function () {
      button.textContent = "Copied";
      window.setTimeout(function () {
        button.textContent = "Copy";
      }, 1500);
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done);
    } else {
      const range = document.createRange();
      range.selectNodeContents(source);
      const selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
      document.execCommand("copy");
      done();
    }
  }

  document.addEventListener("click", function (event) {
    const target = event.target.closest("[data-tab], [data-show-event], [data-args-view], [data-copy], .cancel-call");
    if (!target) {
      return;
    }
    if (target.matches("[data-tab]")) {
      selectTab(target.dataset.tab, true);
    } else if (target.matches("[data-show-event]")) {
      event.preventDefault();
      showEvent(target.dataset.showEvent);
    } else if (target.matches("[data-args-view]")) {
      switchArgumentsView(target);
    } else if (target.matches("[data-copy]")) {
      copyText(target);
    } else if (target.matches(".cancel-call")) {
      cancelCall(target);
    }
  });

  // Whichever side of an arguments form the person edits last is the one that counts.
  function noteSource(event) {
    const pane = event.target.closest && event.target.closest("[data-args-pane]");
    if (!pane) {
      return;
    }
    const source = pane.closest("form").querySelector(".args-source");
    if (source) {
      source.value = pane.dataset.argsPane;
    }
  }
  document.addEventListener("input", noteSource, true);
  document.addEventListener("change", noteSource, true);

  document.addEventListener("input", function (event) {
    if (event.target.matches(".list-search")) {
      filterList(event.target);
    } else if (event.target.closest("#log-filters")) {
      applyLogFilters();
    }
  });
  document.addEventListener("change", function (event) {
    if (event.target.closest("#log-filters")) {
      applyLogFilters();
    }
  });

  // A request that failed is said plainly: htmx swaps nothing for 4xx and 5xx answers.
  function showFailure(event) {
    const flash = document.getElementById("flash");
    const xhr = event.detail.xhr;
    if (!flash || !xhr) {
      return;
    }
    const page = new DOMParser().parseFromString(xhr.responseText || "", "text/html");
    const reason = page.querySelector(".failure-reason");
    const text = (reason ? reason.textContent : "").trim() || xhr.statusText || "no answer";
    flash.querySelector(".flash-text").textContent = "The request failed (" + xhr.status + "): " + text;
    flash.hidden = false;
  }

  function showUnreachable() {
    const flash = document.getElementById("flash");
    if (flash) {
      flash.querySelector(".flash-text").textContent = "The inspector did not answer. Is it still running?";
      flash.hidden = false;
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.body.addEventListener("htmx:responseError", showFailure);
    document.body.addEventListener("htmx:sendError", showUnreachable);
    document.body.addEventListener("htmx:afterSettle", function () {
      document.querySelectorAll(".list-search").forEach(filterList);
    });
    const close = document.querySelector("#flash .flash-close");
    if (close) {
      close.addEventListener("click", function () {
        document.getElementById("flash").hidden = true;
      });
    }
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
    groupRounds();
    document.body.addEventListener("htmx:afterSettle", groupRounds);
    document.body.addEventListener("htmx:afterSettle", applyFilters);
    document.body.addEventListener("htmx:configRequest", startCall);
    document.body.addEventListener("htmx:afterSwap", tickElapsed);
    window.setInterval(tickElapsed, ELAPSED_TICK_MS);
    // Panels load when first shown: the one the address names, else the first.
    const wanted = window.location.hash.replace(/^#/, "");
    const first = document.querySelector('[role="tab"][data-tab]');
    if (wanted && document.getElementById("tab-" + wanted)) {
      selectTab(wanted, false);
    } else if (first) {
      selectTab(first.dataset.tab, false);
    }
  });
})();
