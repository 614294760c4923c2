// MCP Apps host: runs the View of a tool's result (an App panel under the result) in a
// sandbox on the inspector's second origin, and speaks the extension's JSON-RPC with it
// over postMessage (specification 2026-01-26). The View's tools/call and resources/read
// go through the live session (a POST the server sends on, so consent mode holds them);
// every message either way is recorded in the session's "app" lane, in batches.
(function () {
  "use strict";

  var HOST_INFO = { name: "mcp-inspector", version: "0.1.0" };
  // A View sending more than this many messages in a second is stopped.
  var MAX_MESSAGES_PER_SECOND = 200;
  var FLUSH_MS = 250;
  var MAX_BATCH = 200;
  var TEARDOWN_WAIT_MS = 2000;
  var MIN_HEIGHT = 80;
  var MAX_HEIGHT = 4000;

  var util = window.inspectorApps;
  var post = util.post;
  var theme = util.theme;
  var safeLink = util.safeLink;
  var textOf = util.textOf;

  function App(panel) {
    this.panel = panel;
    this.config = JSON.parse(panel.querySelector("[data-app-config]").getAttribute("data-app-config"));
    this.status = panel.querySelector("[data-app-status]");
    this.frameBox = panel.querySelector("[data-app-frame]");
    this.notes = panel.querySelector("[data-app-notes]");
    this.dialog = panel.querySelector("[data-app-link-dialog]");
    this.pending = {}; // our requests to the View, by id
    this.nextId = 1;
    this.outbox = [];
    this.flushTimer = null;
    this.initialized = false;
    this.stopped = false;
    this.second = 0;
    this.countInSecond = 0;
    this.displayMode = "inline";
    this.onMessage = this.receive.bind(this);
    this.start();
  }

  App.prototype.start = function () {
    var frame = document.createElement("iframe");
    frame.className = "app-iframe";
    frame.setAttribute("title", "App View of " + (this.config.tool.name || "the tool"));
    frame.setAttribute("sandbox", "allow-scripts allow-same-origin allow-forms");
    if (this.config.allow) frame.setAttribute("allow", this.config.allow);
    frame.setAttribute("referrerpolicy", "no-referrer");
    frame.src = this.config.sandbox;
    this.frame = frame;
    window.addEventListener("message", this.onMessage);
    this.frameBox.appendChild(frame);
    var app = this;
    this.initTimer = window.setTimeout(function () {
      if (!app.initialized) app.stop("The View did not initialize within " + app.config.initTimeoutMs / 1000 + " s; it was removed.");
    }, this.config.initTimeoutMs);
    var close = this.panel.querySelector("[data-app-close]");
    if (close) close.addEventListener("click", function () { app.teardown("closed"); });
  };

  App.prototype.setStatus = function (text, tone) {
    this.status.textContent = text;
    this.status.className = "app-status" + (tone ? " app-status-" + tone : "");
  };

  App.prototype.note = function (text, tone) {
    var item = document.createElement("li");
    item.className = "app-note" + (tone ? " app-note-" + tone : "");
    item.textContent = text;
    this.notes.appendChild(item);
  };

  // -- recording -----------------------------------------------------------------------

  App.prototype.record = function (lane, message) {
    this.outbox.push({ lane: lane, message: message });
    if (this.outbox.length >= MAX_BATCH) this.flush();
    else if (this.flushTimer === null) this.flushTimer = window.setTimeout(this.flush.bind(this), FLUSH_MS);
  };

  App.prototype.flush = function () {
    if (this.flushTimer !== null) window.clearTimeout(this.flushTimer);
    this.flushTimer = null;
    if (!this.outbox.length) return;
    var batch = this.outbox.splice(0, this.outbox.length);
    post(this.config.logUrl, { messages: batch }).catch(function () { /* the page is going away */ });
  };

  // -- the wire --------------------------------------------------------------------------

  App.prototype.send = function (message) {
    if (!this.frame || !this.frame.contentWindow) return;
    this.frame.contentWindow.postMessage(message, this.config.sandboxOrigin);
    if (message.method !== "ui/notifications/sandbox-resource-ready") this.record("to-view", message);
    else this.record("to-view", { jsonrpc: "2.0", method: message.method, params: { csp: message.params.csp, html: "(" + message.params.html.length + " characters)" } });
  };

  App.prototype.respond = function (id, result) {
    this.send({ jsonrpc: "2.0", id: id, result: result });
  };

  App.prototype.fail = function (id, code, text) {
    this.send({ jsonrpc: "2.0", id: id, error: { code: code, message: text } });
  };

  App.prototype.request = function (method, params) {
    var id = "host-" + this.nextId++;
    var app = this;
    var answered = new Promise(function (resolve) { app.pending[id] = resolve; });
    this.send({ jsonrpc: "2.0", id: id, method: method, params: params });
    return answered;
  };

  App.prototype.receive = function (event) {
    if (this.stopped || !this.frame || event.source !== this.frame.contentWindow) return;
    if (event.origin !== this.config.sandboxOrigin) return;
    var message = event.data;
    if (!message || typeof message !== "object" || message.jsonrpc !== "2.0") return;
    if (!this.admit()) return;
    if (message.method === "ui/notifications/sandbox-proxy-ready") {
      this.record("from-view", message);
      this.send({
        jsonrpc: "2.0",
        method: "ui/notifications/sandbox-resource-ready",
        params: { html: this.config.html, csp: this.config.csp, permissions: {}, allow: this.config.allow },
      });
      return;
    }
    this.record("from-view", message);
    if (message.method === undefined && message.id !== undefined) {
      var resolve = this.pending[message.id];
      delete this.pending[message.id];
      if (resolve) resolve(message);
      return;
    }
    if (typeof message.method !== "string") return;
    if (message.id === undefined) this.notification(message);
    else this.answer(message);
  };

  App.prototype.admit = function () {
    var second = Math.floor(Date.now() / 1000);
    if (second !== this.second) {
      this.second = second;
      this.countInSecond = 0;
    }
    this.countInSecond += 1;
    if (this.countInSecond <= MAX_MESSAGES_PER_SECOND) return true;
    this.stop("The View sent more than " + MAX_MESSAGES_PER_SECOND + " messages in a second (a flood); it was stopped.");
    return false;
  };

  // -- what the View says ------------------------------------------------------------------

  App.prototype.notification = function (message) {
    var params = message.params || {};
    switch (message.method) {
      case "ui/notifications/initialized":
        if (this.initialized) return;
        this.initialized = true;
        window.clearTimeout(this.initTimer);
        this.setStatus("running", "ok");
        // Only now may the host speak: the tool's input once, then its result.
        this.send({ jsonrpc: "2.0", method: "ui/notifications/tool-input", params: { arguments: this.config.arguments } });
        this.send({ jsonrpc: "2.0", method: "ui/notifications/tool-result", params: this.config.result });
        return;
      case "ui/notifications/size-changed":
        this.resize(params);
        return;
      case "ui/notifications/sandbox-csp-violation":
        this.note("Blocked by the View's Content-Security-Policy (" + params.violatedDirective + "): " + params.blockedURI, "warn");
        return;
      case "notifications/message":
        this.note("Log (" + (params.level || "info") + "): " + JSON.stringify(params.data), "");
        return;
      default:
        return; // recorded; nothing else to do
    }
  };

  App.prototype.answer = function (message) {
    var params = message.params || {};
    var app = this;
    switch (message.method) {
      case "ui/initialize":
        this.respond(message.id, {
          protocolVersion: this.config.protocolVersion,
          hostInfo: HOST_INFO,
          hostCapabilities: {
            openLinks: {},
            serverTools: {},
            serverResources: {},
            logging: {},
            updateModelContext: { text: {}, structuredContent: {} },
            message: { text: {} },
          },
          hostContext: this.context(),
        });
        return;
      case "ping":
        this.respond(message.id, {});
        return;
      case "tools/call":
      case "resources/read":
        this.forward(message);
        return;
      case "ui/open-link":
        this.openLink(message.id, params.url);
        return;
      case "ui/message":
        this.note("Message from the View: " + textOf(params.content), "info");
        this.respond(message.id, {});
        return;
      case "ui/request-display-mode":
        this.setDisplayMode(params.mode === "fullscreen" ? "fullscreen" : "inline");
        this.respond(message.id, { mode: this.displayMode });
        return;
      case "ui/update-model-context":
        this.note("Model context updated by the View (recorded in the Protocol tab).", "");
        this.respond(message.id, {});
        return;
      default:
        app.fail(message.id, -32601, "This host does not handle " + message.method + ".");
    }
  };

  App.prototype.context = function () {
    var box = this.frameBox.getBoundingClientRect();
    return {
      toolInfo: { tool: this.config.tool },
      theme: theme(),
      displayMode: this.displayMode,
      availableDisplayModes: ["inline", "fullscreen"],
      containerDimensions: { width: Math.round(box.width), maxHeight: MAX_HEIGHT },
      locale: navigator.language || "en",
      timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone,
      platform: "web",
      userAgent: "mcp-inspector",
    };
  };

  App.prototype.forward = function (message) {
    var app = this;
    post(this.config.requestUrl, { method: message.method, params: message.params || {} })
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      })
      .then(function (answer) {
        if (app.stopped) return;
        if (answer.error) {
          if (/requests in/.test(answer.error.message)) app.note("Rate-limited: " + answer.error.message, "warn");
          app.fail(message.id, answer.error.code, answer.error.message);
        } else {
          app.respond(message.id, answer.result);
        }
      })
      .catch(function (error) {
        if (!app.stopped) app.fail(message.id, -32603, "The inspector could not send it: " + error.message);
      });
  };

  App.prototype.openLink = function (id, raw) {
    var url = safeLink(raw);
    var app = this;
    if (url === null) {
      this.note("Refused to open a link that is not http(s): " + String(raw), "warn");
      this.respond(id, { isError: true });
      return;
    }
    this.dialog.querySelector("[data-app-link-url]").textContent = url;
    this.dialog.returnValue = "";
    this.dialog.addEventListener("close", function chosen() {
      app.dialog.removeEventListener("close", chosen);
      if (app.dialog.returnValue === "open") {
        window.open(url, "_blank", "noopener,noreferrer");
        app.respond(id, {});
      } else {
        app.respond(id, { isError: true });
      }
    });
    this.dialog.showModal();
  };

  App.prototype.setDisplayMode = function (mode) {
    if (mode === this.displayMode) return;
    this.displayMode = mode;
    this.panel.classList.toggle("app-fullscreen", mode === "fullscreen");
    // The person can always leave fullscreen, whatever the View does.
    var leave = this.panel.querySelector("[data-app-inline]");
    if (mode === "fullscreen" && !leave) {
      var app = this;
      leave = document.createElement("button");
      leave.type = "button";
      leave.textContent = "Exit fullscreen";
      leave.setAttribute("data-app-inline", "");
      leave.addEventListener("click", function () { app.setDisplayMode("inline"); });
      this.panel.querySelector(".app-panel-header").appendChild(leave);
    } else if (mode === "inline" && leave) {
      leave.remove();
    }
    if (this.initialized) {
      this.send({ jsonrpc: "2.0", method: "ui/notifications/host-context-changed", params: { displayMode: mode } });
    }
  };

  App.prototype.resize = function (params) {
    var height = Number(params.height);
    if (isFinite(height) && height > 0) {
      this.frame.style.height = Math.max(MIN_HEIGHT, Math.min(MAX_HEIGHT, Math.ceil(height))) + "px";
    }
  };

  // -- the end ------------------------------------------------------------------------------

  App.prototype.teardown = function (reason) {
    if (this.stopped) return;
    var app = this;
    var done = false;
    function remove() {
      if (done) return;
      done = true;
      app.stop("The View was closed.", "muted");
    }
    this.request("ui/resource-teardown", { reason: reason }).then(remove);
    window.setTimeout(remove, TEARDOWN_WAIT_MS);
  };

  App.prototype.stop = function (why, tone) {
    if (this.stopped) return;
    this.stopped = true;
    window.clearTimeout(this.initTimer);
    window.removeEventListener("message", this.onMessage);
    this.record("to-view", { jsonrpc: "2.0", method: "inspector/view-removed", params: { reason: why } });
    this.flush();
    if (this.frame) this.frame.remove();
    this.frame = null;
    this.setDisplayMode("inline");
    var close = this.panel.querySelector("[data-app-close]");
    if (close) close.remove();
    this.setStatus(why, tone || "error");
    if (tone !== "muted") this.note(why, "error");
  };

  var running = [];

  function startPanels(root) {
    var panels = (root.querySelectorAll ? root : document).querySelectorAll("[data-app-panel]");
    panels.forEach(function (panel) {
      if (panel.dataset.appStarted || !panel.querySelector("[data-app-config]")) return;
      panel.dataset.appStarted = "1";
      running.push(new App(panel));
    });
  }

  document.addEventListener("DOMContentLoaded", function () { startPanels(document); });
  document.body && startPanels(document);
  document.addEventListener("htmx:afterSettle", function (event) { startPanels(event.target || document); });
  // A panel about to leave the page (another tool picked): its View hears it first.
  document.addEventListener("htmx:beforeCleanupElement", function (event) {
    running.forEach(function (app) {
      if (!app.stopped && event.target.contains && event.target.contains(app.panel)) {
        app.send({ jsonrpc: "2.0", id: "host-teardown", method: "ui/resource-teardown", params: { reason: "removed" } });
        app.stop("The View was removed.", "muted");
      }
    });
    running = running.filter(function (app) { return !app.stopped; });
  });
  window.addEventListener("pagehide", function () {
    // Best effort: the View hears it is going away, and what it said is kept.
    running.forEach(function (app) {
      if (!app.stopped) app.send({ jsonrpc: "2.0", id: "host-teardown", method: "ui/resource-teardown", params: { reason: "page closed" } });
      app.flush();
    });
  });
})();
