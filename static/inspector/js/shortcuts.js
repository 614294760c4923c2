// Shortcuts: Ctrl/Cmd+Enter runs the form the focus is in (a tool call, a prompt get, a
// template read, a composed message: forms marked data-call-form), and "?" lists the
// shortcuts in a dialog, unless the person is typing.
(function () {
  "use strict";

  const dialog = document.getElementById("shortcuts");
  const opener = document.getElementById("shortcuts-open");
  let returnTo = null;

  function typing(target) {
    return Boolean(target.closest && target.closest('input, textarea, select, [contenteditable=""], [contenteditable="true"]'));
  }

  function showList() {
    if (!dialog || dialog.open) {
      return;
    }
    returnTo = document.activeElement;
    dialog.showModal();
  }

  if (dialog) {
    // A modal dialog keeps focus inside: its one control is the Close button.
    dialog.addEventListener("keydown", function (event) {
      if (event.key === "Tab") {
        event.preventDefault();
        dialog.querySelector("button").focus();
      }
    });
    dialog.addEventListener("close", function () {
      if (returnTo && returnTo.isConnected && typeof returnTo.focus === "function") {
        returnTo.focus();
      }
      returnTo = null;
    });
  }
  if (opener) {
    opener.addEventListener("click", showList);
  }

  document.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && !event.altKey) {
      const form = event.target.closest && event.target.closest("form[data-call-form]");
      if (form) {
        event.preventDefault();
        // A run already on its way is not sent twice.
        if (!form.classList.contains("htmx-request")) {
          form.requestSubmit();
        }
      }
      return;
    }
    if (event.key === "?" && !event.ctrlKey && !event.metaKey && !event.altKey && !typing(event.target)) {
      if (document.querySelector("dialog[open]")) {
        return; // one dialog at a time
      }
      event.preventDefault();
      showList();
    }
  });
})();
