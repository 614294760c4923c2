"""The MCP Apps sandbox: a tiny ASGI app the `inspector` command serves on its own
loopback port, so that a View runs on an origin other than the inspector's (the
extension requires it of web hosts: a View on the inspector's origin could read its
cookie-authenticated pages).

It serves one page, the sandbox proxy, and its script; nothing else, and no data. The
page's Content-Security-Policy is built here from the View's declared `_meta.ui.csp`
(passed in the query as JSON and checked again: only origins are kept), and the View's
document, loaded by the proxy with `srcdoc`, inherits it: the View can reach nothing it
did not declare.
"""

from __future__ import annotations

import json
import os
from collections.abc import Awaitable, Callable, MutableMapping
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from inspector.mcp.apps import AppCsp
from inspector.mcp.hosts import is_loopback_host

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]

PAGE_PATH = "/sandbox/"
SCRIPT_PATH = "/sandbox/proxy.js"
PACKAGE_DIR = Path(__file__).resolve().parent
SCRIPT_NAME = Path("static", "inspector", "sandbox", "proxy.js")
# The host names a bind beyond loopback is reached by (set by the `inspector` command).
ALLOWED_HOSTS = "INSPECTOR_ALLOWED_HOSTS"
# The longest query the page accepts (a CSP declaration is a few origins).
MAX_QUERY_BYTES = 16 * 1024

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>MCP App sandbox</title>
<style>html,body{margin:0;padding:0;height:100%;overflow:hidden}iframe{border:0;width:100%;height:100%;display:block}</style>
<script src="proxy.js"></script></head><body></body></html>
"""


def known_host(name: str) -> bool:
    """A loopback name, or one the inspector was told it is reached by (a bind beyond
    loopback names them in INSPECTOR_ALLOWED_HOSTS); never any other (DNS rebinding)."""
    listed = {item.strip().lower() for item in os.environ.get(ALLOWED_HOSTS, "").split(",")}
    return is_loopback_host(name) or name.lower() in listed - {""}


def host_origin(value: str) -> str | None:
    """The inspector's origin, as the page was told it: an http(s) origin on a known host."""
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.path not in ("", "/"):
        return None
    if not known_host(parts.hostname) or parts.query or parts.fragment:
        return None
    return f"{parts.scheme}://{parts.netloc}"


def page_policy(query: str) -> tuple[str, str] | None:
    """The proxy page's policy for the query's declaration, and the inspector origin
    allowed to frame it; None when the query is not one the inspector writes."""
    if len(query) > MAX_QUERY_BYTES:
        return None
    values = parse_qs(query)
    origin = host_origin((values.get("host") or [""])[0])
    if origin is None:
        return None
    declared = (values.get("csp") or [""])[0]
    try:
        csp = AppCsp.from_meta(json.loads(declared), host=origin) if declared else AppCsp()
    except ValueError:
        return None
    return f"{csp.policy()}; frame-ancestors {origin}", origin


def _headers(content_type: str, policy: str) -> list[tuple[bytes, bytes]]:
    return [
        (b"content-type", content_type.encode()),
        (b"content-security-policy", policy.encode()),
        (b"x-content-type-options", b"nosniff"),
        (b"referrer-policy", b"no-referrer"),
        (b"cache-control", b"no-store"),
    ]


async def _answer(send: Send, status: int, headers: list[tuple[bytes, bytes]], body: bytes) -> None:
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


_PLAIN = _headers("text/plain; charset=utf-8", "default-src 'none'")


class SandboxApp:
    """Serves the proxy page and its script; refuses everything else."""

    def __init__(self) -> None:
        # Inside an installed package, or at the source tree's top level.
        inside = PACKAGE_DIR / SCRIPT_NAME
        self.script = (
            inside if inside.is_file() else PACKAGE_DIR.parent / SCRIPT_NAME
        ).read_bytes()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008})
            return
        if scope["type"] != "http":
            return
        if scope["method"] not in ("GET", "HEAD") or not _loopback_host(scope):
            await _answer(send, 403, _PLAIN, b"Forbidden.\n")
            return
        path = scope["path"]
        if path == SCRIPT_PATH:
            headers = _headers("text/javascript; charset=utf-8", "default-src 'none'")
            await _answer(send, 200, headers, self.script)
            return
        if path == PAGE_PATH:
            policy = page_policy(scope.get("query_string", b"").decode("latin-1"))
            if policy is None:
                await _answer(send, 400, _PLAIN, b"Not a sandbox the inspector asked for.\n")
                return
            headers = _headers("text/html; charset=utf-8", policy[0])
            await _answer(send, 200, headers, PAGE.encode())
            return
        await _answer(send, 404, _PLAIN, b"Not found.\n")


def _loopback_host(scope: Scope) -> bool:
    """The Host header names a known host (see `known_host`)."""
    for name, value in scope.get("headers", []):
        if name == b"host":
            host = urlsplit(f"//{value.decode('latin-1')}").hostname
            return host is not None and known_host(host)
    return False


def by_port(main: App, sandbox: App, sandbox_port: int) -> App:
    """One ASGI app for both listeners: what reaches `sandbox_port` goes to the sandbox."""

    async def dispatch(scope: Scope, receive: Receive, send: Send) -> None:
        server = scope.get("server")
        if scope["type"] != "lifespan" and server and server[1] == sandbox_port:
            await sandbox(scope, receive, send)
            return
        await main(scope, receive, send)

    return dispatch
