"""The session layer's `EventStore`, on the Django ORM."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from asgiref.sync import sync_to_async

from inspector.mcp.trace import EventKind, TraceEvent
from inspector.models import EventRecord, SessionRecord
from inspector.sessions.live import LiveSession

INSERT_BATCH = 1000


class DatabaseEventStore:
    async def save_events(self, session_id: str, events: Sequence[TraceEvent]) -> None:
        # Serialising thousands of events is real work: it happens in the database
        # thread with the insert, not on the event loop the sessions run on.
        await sync_to_async(_insert_events)(session_id, list(events))

    async def load_events(self, session_id: str, after_seq: int, limit: int) -> list[TraceEvent]:
        rows = EventRecord.objects.filter(session_id=session_id, seq__gt=after_seq).order_by("seq")
        return [_event(row.data) async for row in rows[:limit]]

    async def load_events_before(
        self, session_id: str, before_seq: int, limit: int
    ) -> list[TraceEvent]:
        rows = EventRecord.objects.filter(session_id=session_id, seq__lt=before_seq).order_by(
            "-seq"
        )
        events = [_event(row.data) async for row in rows[:limit]]
        events.reverse()
        return events

    async def save_session(self, session: LiveSession) -> None:
        server = session.server.to_dict() if session.server else None
        await SessionRecord.objects.aupdate_or_create(
            id=session.id,
            defaults={
                "owner_id": session.owner_id,
                "created_at": datetime.fromtimestamp(session.created_at, tz=UTC),
                "transport": session.spec.transport.value,
                "target": session.spec.target,
                "spec": session.spec.masked(),
                "status": session.status.value,
                "error": session.error.message if session.error else "",
                "error_layer": session.error.layer.value if session.error else "",
                "server": server,
            },
        )


def _insert_events(session_id: str, events: list[TraceEvent]) -> None:
    EventRecord.objects.bulk_create(
        [
            EventRecord(
                session_id=session_id,
                seq=_seq(event),
                timestamp=event.timestamp,
                kind=event.kind.value,
                direction=event.direction.value,
                method=(event.method or "")[:255],
                data=event.to_dict(),
            )
            for event in events
        ],
        batch_size=INSERT_BATCH,
    )


def _seq(event: TraceEvent) -> int:
    if event.seq is None:
        raise ValueError("Only events appended to a session's log can be stored.")
    return event.seq


def _event(data: dict[str, Any]) -> TraceEvent:
    event = TraceEvent.from_dict(data)
    if event.kind is EventKind.MESSAGE:
        try:
            event.payload = json.loads(event.text)
        except ValueError:
            event.payload = None
    return event
