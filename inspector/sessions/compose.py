"""Requests and notifications a person writes by hand: any method, any params, whether
or not the server advertised it (the send's event says which)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from inspector.mcp.advertised import is_advertised
from inspector.mcp.errors import McpError
from inspector.sessions.calls import CallOutcome
from inspector.sessions.session import LiveSession

# On the event of each send composed by hand: {"advertised": bool}.
COMPOSED_DETAIL = "composed"


@dataclass(frozen=True, slots=True)
class Composed:
    """What the composer sends: from a person, or from an earlier request to send again."""

    method: str
    params: dict[str, Any] | None
    notification: bool = False


@dataclass(frozen=True, slots=True)
class ComposeOutcome:
    advertised: bool
    call: CallOutcome | None = None  # None for a notification
    error: McpError | None = None  # a notification that could not be sent


async def send_composed(session: LiveSession, composed: Composed, call_key: str) -> ComposeOutcome:
    server = session.server
    advertised = server is not None and is_advertised(
        composed.method,
        notification=composed.notification,
        capabilities=server.capabilities,
        version=server.protocol_version,
    )
    detail = {COMPOSED_DETAIL: {"advertised": advertised}}
    if composed.notification:
        try:
            await session.notify(composed.method, composed.params, detail=detail)
        except McpError as exc:
            return ComposeOutcome(advertised, error=exc)
        return ComposeOutcome(advertised)
    call = await session.call(composed.method, composed.params, call_key=call_key, detail=detail)
    return ComposeOutcome(advertised, call=call)
