// Elapsed times in the In flight panel count on between its reloads, from what the
// server measured when it rendered them (data-elapsed, in seconds): each is stamped with
// the moment it arrived. Their words are written here only.
(function () {
  "use strict";

  const TICK_MS = 250;

  function elapsedText(seconds) {
    if (seconds < 10) {
      return seconds.toFixed(1) + " s";
    }
    if (seconds < 60) {
      return Math.round(seconds) + " s";
    }
    const whole = Math.floor(seconds);
    return Math.floor(whole / 60) + " min " + (whole % 60) + " s";
  }

  function tick() {
    const now = Date.now();
    document.querySelectorAll(".inflight-elapsed[data-elapsed]").forEach(function (element) {
      if (!element.dataset.seenAt) {
        element.dataset.seenAt = String(now);
      }
      const seconds = Number(element.dataset.elapsed) + (now - Number(element.dataset.seenAt)) / 1000;
      element.textContent = elapsedText(seconds);
    });
  }

  document.body.addEventListener("htmx:afterSwap", tick);
  window.setInterval(tick, TICK_MS);
})();
