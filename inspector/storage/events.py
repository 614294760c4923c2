"""The session layer's `EventStore`, and the session records, on the Django ORM.

Every query runs through Channels' `database_sync_to_async`, which releases stale
connections around each call: this code runs for views, but also for the websocket
consumer and the session pump, where no request ends to release them.
"""

from __future__ import annotations

import json
import json.encoder as json_encoder
from collections.abc import Callable, Sequence
from typing import Any

from django.db import connection, transaction

from inspector.mcp.trace import EventKind, TraceEvent
from inspector.models import EventRecord, SessionRecord
from inspector.sessions.ports import ReadSeq, SessionDescription
from inspector.storage.db import in_db_thread


class DatabaseEventStore:
    # Set in a session-host process to its `SessionHost` id: every session first recorded
    # here is held by that host (those it connects, or runs a report card or a load test
    # in), and pages in web processes find it there.
    held_by: str | None = None

    async def save_events(
        self, session_id: str, events: Sequence[TraceEvent], *, reading: ReadSeq | None = None
    ) -> None:
        # Serialising thousands of events is real work: it happens in the database
        # thread with the insert, not on the event loop the sessions run on.
        await in_db_thread(_insert_events)(session_id, list(events), reading)

    async def load_events(self, session_id: str, after_seq: int, limit: int) -> list[TraceEvent]:
        return await in_db_thread(_load_after)(session_id, after_seq, limit)

    async def load_events_before(
        self, session_id: str, before_seq: int, limit: int
    ) -> list[TraceEvent]:
        return await in_db_thread(_load_before)(session_id, before_seq, limit)

    async def load_flagged_events(self, session_id: str) -> list[TraceEvent]:
        """Every stored event of the session that drew a finding. Only those are read: a
        long session with few findings costs no more than its findings (an event's stored
        data has the key only when it drew one)."""
        return await in_db_thread(_load_flagged)(session_id)

    async def save_session(self, description: SessionDescription) -> None:
        await in_db_thread(_save_session)(
            description.id, _session_fields(description), self.held_by
        )

    async def load_session(self, session_id: str) -> tuple[SessionRecord, int] | None:
        """The record of a session and the seq of its last stored event."""
        return await in_db_thread(_load_session)(session_id)

    async def list_sessions(
        self, exclude: Sequence[str], owner_id: int | None, limit: int
    ) -> list[SessionRecord]:
        return await in_db_thread(_list_sessions)(list(exclude), owner_id, limit)


def _session_fields(description: SessionDescription) -> dict[str, Any]:
    return {
        "owner_id": description.owner_id,
        "created_at": description.created_at,
        "transport": description.transport.value,
        "target": description.target,
        "spec": description.spec,
        "status": description.status.value,
        "error": description.error,
        "error_layer": description.error_layer,
        "server": description.server,
    }


def _save_session(session_id: str, fields: dict[str, Any], held_by: str | None) -> None:
    # The host is written when the record is made, never after: a session moves to
    # another host only by its claim (`storage.session_hosts`), which a late save by a
    # host taken for dead must not undo.
    SessionRecord.objects.update_or_create(
        id=session_id,
        defaults=fields,
        create_defaults=fields if held_by is None else {**fields, "host_id": held_by},
    )


def _load_session(session_id: str) -> tuple[SessionRecord, int] | None:
    record = SessionRecord.objects.filter(id=session_id).first()
    if record is None:
        return None
    last = record.events.order_by("-seq").values_list("seq", flat=True).first()
    return record, last or 0


def _list_sessions(exclude: list[str], owner_id: int | None, limit: int) -> list[SessionRecord]:
    records = SessionRecord.objects.filter(owner_id=owner_id).exclude(id__in=exclude)
    return list(records.order_by("-created_at")[:limit])


def _insert_events(session_id: str, events: list[TraceEvent], reading: ReadSeq | None) -> None:
    """One transaction per batch: the rows, and how far the session had read as it was
    committed (asked last: the session reads on while the rows are written).

    Raw rows rather than `bulk_create`: during a flood, building a model instance per
    row and letting the ORM prepare each field cost more than the database's own work.
    The rows are what `bulk_create` would write: `data` is the event's dict as JSON text
    (a `JSONField`'s text on SQLite; read into jsonb by PostgreSQL). PostgreSQL takes them
    with one COPY (an `executemany` there costs a round trip per row); SQLite, in
    process, with one `executemany`.
    """
    dumps = _dumps
    rows = [
        (
            session_id,
            _seq(event),
            event.timestamp,
            event.kind._value_,
            event.direction._value_,
            (event.method or "")[:255],
            dumps(event.to_dict()),
        )
        for event in events
    ]
    with transaction.atomic():
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(_copy_sql()) as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                cursor.executemany(_insert_sql(), rows)
        read_seq = reading() if reading is not None else 0
        if read_seq:
            SessionRecord.objects.filter(id=session_id, read_seq__lt=read_seq).update(
                read_seq=read_seq
            )


def _encoder() -> Callable[[Any], str]:
    """`json.dumps` with its defaults, made once: `dumps` builds a new C encoder (and a
    Python function for floats) on every call, which costs more than encoding a small
    event. The circular-reference check is off: an event's dict is a tree (parsed
    JSON and plain values)."""
    # Not declared by typeshed: the C accelerator's factory, None without it.
    make: Any = getattr(json_encoder, "c_make_encoder", None)
    if make is None:  # no C accelerator: the plain function
        return json.dumps
    encode = make(
        None,
        json.JSONEncoder().default,
        json_encoder.encode_basestring_ascii,
        None,
        ": ",
        ", ",
        False,
        False,
        True,
    )
    return lambda value: "".join(encode(value, 0))


_dumps = _encoder()

EVENT_COLUMNS = ("session_id", "seq", "timestamp", "kind", "direction", "method", "data")


def _insert_sql() -> str:
    quote = connection.ops.quote_name
    return (
        f"INSERT INTO {quote(EventRecord._meta.db_table)} "
        f"({', '.join(quote(column) for column in EVENT_COLUMNS)}) "
        f"VALUES ({', '.join(['%s'] * len(EVENT_COLUMNS))})"
    )


def _copy_sql() -> str:
    quote = connection.ops.quote_name
    return (
        f"COPY {quote(EventRecord._meta.db_table)} "
        f"({', '.join(quote(column) for column in EVENT_COLUMNS)}) FROM STDIN"
    )


def _load_after(session_id: str, after_seq: int, limit: int) -> list[TraceEvent]:
    rows = EventRecord.objects.filter(session_id=session_id, seq__gt=after_seq).order_by("seq")
    return [_event(data) for data in rows.values_list("data", flat=True)[:limit]]


def _load_before(session_id: str, before_seq: int, limit: int) -> list[TraceEvent]:
    rows = EventRecord.objects.filter(session_id=session_id, seq__lt=before_seq).order_by("-seq")
    events = [_event(data) for data in rows.values_list("data", flat=True)[:limit]]
    events.reverse()
    return events


def _load_flagged(session_id: str) -> list[TraceEvent]:
    rows = EventRecord.objects.filter(session_id=session_id, data__has_key="findings")
    return [_event(data) for data in rows.order_by("seq").values_list("data", flat=True)]


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
