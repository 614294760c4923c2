// An arguments form has two views, a generated form and JSON; whichever side the person
// edits last is the one the server reads (the form's .args-source). The form also tells
// the server which fields the person touched (.args-touched), so that a fresh form is not
// judged before anything was typed, and keeps each field's invalid marks in step with
// the error list the server sends for it.
(function () {
  "use strict";

  function switchView(button) {
    const form = button.closest("form");
    const view = button.dataset.argsView;
    form.querySelectorAll("[data-args-view]").forEach(function (other) {
      other.setAttribute("aria-selected", other === button ? "true" : "false");
      other.tabIndex = other === button ? 0 : -1; // roving: only the selected view's tab is tabbable
    });
    form.querySelectorAll("[data-args-pane]").forEach(function (pane) {
      pane.hidden = pane.dataset.argsPane !== view;
    });
    const shown = form.querySelector(".args-view");
    if (shown) {
      shown.value = view;
    }
    const source = form.querySelector(".args-source");
    const text = form.querySelector('[data-args-pane="json"] textarea');
    if (view === "form" && source && source.value === "json" && text) {
      // The JSON view is read once more, now with the form in view: valid, it fills the
      // form; not (yet) valid, the form's own values stand and its error goes.
      text.dispatchEvent(new Event("input", { bubbles: true }));
    }
  }

  function noteTouched(pane, target) {
    const touched = pane.closest("form").querySelector(".args-touched");
    if (!touched || !target.name) {
      return;
    }
    let names;
    try {
      names = JSON.parse(touched.value || "[]");
    } catch (error) {
      names = [];
    }
    if (names.indexOf(target.name) === -1) {
      names.push(target.name);
      touched.value = JSON.stringify(names);
    }
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
    if (pane.dataset.argsPane === "form") {
      noteTouched(pane, event.target);
    }
  }

  // A field's error list is swapped on its own while the person types; the field's
  // red border and aria-invalid follow it.
  function markFields() {
    document.querySelectorAll(".sf-form .field-errors").forEach(function (list) {
      const invalid = list.children.length > 0;
      const field = list.closest(".sf-field");
      if (field) {
        field.classList.toggle("invalid", invalid);
      }
      document.querySelectorAll('[aria-describedby="' + list.id + '"]').forEach(function (input) {
        if (invalid) {
          input.setAttribute("aria-invalid", "true");
        } else {
          input.removeAttribute("aria-invalid");
        }
      });
    });
  }

  document.addEventListener("click", function (event) {
    const button = event.target.closest("[data-args-view]");
    if (button) {
      switchView(button);
    }
  });
  document.addEventListener("input", noteSource, true);
  document.addEventListener("change", noteSource, true);
  // An answer to a form edit brings the form's JSON; once the person has started typing
  // in the JSON view since, their text stands (the form's answer is older).
  document.body.addEventListener("htmx:oobBeforeSwap", function (event) {
    const target = event.detail.target;
    const form = target && target.closest && target.closest("form");
    const source = form && form.querySelector(".args-source");
    if (source && source.value === "json" && target.matches('[data-args-pane="json"] textarea')) {
      event.detail.shouldSwap = false;
    }
  });
  document.body.addEventListener("htmx:oobAfterSwap", markFields);
  document.body.addEventListener("htmx:afterSettle", markFields);
})();
