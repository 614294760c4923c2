// The live stream of a session page: a websocket that pushes HTML fragments swapped out
// of band. The page remembers the last seq it rendered and asks for what follows it on
// every (re)connect, so nothing is missed and nothing is shown twice. (htmx's ws
// extension reconnects to a fixed URL, so it cannot ask for what followed the last seq.)
//
// A push also carries signals. Each is dispatched on the body as "inspector:<type>",
// with the signal as the event's detail: elements reload through
// hx-trigger="inspector:<type> from:body", and the other scripts listen for the rest.
// "inspector:pushed" follows, once the push's rows are in the page.
(function () {
  "use strict";

  const RETRY_MIN_MS = 500;
  const RETRY_MAX_MS = 10000;

  function startLiveStream(status) {
    let lastSeq = Number(status.dataset.lastSeq || 0);
    let retryMs = RETRY_MIN_MS;
    const scheme = window.location.protocol === "https:" ? "wss://" : "ws://";

    function say(text, state) {
      status.textContent = text;
      status.dataset.state = state;
    }

    function receive(message) {
      const push = JSON.parse(message.data);
      if (push.last_seq <= lastSeq) {
        return;
      }
      lastSeq = push.last_seq;
      status.dataset.lastSeq = String(lastSeq);
      // The lanes' rows are placed by lanes.js (which keeps the reader's place); what
      // is left (answered requests, the header) is swapped out of band by htmx.
      const template = document.createElement("template");
      template.innerHTML = push.html;
      window.inspectorLanes.place(template.content, push);
      const rest = template.innerHTML.trim();
      if (rest) {
        htmx.swap("#live-sink", rest, { swapStyle: "none" });
      }
      (push.signals || []).forEach(function (signal) {
        htmx.trigger(document.body, "inspector:" + signal.type, signal);
      });
      htmx.trigger(document.body, "inspector:pushed");
    }

    function connect() {
      const url = scheme + window.location.host + status.dataset.wsPath + "?after=" + lastSeq;
      const socket = new WebSocket(url);
      socket.addEventListener("open", function () {
        retryMs = RETRY_MIN_MS;
        say("Live", "live");
      });
      socket.addEventListener("message", receive);
      socket.addEventListener("close", function (event) {
        if (event.code === 4403 || event.code === 4404) {
          say("The live stream was refused (" + event.code + ").", "refused");
          return;
        }
        say("Reconnecting to the live stream…", "reconnecting");
        window.setTimeout(connect, retryMs);
        retryMs = Math.min(retryMs * 2, RETRY_MAX_MS);
      });
    }

    connect();
  }

  // After htmx has taken over the page: the first push may already need it.
  document.addEventListener("DOMContentLoaded", function () {
    const status = document.getElementById("live-status");
    if (status) {
      startLiveStream(status);
    }
  });
})();
