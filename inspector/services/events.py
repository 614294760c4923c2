"""A session's event log, read page by page: from this process while the session is
resident, else from the database."""

from __future__ import annotations

from inspector.mcp.trace import TraceEvent
from inspector.services.runtime import event_store, registry

PAGE_SIZE = 200
# Higher than any seq a session will reach: "before this" reads the newest events.
PAST_EVERY_SEQ = 2**62


class EventNotFound(Exception):
    pass


async def event_list_after(
    *, session_id: str, after_seq: int, limit: int = PAGE_SIZE
) -> list[TraceEvent]:
    """Events after `after_seq`, oldest first; what is pending is stored first, so that
    a reader never sees an event the store does not have."""
    session = registry().get(session_id)
    if session is not None:
        await session.log.flush()
        events = await session.log.after(after_seq, limit)
        return [
            event
            for event in events
            if event.seq is not None and event.seq <= session.log.saved_seq
        ]
    return await event_store().load_events(session_id, after_seq, limit)


async def event_list_tail(*, session_id: str, limit: int = PAGE_SIZE) -> list[TraceEvent]:
    """The newest stored events, oldest first."""
    session = registry().get(session_id)
    if session is not None:
        await session.log.flush()
        return await session.log.tail(limit)
    return await event_store().load_events_before(session_id, PAST_EVERY_SEQ, limit)


async def event_list_before(
    *, session_id: str, before_seq: int, limit: int = PAGE_SIZE
) -> list[TraceEvent]:
    return await event_store().load_events_before(session_id, before_seq, limit)


async def event_list_between(
    *, session_id: str, first_seq: int, before_seq: int
) -> list[TraceEvent]:
    """Every event from `first_seq` up to, not including, `before_seq`, oldest first."""
    return await event_list_after(
        session_id=session_id, after_seq=first_seq - 1, limit=max(0, before_seq - first_seq)
    )


async def event_answering(*, session_id: str, request_seq: int) -> TraceEvent | None:
    """The event that ended the request at `request_seq`, if it came within a page of it."""
    events = await event_list_after(session_id=session_id, after_seq=request_seq)
    return next((event for event in events if event.request_seq == request_seq), None)


async def event_get(*, session_id: str, seq: int) -> TraceEvent:
    event = await stored_event(session_id, seq)
    if event is None:
        raise EventNotFound(f"{session_id}#{seq}")
    return event


async def stored_event(session_id: str, seq: int) -> TraceEvent | None:
    """The event at `seq`, for the services that look one up on their way."""
    events = await event_list_after(session_id=session_id, after_seq=seq - 1, limit=1)
    return events[0] if events and events[0].seq == seq else None
