// A viewer watches: every button that would change something is disabled, with the reason
// as its title, including in forms the websocket or htmx bring in later. The server refuses
// such requests anyway; this only says so before the click.
(function () {
  "use strict";

  const note = document.body.dataset.viewerNote;
  if (!note) {
    return;
  }
  // Forms that change nothing a workspace holds stay usable.
  const open = ".workspace-switch, .sign-out";

  function disable(root) {
    root.querySelectorAll("form button, form input[type=submit], [hx-post], [hx-delete], [hx-put]").forEach(function (control) {
      if (control.closest(open) || control.closest("dialog#palette, .keyboard-buttons")) {
        return;
      }
      const form = control.closest("form");
      // A form's own buttons that only switch how it looks (type=button) stay usable.
      const posts = control.matches("[hx-post], [hx-delete], [hx-put]")
        || (form && control.type === "submit"
          && ((form.getAttribute("method") || "").toLowerCase() === "post" || form.matches("[hx-post]")));
      if (posts && !control.disabled) {
        control.disabled = true;
        control.title = note;
      }
    });
  }

  disable(document);
  new MutationObserver(function (changes) {
    changes.forEach(function (change) {
      change.addedNodes.forEach(function (node) {
        if (node.nodeType === Node.ELEMENT_NODE) {
          disable(node.parentNode || node);
        }
      });
    });
  }).observe(document.body, { childList: true, subtree: true });
})();
