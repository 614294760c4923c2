// The MCP Apps sandbox proxy, served on the sandbox origin (not the inspector's).
// It tells the inspector it is ready, receives the View's HTML in
// ui/notifications/sandbox-resource-ready, loads it into an inner frame with srcdoc (the
// View's document inherits this page's Content-Security-Policy, built from what the
// View declared), and relays every other message both ways. Messages are taken only
// from the inspector's page (origin and window) and from the inner frame.
(function () {
  "use strict";
  var params = new URLSearchParams(window.location.search);
  var hostOrigin = params.get("host");
  var inner = null;

  function toHost(message) {
    window.parent.postMessage(message, hostOrigin);
  }

  function load(resource) {
    if (inner) return; // one View per sandbox: a second resource would be a View's trick
    inner = document.createElement("iframe");
    inner.setAttribute("sandbox", "allow-scripts allow-same-origin allow-forms");
    if (typeof resource.allow === "string" && resource.allow) inner.setAttribute("allow", resource.allow);
    inner.setAttribute("title", "MCP App View");
    inner.addEventListener("load", function () {
      // Same origin as this page (srcdoc): report what the policy blocked to the host.
      try {
        inner.contentWindow.addEventListener("securitypolicyviolation", function (event) {
          toHost({
            jsonrpc: "2.0",
            method: "ui/notifications/sandbox-csp-violation",
            params: { blockedURI: event.blockedURI, violatedDirective: event.violatedDirective },
          });
        });
      } catch (error) {
        /* the View navigated away to another origin: nothing to watch */
      }
    });
    inner.srcdoc = typeof resource.html === "string" ? resource.html : "";
    document.body.appendChild(inner);
  }

  window.addEventListener("message", function (event) {
    var data = event.data;
    if (!data || typeof data !== "object" || data.jsonrpc !== "2.0") return;
    if (event.source === window.parent && event.origin === hostOrigin) {
      if (data.method === "ui/notifications/sandbox-resource-ready") {
        load(data.params || {});
      } else if (typeof data.method !== "string" || data.method.indexOf("ui/notifications/sandbox-") !== 0) {
        if (inner && inner.contentWindow) inner.contentWindow.postMessage(data, window.location.origin);
      }
      return;
    }
    if (inner && event.source === inner.contentWindow) {
      // The View may not speak for the proxy.
      if (typeof data.method === "string" && data.method.indexOf("ui/notifications/sandbox-") === 0) return;
      toHost(data);
    }
  });

  if (hostOrigin) toHost({ jsonrpc: "2.0", method: "ui/notifications/sandbox-proxy-ready", params: {} });
})();
