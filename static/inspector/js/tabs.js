// The session page's tabs, and links that show an event in the Protocol tab (an address
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
