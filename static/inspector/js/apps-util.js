// What the MCP Apps host (apps-host.js) needs beside the bridge itself: POSTs to the
// inspector with its CSRF token, the page's theme, which links may be opened, and the
// text of a View's message. Loaded before apps-host.js.
(function () {
  "use strict";

  function csrfToken() {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
    } catch (error) {
      return "";
    }
  }

  function post(url, body) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
      body: JSON.stringify(body),
    });
  }

  function theme() {
    var root = document.documentElement.getAttribute("data-theme");
    if (root === "dark" || root === "light") return root;
    return window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light";
  }

  function safeLink(value) {
    try {
      var url = new URL(String(value));
      return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
    } catch (error) {
      return null;
    }
  }

  function textOf(content) {
    if (!Array.isArray(content)) return JSON.stringify(content);
    return content.map(function (block) { return block && block.type === "text" ? block.text : JSON.stringify(block); }).join(" ");
  }

  window.inspectorApps = { post: post, theme: theme, safeLink: safeLink, textOf: textOf };
})();
