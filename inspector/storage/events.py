"""The session layer's `EventStore`, and the session records, on the Django ORM.

Every query runs through Channels' `database_sync_to_async` (`storage.db.in_db_thread`),
which releases stale connections around each call: this code runs for views, but also
for the websocket consumer and the session pump, where no request ends to release them.
The batches of events are the exception (`storage.db.in_writer_thread`): on SQLite they
are written by one thread that keeps its connection.
"""

from __future__ import annotations

import functools
import json
import json.encoder as json_encoder
import re
import sqlite3
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import closing
from typing import Any

from django.db import connection, transaction

from inspector.mcp.trace import EventKind, MessageType, TraceEvent
from inspector.models import EventRecord, SessionRecord
from inspector.sessions.ports import ReadSeq, SessionDescription
from inspector.storage.db import in_db_thread, in_writer_thread


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
        await in_writer_thread(_insert_events)(session_id, list(events), reading)

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
    PostgreSQL takes them with one COPY (an `executemany` there costs a round trip per
    row), streamed as they are made (psycopg sends them a few dozen kB at a time), so
    that the server stores the first rows while the last are made. SQLite, in process,
    takes them in statements of many rows.
    """
    # The driver's own cursors are used below: their errors are raised as Django's, and
    # a failure that may have broken the connection is noted on it (`in_writer_thread`).
    if connection.vendor == "postgresql":
        with transaction.atomic(), connection.cursor() as cursor:
            with connection.wrap_database_errors, cursor.cursor.copy(_copy_sql()) as copy:
                for row in _rows_letting_the_loop_run(session_id, events):
                    copy.write_row(row)
            _note_reading(session_id, reading)
        return
    # Made before the transaction begins (SQLite's writers wait for its lock meanwhile),
    # in one go: a few milliseconds at most, and each statement then lets go of the lock.
    rows = [event_row(session_id, event) for event in events]
    with transaction.atomic():
        # Not Django's cursor: it would scan each statement of many rows to rewrite its
        # placeholders, which are already SQLite's.
        with connection.wrap_database_errors, closing(connection.connection.cursor()) as cursor:
            _insert_in_statements_of_many_rows(cursor, rows)
        _note_reading(session_id, reading)


def _rows_letting_the_loop_run(
    session_id: str, events: list[TraceEvent]
) -> Iterator[tuple[Any, ...]]:
    """`event_row` of each event, with Python's lock given up every few hundred rows.

    The session's event loop needs the lock for every message it reads. A thread that
    keeps it is made to give it up only after a switch interval (5 ms), and a COPY keeps
    it while it formats and sends rows: during a flood the loop stalled for that long,
    again and again, while a batch was streamed."""
    for index, event in enumerate(events, start=1):
        yield event_row(session_id, event)
        if index % ROWS_BETWEEN_PAUSES == 0:
            time.sleep(0)  # lets go of the lock, for a thread that waits for it


def _note_reading(session_id: str, reading: ReadSeq | None) -> None:
    read_seq = reading() if reading is not None else 0
    if read_seq:
        # Written out, not built by the ORM: built for every batch of a flood, the query
        # cost the storage thread more than the statement itself.
        with connection.cursor() as cursor:
            cursor.execute(_note_reading_sql(), [read_seq, session_id, read_seq])


def _note_reading_sql() -> str:
    quote = connection.ops.quote_name
    return (
        f"UPDATE {quote(SessionRecord._meta.db_table)} SET {quote('read_seq')} = %s "
        f"WHERE {quote('id')} = %s AND {quote('read_seq')} < %s"
    )


def _insert_in_statements_of_many_rows(cursor: sqlite3.Cursor, rows: list[tuple[Any, ...]]) -> None:
    """SQLite lets go of Python's lock while it runs a statement, and takes it back
    after. Row by row (`executemany`), taking it back after every row waited for the
    session's reader, busy with the flood, to let go: up to a switch interval (5 ms)
    per row, so the rows were stored only while reading was held. A statement of many
    rows runs beside the reader, and takes the lock back once."""
    most = cursor.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    per_statement = max(1, min(ROWS_PER_STATEMENT, most // len(EVENT_COLUMNS)))
    for start in range(0, len(rows), per_statement):
        chunk = rows[start : start + per_statement]
        cursor.execute(_sqlite_insert(len(chunk)), [value for row in chunk for value in row])


@functools.cache
def _sqlite_insert(rows: int) -> str:
    """An INSERT of `rows` rows of `EVENT_COLUMNS`, in SQLite's own placeholders (the
    DB-API cursor's, not Django's)."""
    columns = ", ".join(f'"{column}"' for column in EVENT_COLUMNS)
    values = f"({', '.join('?' * len(EVENT_COLUMNS))})"
    return (
        f'INSERT INTO "{EventRecord._meta.db_table}" ({columns}) '
        f"VALUES {', '.join([values] * rows)}"
    )


def event_row(session_id: str, event: TraceEvent) -> tuple[Any, ...]:
    """The values of `EVENT_COLUMNS` for an event. What every event has goes in columns
    of its own; the rest (`TraceEvent.annotations`) is `data`, as JSON text (a
    `JSONField`'s text on SQLite; read into jsonb by PostgreSQL)."""
    return _row(
        session_id,
        _seq(event),
        event.timestamp,
        event.kind._value_,
        event.direction._value_,
        event.text,
        event.annotations(),
    )


def stored_row(session_id: str, data: dict[str, Any]) -> tuple[Any, ...]:
    """`event_row` for an event in its `TraceEvent.to_dict` form (a file's line, checked)."""
    rest = {key: value for key, value in data.items() if key not in _COLUMN_KEYS}
    return _row(
        session_id,
        data["seq"],
        float(data["timestamp"]),
        data["kind"],
        data["direction"],
        data.get("text", ""),
        rest,
    )


def _row(
    session_id: str,
    seq: int,
    timestamp: float,
    kind: str,
    direction: str,
    text: str,
    rest: dict[str, Any],
) -> tuple[Any, ...]:
    text = _encodable(text)
    method = rest.pop("method", None)
    if method is not None:
        method = _encodable(method)
    if method is not None and not 0 < len(method) <= METHOD_COLUMN_LENGTH:
        rest["method"] = method  # kept whole where the column cannot hold it exactly
    return (
        session_id,
        seq,
        timestamp,
        kind,
        direction,
        (method or "")[:METHOD_COLUMN_LENGTH],
        text,
        _data_text(rest),
    )


def _data_text(rest: dict[str, Any]) -> str:
    if len(rest) == 1:
        kind = rest.get("message_type")
        if type(kind) is str and (known := _ONLY_A_MESSAGE_TYPE.get(kind)):
            return known
    return _dumps(rest)


def stored_event_line(row: Sequence[Any]) -> str:
    """`stored_event` as JSON text, from the values of `STORED_FIELDS` with `data` as the
    database's JSON text: written out around it, not parsed and encoded again.

    The keys of `data` come last, so that they win where a key is there twice (a row
    written before the text had its column: JSON readers keep the last).
    """
    seq, timestamp, kind, direction, method, text, data = row
    line = (
        f'{{"kind": {_string(kind)}, "direction": {_string(direction)}, '
        f'"text": {_string(text)}, "timestamp": {float(timestamp)!r}, "seq": {int(seq)}'
    )
    if method:
        line += f', "method": {_string(method)}'
    inner = data.strip()[1:-1].strip()
    return f"{line}, {inner}}}" if inner else f"{line}}}"


def _encodable(text: str) -> str:
    """`text` with any half of a surrogate pair (a JSON escape that Python decodes as it
    is) replaced: it has no UTF-8 form, and the database would refuse the whole batch,
    again at every retry."""
    if text.isascii():  # a flag of the string: ASCII text is not scanned
        return text
    return _LONE_SURROGATE.sub("\ufffd", text)


def stored_event(row: Sequence[Any]) -> dict[str, Any]:
    """A stored event as `TraceEvent.to_dict` gave it, from the values of `STORED_FIELDS`.

    `data` is applied last: a row written before the text had its column held the whole
    event there, and still reads the same.
    """
    seq, timestamp, kind, direction, method, text, data = row
    event = {"kind": kind, "direction": direction, "text": text, "timestamp": timestamp, "seq": seq}
    if method:
        event["method"] = method
    event.update(data)
    return event


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
# `data` of most messages in a flood (notifications, whose method has its column), made
# once: encoding even this small dict cost as much again as the rest of a row.
_ONLY_A_MESSAGE_TYPE = {kind.value: _dumps({"message_type": kind.value}) for kind in MessageType}
_string: Callable[[str], str] = json_encoder.encode_basestring_ascii

EVENT_COLUMNS = ("session_id", "seq", "timestamp", "kind", "direction", "method", "text", "data")
# What a stored event is read back from (`stored_event`).
STORED_FIELDS = ("seq", "timestamp", "kind", "direction", "method", "text", "data")
# The keys of `TraceEvent.to_dict` that are columns of their own.
_COLUMN_KEYS = frozenset({"kind", "direction", "text", "timestamp", "seq"})
METHOD_COLUMN_LENGTH = 255  # `EventRecord.method`'s max_length
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
# At most; fewer where SQLite was built to take fewer values a statement (999 before 3.32).
ROWS_PER_STATEMENT = 500
# About a millisecond of rows made and sent: the longest a COPY keeps the event loop
# waiting for Python's lock.
ROWS_BETWEEN_PAUSES = 500


def insert_sql() -> str:
    """An INSERT of one row of `EVENT_COLUMNS` (`event_row`, `stored_row`)."""
    quote = connection.ops.quote_name
    # PostgreSQL is told that the text of `data` is JSON; SQLite stores it as it is.
    data = "%s::jsonb" if connection.vendor == "postgresql" else "%s"
    return (
        f"INSERT INTO {quote(EventRecord._meta.db_table)} "
        f"({', '.join(quote(column) for column in EVENT_COLUMNS)}) "
        f"VALUES ({', '.join(['%s'] * (len(EVENT_COLUMNS) - 1))}, {data})"
    )


def _copy_sql() -> str:
    quote = connection.ops.quote_name
    return (
        f"COPY {quote(EventRecord._meta.db_table)} "
        f"({', '.join(quote(column) for column in EVENT_COLUMNS)}) FROM STDIN"
    )


def _load_after(session_id: str, after_seq: int, limit: int) -> list[TraceEvent]:
    rows = EventRecord.objects.filter(session_id=session_id, seq__gt=after_seq).order_by("seq")
    return [_event(row) for row in rows.values_list(*STORED_FIELDS)[:limit]]


def _load_before(session_id: str, before_seq: int, limit: int) -> list[TraceEvent]:
    rows = EventRecord.objects.filter(session_id=session_id, seq__lt=before_seq).order_by("-seq")
    events = [_event(row) for row in rows.values_list(*STORED_FIELDS)[:limit]]
    events.reverse()
    return events


def _load_flagged(session_id: str) -> list[TraceEvent]:
    rows = EventRecord.objects.filter(session_id=session_id, data__has_key="findings")
    return [_event(row) for row in rows.order_by("seq").values_list(*STORED_FIELDS)]


def _seq(event: TraceEvent) -> int:
    if event.seq is None:
        raise ValueError("Only events appended to a session's log can be stored.")
    return event.seq


def _event(row: Sequence[Any]) -> TraceEvent:
    event = TraceEvent.from_dict(stored_event(row))
    if event.kind is EventKind.MESSAGE:
        try:
            event.payload = json.loads(event.text)
        except ValueError:
            event.payload = None
    return event
