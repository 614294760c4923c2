// An arguments form has two views, a generated form and JSON; whichever side the person
// edits last is the one the server reads (the form's .args-source).
(function () {
  "use strict";

  function switchView(button) {
    const form = button.closest("form");
    const view = button.dataset.argsView;
    form.querySelectorAll("[data-args-view]").forEach(function (other) {
      other.setAttribute("aria-selected", other === button ? "true" : "false");
    });
    form.querySelectorAll("[data-args-pane]").forEach(function (pane) {
      pane.hidden = pane.dataset.argsPane !== view;
    });
  }

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

  document.addEventListener("click", function (event) {
    const button = event.target.closest("[data-args-view]");
    if (button) {
      switchView(button);
    }
  });
  document.addEventListener("input", noteSource, true);
  document.addEventListener("change", noteSource, true);
})();
