"""What the message checks found: on the events of a whole session, or on the answer to
one call a page made."""

from __future__ import annotations

import json
from typing import Any

from inspector.mcp.findings import Finding
from inspector.mcp.trace import EventKind, TraceEvent
from inspector.models import EventRecord
from inspector.services.events import stored_event
from inspector.services.runtime import registry
from inspector.sessions.calls import CallOutcome


async def flagged_event_list(*, session_id: str) -> list[TraceEvent]:
    """Every stored event of the session that carries a finding. Only those are read: a
    long session with few findings costs no more than its findings (an event's stored data
    has the key only when it drew one)."""
    session = registry().get(session_id)
    if session is not None:
        await session.log.flush()
    records = EventRecord.objects.filter(session_id=session_id, data__has_key="findings")
    return [_event(data) async for data in records.order_by("seq").values_list("data", flat=True)]


async def answer_findings(*, session_id: str, call: CallOutcome) -> list[Finding]:
    """The findings on the message that ended a call (its response), which the page shows
    as the call's result."""
    if call.response_seq is None:
        return []
    event = await stored_event(session_id, call.response_seq)
    return list(event.findings) if event is not None else []


def _event(data: dict[str, Any]) -> TraceEvent:
    event = TraceEvent.from_dict(data)
    if event.kind is EventKind.MESSAGE:
        # The page names an error response by its code and message, read from the body.
        try:
            event.payload = json.loads(event.text)
        except ValueError:
            event.payload = None
    return event
