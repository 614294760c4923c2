"""An MCP App's traffic through a live session: reading a View's `ui://` resource, the
requests a View sends (through the session, so consent mode holds them and the Protocol
tab marks them as the app's), and the bridge's own messages in the session's "app" lane.

A View is untrusted code. What it may ask is limited here, where the page cannot go
around it: only `tools/call` and `resources/read`, only tools that let apps call them,
and only so many in a window of time (a View calling tools in a loop is refused, and the
refusal says so).
"""

from __future__ import annotations

import json
import time
import uuid
import weakref
from collections import deque
from dataclasses import dataclass
from typing import Any

from inspector.mcp.apps import (
    FROM_APP,
    ORIGIN_DETAIL,
    AppResource,
    app_only,
    app_resource,
    callable_by_app,
    ui_resource_uri,
)
from inspector.mcp.errors import McpError
from inspector.mcp.trace import EventKind, local_event
from inspector.sessions.catalog import Listing
from inspector.sessions.session import LiveSession

# The requests a View may send through the host.
APP_METHODS = frozenset({"tools/call", "resources/read"})
# A View's requests: at most this many in the window, per session.
MAX_APP_REQUESTS = 20
REQUEST_WINDOW_SECONDS = 10.0
# Bridge messages recorded per session in the window; past it they are counted, not kept.
MAX_BRIDGE_MESSAGES = 500
BRIDGE_WINDOW_SECONDS = 10.0
# The longest bridge message kept whole in the log.
MAX_BRIDGE_MESSAGE_CHARS = 64 * 1024
# Which way a bridge message went, on its event.
LANE_DETAIL = "app_lane"
LANES = {"to-view": "host → View", "from-view": "View → host"}


class Window:
    """How many things happened in the last `seconds`: a sliding window of times."""

    def __init__(self, limit: int, seconds: float) -> None:
        self.limit = limit
        self.seconds = seconds
        self._times: deque[float] = deque()

    def admit(self) -> bool:
        now = time.monotonic()
        while self._times and now - self._times[0] > self.seconds:
            self._times.popleft()
        if len(self._times) >= self.limit:
            return False
        self._times.append(now)
        return True


@dataclass(slots=True)
class AppGuard:
    requests: Window
    bridge: Window
    # Whether the bridge's overflow was already said in the log, for this window.
    flood_noted: bool = False


_guards: weakref.WeakKeyDictionary[LiveSession, AppGuard] = weakref.WeakKeyDictionary()


def _guard(session: LiveSession) -> AppGuard:
    guard = _guards.get(session)
    if guard is None:
        guard = AppGuard(
            Window(MAX_APP_REQUESTS, REQUEST_WINDOW_SECONDS),
            Window(MAX_BRIDGE_MESSAGES, BRIDGE_WINDOW_SECONDS),
        )
        _guards[session] = guard
    return guard


class AppRefused(Exception):
    """A View's request that is not sent; the message says why (the View is told)."""

    def __init__(self, message: str, *, code: int = -32600) -> None:
        super().__init__(message)
        self.code = code


def tool_view_uri(session: LiveSession, name: str) -> str | None:
    """The `ui://` resource the listed tool `name` is shown in, if any."""
    tool = session.catalog.find(Listing.TOOLS, name)
    return ui_resource_uri(tool) if tool is not None else None


def refuse_page_call(session: LiveSession, name: str) -> str:
    """Why the page may not call `name` itself (only a View may); empty if it may."""
    tool = session.catalog.find(Listing.TOOLS, name)
    if tool is not None and app_only(tool):
        return (
            f'{name} is visible only to apps (_meta.ui.visibility is ["app"]): '
            "only its View may call it."
        )
    return ""


async def read_view(session: LiveSession, uri: str, *, host: str) -> AppResource:
    """Read a View's resource through the session and judge it for showing (`host`: the
    inspector's origin, which the View may never reach)."""
    call = await session.call("resources/read", {"uri": uri}, call_key=uuid.uuid4().hex)
    if call.result is None:
        error = str(call.error) if call.error is not None else "no answer"
        return app_resource(uri, None, error=error)
    return app_resource(uri, call.result, host=host)


async def app_request(session: LiveSession, method: str, params: dict[str, Any]) -> dict[str, Any]:
    """Send a View's request through the session, marked as the app's. Raises
    `AppRefused` for what is not sent, `McpError` for what the server refused."""
    if method not in APP_METHODS:
        raise AppRefused(f"A View may not send {method} through this host.", code=-32601)
    if method == "tools/call":
        name = params.get("name")
        tool = session.catalog.find(Listing.TOOLS, name) if isinstance(name, str) else None
        if tool is None:
            raise AppRefused(f"No listed tool is named {name!r}.", code=-32602)
        if not callable_by_app(tool):
            raise AppRefused(f"{name} is not visible to apps (_meta.ui.visibility).")
    guard = _guard(session)
    if not guard.requests.admit():
        message = (
            f"The View sent more than {MAX_APP_REQUESTS} requests in "
            f"{REQUEST_WINDOW_SECONDS:g} seconds: refused until it slows down."
        )
        session.record(local_event(EventKind.APP, message, **{LANE_DETAIL: "refused"}))
        raise AppRefused(message)
    outcome = await session.call(
        method, params, call_key=uuid.uuid4().hex, detail={ORIGIN_DETAIL: FROM_APP}
    )
    if outcome.result is None:
        raise outcome.error or McpError("No answer.")
    return outcome.result


def record_bridge(session: LiveSession, messages: list[dict[str, Any]]) -> int:
    """Log the bridge's messages in the "app" lane; return how many were kept."""
    guard = _guard(session)
    kept = 0
    for entry in messages:
        lane = entry.get("lane")
        message = entry.get("message")
        if lane not in LANES or not isinstance(message, dict):
            continue
        if not guard.bridge.admit():
            if not guard.flood_noted:
                guard.flood_noted = True
                note = (
                    f"More than {MAX_BRIDGE_MESSAGES} bridge messages in "
                    f"{BRIDGE_WINDOW_SECONDS:g} seconds: the rest are not recorded."
                )
                session.record(local_event(EventKind.APP, note, **{LANE_DETAIL: "refused"}))
            continue
        guard.flood_noted = False
        text = json.dumps(message, ensure_ascii=False)
        if len(text) > MAX_BRIDGE_MESSAGE_CHARS:
            text = text[:MAX_BRIDGE_MESSAGE_CHARS]
        method = message.get("method")
        event = local_event(EventKind.APP, text, **{LANE_DETAIL: lane})
        event.method = method if isinstance(method, str) else None
        session.record(event)
        kept += 1
    return kept
