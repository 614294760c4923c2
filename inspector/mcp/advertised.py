"""Whether the server offered what a request asks for: the method exists in the
negotiated version, and the server declared the capability it needs. A request composed
by hand may ask for anything; this says whether the server said it would answer."""

from __future__ import annotations

from typing import Any

from inspector.mcp.judge.shapes import Surface, defined, methods_in

# The server capability each client request needs (dotted for a sub-capability); those
# absent need none (ping, the lifecycle's own).
SERVER_CAPABILITY_OF = {
    "tools/list": "tools",
    "tools/call": "tools",
    "resources/list": "resources",
    "resources/templates/list": "resources",
    "resources/read": "resources",
    "resources/subscribe": "resources.subscribe",
    "resources/unsubscribe": "resources.subscribe",
    "prompts/list": "prompts",
    "prompts/get": "prompts",
    "completion/complete": "completions",
    "logging/setLevel": "logging",
    "tasks/get": "tasks",
    "tasks/list": "tasks.list",
    "tasks/result": "tasks",
    "tasks/cancel": "tasks.cancel",
}


def is_advertised(
    method: str, *, notification: bool, capabilities: dict[str, Any], version: str
) -> bool:
    surface = Surface.CLIENT_NOTIFICATION if notification else Surface.CLIENT_REQUEST
    known = defined(surface, method, version)
    needed = SERVER_CAPABILITY_OF.get(method)
    if known is False or (known is None and needed is None):
        return False  # not in this version; or in none, nor an extension we know
    if needed is None or notification:
        return True
    node: Any = capabilities
    for part in needed.split("."):
        if not isinstance(node, dict) or part not in node:
            return False
        node = node[part]
    return node is not None and node is not False


def client_methods(version: str) -> list[str]:
    """What a client may send in `version`: its requests, then its notifications."""
    return methods_in(Surface.CLIENT_REQUEST, version) + methods_in(
        Surface.CLIENT_NOTIFICATION, version
    )
