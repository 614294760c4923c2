"""A stdio server of MCP Apps (`io.modelcontextprotocol/ui`) on the `mcp` package's
low-level API, its Views written by hand against the extension's JSON-RPC (no SDK in
the page), so that each test sees exactly what a View sends:

- `show_panel` is shown in `ui://apps/panel.html`: it shows the tool's input and result,
  and has buttons that call the app-only tool `greet_from_app` through the host, fetch a
  domain its CSP does not declare (it declares `https://declared.example` only), ask to
  open a link, send a message and go fullscreen;
- `greet_from_app` is visible only to apps (`visibility: ["app"]`);
- `deprecated_key` names its View with the deprecated flat `_meta["ui/resourceUri"]`;
- bad Views: `not_html` (text/plain), `too_big` (over 5 MB), `missing_view` (the read
  fails), `silent_view` (never initializes), `flood_view` (floods postMessage) and
  `loop_view` (calls a tool in a loop).
"""

from __future__ import annotations

import sys
from typing import Any

import anyio
import mcp_types as types
from mcp.server.context import HandlerResult, ServerRequestContext
from mcp.server.lowlevel import Server
from mcp.server.stdio import stdio_server
from mcp.shared.exceptions import MCPError
from pydantic import BaseModel

MIME = "text/html;profile=mcp-app"
DECLARED = "https://declared.example"
UNDECLARED = "https://undeclared.example/secret"
LINK = "https://example.com/docs?from=app"

# The View's side of the bridge, by hand: initialize, then answer what the host sends.
BRIDGE = """
var nextId = 1, waiting = {};
function send(message) { window.parent.postMessage(message, "*"); }
function request(method, params) {
  var id = nextId++;
  send({jsonrpc: "2.0", id: id, method: method, params: params || {}});
  return new Promise(function (resolve) { waiting[id] = resolve; });
}
function notify(method, params) { send({jsonrpc: "2.0", method: method, params: params || {}}); }
function show(id, text) { document.getElementById(id).textContent = text; }
var handlers = {};
window.addEventListener("message", function (event) {
  var m = event.data;
  if (!m || m.jsonrpc !== "2.0") return;
  if (m.id !== undefined && !m.method) {
    var r = waiting[m.id]; delete waiting[m.id]; if (r) r(m); return;
  }
  if (m.method === "ui/resource-teardown") { send({jsonrpc: "2.0", id: m.id, result: {}}); return; }
  if (handlers[m.method]) handlers[m.method](m.params || {});
});
"""

PANEL_HTML = (
    """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Fixture panel</title>
<style>body{font-family:sans-serif;margin:8px} button{margin:2px}</style></head>
<body>
<h1>Fixture panel</h1>
<p>Theme: <span id="theme">?</span></p>
<p>Input: <span id="input">none yet</span></p>
<p>Result: <span id="result">none yet</span></p>
<button id="greet">Greet through the host</button>
<button id="fetch">Fetch an undeclared domain</button>
<button id="link">Open the docs</button>
<button id="say">Say hello</button>
<button id="full">Go fullscreen</button>
<p>Answer: <output id="answer">none yet</output></p>
<p>Fetch: <output id="fetched">not tried</output></p>
<p>Link: <output id="linked">not asked</output></p>
<p>Mode: <output id="mode">inline</output></p>
<script>"""
    + BRIDGE
    + """
handlers["ui/notifications/tool-input"] = function (p) {
  show("input", JSON.stringify(p.arguments));
};
handlers["ui/notifications/tool-result"] = function (p) {
  show("result", (p.content || []).map(function (c) { return c.text; }).join(" "));
};
document.getElementById("greet").onclick = function () {
  request("tools/call", {name: "greet_from_app", arguments: {name: "View"}}).then(function (m) {
    show("answer", m.error ? "error: " + m.error.message : m.result.content[0].text);
  });
};
document.getElementById("fetch").onclick = function () {
  fetch("""
    + repr(UNDECLARED)
    + """).then(function () { show("fetched", "reached"); },
    function (e) { show("fetched", "failed: " + e.message); });
};
document.getElementById("link").onclick = function () {
  request("ui/open-link", {url: """
    + repr(LINK)
    + """}).then(function (m) {
    show("linked", m.result && m.result.isError ? "declined" : "opened");
  });
};
document.getElementById("say").onclick = function () {
  request("ui/message", {role: "user", content: [{type: "text", text: "Hello from the View"}]});
};
document.getElementById("full").onclick = function () {
  request("ui/request-display-mode", {mode: "fullscreen"}).then(function (m) {
    show("mode", m.result.mode);
  });
};
request("ui/initialize", {
  protocolVersion: "2026-01-26",
  appInfo: {name: "fixture-panel", version: "1.0.0"},
  appCapabilities: {}
}).then(function (m) {
  show("theme", m.result.hostContext.theme);
  notify("ui/notifications/initialized");
  notify("ui/notifications/size-changed", {width: 600, height: 420});
});
</script></body></html>"""
)

SILENT_HTML = "<!doctype html><html><body><p>This View never says hello.</p></body></html>"

FLOOD_HTML = (
    "<!doctype html><html><body><p>Flooding.</p><script>"
    + BRIDGE
    + """request("ui/initialize", {protocolVersion: "2026-01-26", appInfo: {name: "flood",
  version: "1"}, appCapabilities: {}}).then(function () {
  notify("ui/notifications/initialized");
  for (var i = 0; i < 5000; i++) notify("notifications/message", {level: "info", data: i});
});
</script></body></html>"""
)

LOOP_HTML = (
    "<!doctype html><html><body><p>Calls: <output id=calls>0</output></p>"
    "<p>Last: <output id=last>none</output></p><script>"
    + BRIDGE
    + """var calls = 0;
function again() {
  request("tools/call", {name: "greet_from_app", arguments: {name: "loop"}}).then(function (m) {
    calls += 1; show("calls", String(calls));
    if (m.error) { show("last", m.error.message); return; }
    again();
  });
}
request("ui/initialize", {protocolVersion: "2026-01-26", appInfo: {name: "loop",
  version: "1"}, appCapabilities: {}}).then(function () {
  notify("ui/notifications/initialized");
  again();
});
</script></body></html>"""
)

# uri -> (mimeType, text, resource _meta)
VIEWS: dict[str, tuple[str, str, dict[str, Any]]] = {
    "ui://apps/panel.html": (
        MIME,
        PANEL_HTML,
        {"ui": {"csp": {"connectDomains": [DECLARED]}, "prefersBorder": True}},
    ),
    "ui://apps/plain.txt": ("text/plain", "not a View", {}),
    "ui://apps/big.html": (MIME, "<!doctype html>" + "x" * (5 * 1024 * 1024 + 1), {}),
    "ui://apps/silent.html": (MIME, SILENT_HTML, {}),
    "ui://apps/flood.html": (MIME, FLOOD_HTML, {}),
    "ui://apps/loop.html": (MIME, LOOP_HTML, {}),
}


def _tool(name: str, description: str, meta: dict[str, Any]) -> dict[str, Any]:
    schema = {"type": "object", "properties": {"name": {"type": "string"}}}
    return {"name": name, "description": description, "inputSchema": schema, "_meta": meta}


def _ui(uri: str, **extra: Any) -> dict[str, Any]:
    return {"ui": {"resourceUri": uri, **extra}}


TOOLS = [
    _tool("show_panel", "Shows the fixture panel.", _ui("ui://apps/panel.html")),
    _tool(
        "greet_from_app",
        "Greets; only a View may call it.",
        {"ui": {"visibility": ["app"]}},
    ),
    _tool(
        "deprecated_key", "Names its View the old way.", {"ui/resourceUri": "ui://apps/panel.html"}
    ),
    _tool("not_html", "Its View is plain text.", _ui("ui://apps/plain.txt")),
    _tool("too_big", "Its View is over 5 MB.", _ui("ui://apps/big.html")),
    _tool("missing_view", "Its View does not exist.", _ui("ui://apps/missing.html")),
    _tool("silent_view", "Its View never initializes.", _ui("ui://apps/silent.html")),
    _tool("flood_view", "Its View floods the host.", _ui("ui://apps/flood.html")),
    _tool("loop_view", "Its View calls a tool in a loop.", _ui("ui://apps/loop.html")),
]


async def list_tools(
    ctx: ServerRequestContext[Any, Any], params: types.PaginatedRequestParams | None
) -> HandlerResult:
    return types.ListToolsResult.model_validate({"tools": TOOLS})


async def call_tool(
    ctx: ServerRequestContext[Any, Any], params: types.CallToolRequestParams
) -> HandlerResult:
    who = (params.arguments or {}).get("name") or "someone"
    if params.name == "greet_from_app":
        text = f"Hello, {who}, from the server"
    else:
        text = f"{params.name} ran for {who}"
    return types.CallToolResult(content=[types.TextContent(type="text", text=text)])


async def list_resources(
    ctx: ServerRequestContext[Any, Any], params: types.PaginatedRequestParams | None
) -> HandlerResult:
    # Only the panel is listed: UI resources may be absent from the list.
    listed = {"uri": "ui://apps/panel.html", "name": "panel", "mimeType": MIME}
    return types.ListResourcesResult.model_validate({"resources": [listed]})


async def read_resource(
    ctx: ServerRequestContext[Any, Any], params: types.ReadResourceRequestParams
) -> HandlerResult:
    uri = str(params.uri)
    if uri not in VIEWS:
        raise MCPError(code=-32002, message=f"Resource not found: {uri}")
    mime, text, meta = VIEWS[uri]
    content: dict[str, Any] = {"uri": uri, "mimeType": mime, "text": text}
    if meta:
        content["_meta"] = meta
    return types.ReadResourceResult.model_validate({"contents": [content]})


def build() -> Server[Any]:
    server: Server[Any] = Server("fixture-apps", version="0.1.0", title="Fixture Apps")
    handlers: list[tuple[str, type[BaseModel], Any]] = [
        ("tools/list", types.PaginatedRequestParams, list_tools),
        ("tools/call", types.CallToolRequestParams, call_tool),
        ("resources/list", types.PaginatedRequestParams, list_resources),
        ("resources/read", types.ReadResourceRequestParams, read_resource),
    ]
    for method, params_type, handler in handlers:
        server.add_request_handler(method, params_type, handler)
    return server


async def main() -> None:
    server = build()
    async with stdio_server() as (read_stream, write_stream):
        await server.run(read_stream, write_stream, server.create_initialization_options())


if __name__ == "__main__":
    print("fixture-apps starting", file=sys.stderr)
    anyio.run(main)
