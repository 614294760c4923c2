"""The composer: requests and notifications a person writes by hand, and earlier ones
to edit and send again."""

from __future__ import annotations

import json

from inspector.mcp.advertised import client_methods
from inspector.services.events import stored_event
from inspector.services.snapshots import resident_session
from inspector.sessions.compose import Composed, ComposeOutcome, send_composed


async def compose_send(*, session_id: str, composed: Composed, call_key: str) -> ComposeOutcome:
    return await send_composed(resident_session(session_id), composed, call_key)


async def composed_from(*, session_id: str, seq: int) -> Composed | None:
    """The request or notification the client sent at `seq`, to edit and send again
    (without its `_meta`: the session adds its own); None if `seq` is not one."""
    event = await stored_event(session_id, seq)
    if event is None or event.direction.value != "out" or not event.method:
        return None
    try:
        message = json.loads(event.text)
    except ValueError:
        return None
    if not isinstance(message, dict):
        return None
    params = message.get("params")
    if isinstance(params, dict):
        params = {key: value for key, value in params.items() if key != "_meta"} or None
    return Composed(event.method, params if isinstance(params, dict) else None, "id" not in message)


def known_client_methods(*, version: str) -> list[str]:
    """The methods a client may send in `version`, for the composer's suggestions."""
    return client_methods(version)
