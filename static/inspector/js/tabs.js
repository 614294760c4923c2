// The session page's tabs, and links that show an event in the Protocol tab. A panel
// loads when first shown (hx-trigger="tab-shown once"): the one the address names, else
// the first.
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

  document.addEventListener("click", function (event) {
    const target = event.target.closest("[data-tab], [data-show-event]");
    if (!target) {
      return;
    }
    if (target.matches("[data-tab]")) {
      selectTab(target.dataset.tab, true);
    } else {
      event.preventDefault();
      showEvent(target.dataset.showEvent);
    }
  });

  // After htmx has taken over the page, so that the panel's trigger is listening.
  document.addEventListener("DOMContentLoaded", function () {
    const wanted = window.location.hash.replace(/^#/, "");
    const first = document.querySelector('[role="tab"][data-tab]');
    if (wanted && document.getElementById("tab-" + wanted)) {
      selectTab(wanted, false);
    } else if (first) {
      selectTab(first.dataset.tab, false);
    }
  });
})();
