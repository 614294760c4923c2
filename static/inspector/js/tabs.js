// The session page's tabs (the WAI-ARIA tabs pattern: only the selected tab is in the Tab
// order; arrows, Home and End move between tabs of any tablist and show the one they reach),
// and links that show an event in the Protocol tab (an address
// ending in #event-N opens the page there). A panel loads when first shown
// (hx-trigger="tab-shown once"): the one the address names, else the first.
(function () {
  "use strict";

  function selectTab(slug, remember) {
    const tab = document.getElementById("tab-" + slug);
    if (!tab) {
      return;
    }
    document.querySelectorAll('[role="tab"][data-tab]').forEach(function (other) {
      const selected = other === tab;
      other.setAttribute("aria-selected", selected ? "true" : "false");
      other.tabIndex = selected ? 0 : -1;
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

  function focusRow(row) {
    document.querySelectorAll("#protocol-log > li.focused").forEach(function (other) {
      other.classList.remove("focused");
    });
    row.hidden = false; // a filter may hide it; the person asked for this one
    row.classList.add("focused");
    const details = row.querySelector("details");
    if (details) {
      details.open = true;
    }
    row.scrollIntoView({ block: "center" });
  }

  // An event not on the page: the rows between it and the first row shown are loaded
  // above (the log stays one unbroken run), or, farther up than that, it opens on a page
  // of its own.
  function showEvent(seq) {
    selectTab("protocol", false);
    history.replaceState(null, "", "#event-" + seq);
    const row = document.getElementById("event-" + seq);
    if (row) {
      focusRow(row);
      return;
    }
    const log = document.getElementById("protocol-log");
    if (!log) {
      return;
    }
    const wanted = Number(seq);
    const firstRow = log.firstElementChild;
    const first = firstRow ? Number(firstRow.dataset.seq) : NaN;
    if (wanted < first && first - wanted <= Number(log.dataset.jumpLimit)) {
      const url = log.dataset.earlierUrl + "?before=" + first + "&from=" + wanted;
      htmx.ajax("GET", url, { target: "#load-earlier", swap: "outerHTML" }).then(function () {
        const loaded = document.getElementById("event-" + seq);
        if (loaded) {
          focusRow(loaded);
        }
      });
      return;
    }
    window.location.assign(log.dataset.earlierUrl + "/" + wanted + "/");
  }

  // Automatic activation: the tab reached is clicked, so each tablist's own script shows
  // its panel (and the session's tabs keep the address in step).
  const MOVES = {
    ArrowRight: function (index, count) { return (index + 1) % count; },
    ArrowLeft: function (index, count) { return (index - 1 + count) % count; },
    Home: function () { return 0; },
    End: function (index, count) { return count - 1; },
  };

  document.addEventListener("keydown", function (event) {
    const tab = event.target.closest && event.target.closest('[role="tab"]');
    const move = MOVES[event.key];
    if (!tab || !move || event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) {
      return;
    }
    const list = tab.closest('[role="tablist"]');
    if (!list) {
      return;
    }
    const tabs = Array.from(list.querySelectorAll('[role="tab"]')).filter(function (each) {
      return !each.hidden && !each.disabled;
    });
    const next = tabs[move(tabs.indexOf(tab), tabs.length)];
    event.preventDefault();
    if (next && next !== tab) {
      next.focus();
      next.click();
    }
  });

  // Exposed for the command palette, which shows a tab it found.
  window.inspectorTabs = { select: function (slug) { selectTab(slug, true); } };

  const EVENT_HASH = /^#event-(\d+)$/;

  document.addEventListener("click", function (event) {
    const target = event.target.closest('[data-tab], [data-show-event], a[href^="#event-"]');
    if (!target) {
      return;
    }
    if (target.matches("[data-tab]")) {
      selectTab(target.dataset.tab, true);
      return;
    }
    const seq = target.dataset.showEvent || (EVENT_HASH.exec(target.getAttribute("href")) || [])[1];
    if (seq && !event.ctrlKey && !event.metaKey && !event.shiftKey) {
      event.preventDefault();
      showEvent(seq);
    }
  });

  // After htmx has taken over the page, so that the panel's trigger is listening.
  document.addEventListener("DOMContentLoaded", function () {
    const permalink = EVENT_HASH.exec(window.location.hash);
    if (permalink) {
      showEvent(permalink[1]);
      return;
    }
    const wanted = window.location.hash.replace(/^#/, "");
    const first = document.querySelector('[role="tab"][data-tab]');
    if (wanted && document.getElementById("tab-" + wanted)) {
      selectTab(wanted, false);
    } else if (first) {
      selectTab(first.dataset.tab, false);
    }
  });
})();
