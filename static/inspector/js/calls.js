// Calls a page can watch and cancel: a tool run, a resource or template read, a prompt
// get. Every element marked [data-call] sends a fresh key with its request; the key is
// the request's progress token, so the call's progress box follows it, and the box's
// Cancel button posts it (templates/inspector/includes/calls.html).
(function () {
  "use strict";

  function newCallKey() {
    const bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.from(bytes, function (b) {
      return b.toString(16).padStart(2, "0");
    }).join("");
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
      const cancel = box.querySelector(".cancel-call");
      if (cancel) {
        cancel.setAttribute("hx-vals", JSON.stringify({ call_key: key }));
      }
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

  // Progress of a call, in its box and in its row of the In flight panel; the server
  // words the message (the same words the panel shows when it reloads).
  function showProgress(event) {
    const signal = event.detail;
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
        message.textContent = signal.text;
      }
    });
  }

  document.body.addEventListener("htmx:configRequest", startCall);
  document.body.addEventListener("inspector:progress", showProgress);
})();
