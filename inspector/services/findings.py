"""What the message checks found: on the events of a whole session, or on the answer to
one call a page made."""

from __future__ import annotations

from inspector.mcp.findings import Finding
from inspector.mcp.trace import TraceEvent
from inspector.services.events import stored_event
from inspector.services.runtime import event_store, registry
from inspector.sessions.calls import CallOutcome


async def flagged_event_list(*, session_id: str) -> list[TraceEvent]:
    """Every stored event of the session that carries a finding (the session's log is
    flushed first, so that what just arrived is counted)."""
    session = registry().get(session_id)
    if session is not None:
        await session.log.flush()
    return await event_store().load_flagged_events(session_id)


async def answer_findings(*, session_id: str, call: CallOutcome) -> list[Finding]:
    """The findings on the message that ended a call (its response), which the page shows
    as the call's result."""
    if call.response_seq is None:
        return []
    event = await stored_event(session_id, call.response_seq)
    return list(event.findings) if event is not None else []
