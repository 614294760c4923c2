// A request that failed is said plainly in the page's flash message: htmx swaps nothing
// for 4xx and 5xx answers (see the htmx-config meta of base.html).
(function () {
  "use strict";

  function say(text) {
    const flash = document.getElementById("flash");
    if (flash) {
      flash.querySelector(".flash-text").textContent = text;
      flash.hidden = false;
    }
  }

  document.body.addEventListener("htmx:responseError", function (event) {
    const xhr = event.detail.xhr;
    if (!xhr) {
      return;
    }
    const page = new DOMParser().parseFromString(xhr.responseText || "", "text/html");
    const reason = page.querySelector(".failure-reason");
    const text = (reason ? reason.textContent : "").trim() || xhr.statusText || "no answer";
    say("The request failed (" + xhr.status + "): " + text);
  });
  document.body.addEventListener("htmx:sendError", function () {
    say("The inspector did not answer. Is it still running?");
  });
  document.addEventListener("click", function (event) {
    if (event.target.closest("#flash .flash-close")) {
      document.getElementById("flash").hidden = true;
    }
  });
})();
