// The Protocol tab's "Full width" toggle (aria-pressed), remembered for every session page.
(function () {
  "use strict";

  const KEY = "inspector.protocol.fullWidth";

  function apply(on) {
    document.body.classList.toggle("protocol-full-width", on);
    const button = document.getElementById("protocol-full-width");
    if (button) {
      button.setAttribute("aria-pressed", on ? "true" : "false");
    }
  }

  function stored() {
    try {
      return window.localStorage.getItem(KEY) === "1";
    } catch (error) {
      return false;
    }
  }

  document.addEventListener("click", function (event) {
    const button = event.target.closest && event.target.closest("#protocol-full-width");
    if (!button) {
      return;
    }
    const on = button.getAttribute("aria-pressed") !== "true";
    apply(on);
    try {
      window.localStorage.setItem(KEY, on ? "1" : "0");
    } catch (error) {
      // Storage refused: the choice lasts for this page only.
    }
  });

  apply(stored());
})();
