// Copy buttons: [data-copy] names the element whose text is copied.
(function () {
  "use strict";

  function copyText(button) {
    const source = document.querySelector(button.dataset.copy);
    if (!source) {
      return;
    }
    const done = function () {
      button.textContent = "Copied";
      window.setTimeout(function () {
        button.textContent = "Copy";
      }, 1500);
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(source.textContent).then(done);
    } else {
      // The Clipboard API exists only in a secure context; an inspector bound to a LAN
      // address (--dangerously-bind-all) is served over plain HTTP, where the deprecated
      // selection copy is the one that still works.
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
    const button = event.target.closest("[data-copy]");
    if (button) {
      copyText(button);
    }
  });
})();
