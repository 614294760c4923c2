"""The events of a session that drew findings from the message checks, oldest first."""

from __future__ import annotations

import json
from typing import Any

from inspector.mcp.trace import EventKind, TraceEvent
from inspector.models import EventRecord
from inspector.services.runtime import registry


async def flagged_event_list(*, session_id: str) -> list[TraceEvent]:
    """Every stored event of the session that carries a finding. Only those are read: a
    long session with few findings costs no more than its findings (an event's stored data
    has the key only when it drew one)."""
    session = registry().get(session_id)
    if session is not None:
        await session.log.flush()
    records = EventRecord.objects.filter(session_id=session_id, data__has_key="findings")
    return [_event(data) async for data in records.order_by("seq").values_list("data", flat=True)]


def _event(data: dict[str, Any]) -> TraceEvent:
    event = TraceEvent.from_dict(data)
    if event.kind is EventKind.MESSAGE:
        # The page names an error response by its code and message, read from the body.
        try:
            event.payload = json.loads(event.text)
        except ValueError:
            event.payload = None
    return event
