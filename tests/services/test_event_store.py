"""The event store keeps every event as it was recorded: what each kind of event carries
comes back from the database the same, from the rows stored today and from those an
older inspector stored (its whole event in `data`), through the page, the export and
the findings."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from django.db import IntegrityError, connection
from django.db.migrations.executor import MigrationExecutor

from inspector.mcp.findings import Finding
from inspector.mcp.trace import Direction, EventKind, MessageType, TraceEvent, local_event
from inspector.models import EventRecord, SessionRecord
from inspector.storage.archive import stored_event_lines
from inspector.storage.db import in_writer_thread
from inspector.storage.events import DatabaseEventStore

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE_TEXT_COLUMN = [("inspector", "0021_report_host")]


def varied_events() -> list[TraceEvent]:
    """One of each shape a session records, numbered as its log numbers them."""
    request = TraceEvent(
        EventKind.MESSAGE,
        Direction.OUT,
        text='{"jsonrpc": "2.0", "id": 7, "method": "tools/call", "params": {"name": "é"}}',
        message_type=MessageType.REQUEST,
        method="tools/call",
        message_id=7,
    )
    answer = TraceEvent(
        EventKind.MESSAGE,
        Direction.IN,
        text='{"jsonrpc": "2.0", "id": 7, "result": {"content": []}}',
        message_type=MessageType.RESULT,
        message_id=7,
        request_seq=1,
        duration_ms=12.5,
        findings=[Finding("tools.result-shape", "A finding a rule wrote.", "$.result")],
    )
    log = TraceEvent(  # what a flood is made of: all but its type has a column
        EventKind.MESSAGE,
        Direction.IN,
        text='{"jsonrpc": "2.0", "method": "notifications/message", "params": {}}',
        message_type=MessageType.NOTIFICATION,
        method="notifications/message",
    )
    long_method = "x/" + "y" * 300
    unusual = [
        # A method the column cannot hold whole, and an empty one (not the same as none).
        TraceEvent(
            EventKind.MESSAGE,
            Direction.IN,
            text=json.dumps({"jsonrpc": "2.0", "method": long_method}),
            message_type=MessageType.NOTIFICATION,
            method=long_method,
        ),
        TraceEvent(
            EventKind.MESSAGE,
            Direction.IN,
            text='{"jsonrpc": "2.0", "method": ""}',
            message_type=MessageType.NOTIFICATION,
            method="",
        ),
        TraceEvent(
            EventKind.MESSAGE, Direction.IN, text="{not json", message_type=MessageType.INVALID
        ),
    ]
    events = [
        request,
        answer,
        log,
        *unusual,
        TraceEvent(EventKind.STDERR, Direction.IN, text="warning: \t tabs\\ and \\n slashes"),
        local_event(EventKind.LIFECYCLE, "Connected", status="connected", era={"nested": [1]}),
    ]
    for seq, event in enumerate(events, start=1):
        event.seq = seq
        # Exact in 15 digits, which is all a downgrade keeps of a time (SQLite's JSON).
        event.timestamp = 1_790_000_000.25 + seq
    return events


def new_session(model: Any = SessionRecord) -> str:
    """A closed session's record, made with `model` (a migration's historical one too)."""
    session_id = uuid.uuid4().hex
    model.objects.create(
        id=session_id,
        created_at=datetime.now(UTC),
        transport="stdio",
        target="python -m server",
        spec={},
        status="closed",
    )
    return session_id


def writer_connection_open() -> bool:
    """Run by the event writer: whether it has a connection open already."""
    return connection.connection is not None


async def exported(session_id: str) -> list[dict[str, Any]]:
    return [json.loads(line) async for line in stored_event_lines(session_id, 10**6)]


async def test_every_kind_of_event_reads_back_as_it_was_stored() -> None:
    events = varied_events()
    session_id = await sync_to_async(new_session)()
    store = DatabaseEventStore()
    await store.save_events(session_id, events)

    loaded = await store.load_events(session_id, 0, 100)
    assert [event.to_dict() for event in loaded] == [event.to_dict() for event in events]
    assert loaded[0].payload == {
        "jsonrpc": "2.0",
        "id": 7,
        "method": "tools/call",
        "params": {"name": "é"},
    }
    assert loaded[2].method == "notifications/message"
    assert loaded[3].method == "x/" + "y" * 300
    assert loaded[4].method == ""
    assert loaded[6].method is None
    assert await exported(session_id) == [event.to_dict() for event in events]
    flagged = await store.load_flagged_events(session_id)
    assert [event.seq for event in flagged] == [2]
    newest_first = await store.load_events_before(session_id, 8, 2)
    assert [event.seq for event in newest_first] == [6, 7]


async def test_each_batch_records_how_far_reading_had_gone_and_never_goes_back() -> None:
    """What a crash would lose is counted from it: the events read, beyond those stored."""
    session_id = await sync_to_async(new_session)()
    store = DatabaseEventStore()
    first, second = varied_events()[:2]
    await store.save_events(session_id, [first], reading=lambda: 40)
    await store.save_events(session_id, [second], reading=lambda: 30)  # an older look
    record = await SessionRecord.objects.aget(id=session_id)
    assert record.read_seq == 40


def test_events_an_older_inspector_stored_read_the_same_after_the_upgrade() -> None:
    events = varied_events()
    executor = MigrationExecutor(connection)
    after = executor.loader.graph.leaf_nodes("inspector")
    executor.migrate(BEFORE_TEXT_COLUMN)
    old = executor.loader.project_state(BEFORE_TEXT_COLUMN).apps
    session_id = new_session(old.get_model("inspector", "SessionRecord"))
    old.get_model("inspector", "EventRecord").objects.bulk_create(
        old.get_model("inspector", "EventRecord")(
            session_id=session_id,
            seq=event.seq,
            timestamp=event.timestamp,
            kind=event.kind.value,
            direction=event.direction.value,
            method=(event.method or "")[:255],
            data=event.to_dict(),  # the whole event, as the inspector stored it then
        )
        for event in events
    )

    MigrationExecutor(connection).migrate(after)
    rows = EventRecord.objects.filter(session_id=session_id).order_by("seq")
    assert [row.text for row in rows] == [event.text for event in events]
    assert all("text" not in row.data for row in rows), "the text moved to its column"
    store = DatabaseEventStore()
    loaded = async_to_sync(store.load_events)(session_id, 0, 100)
    assert [event.to_dict() for event in loaded] == [event.to_dict() for event in events]

    # And back: an inspector downgraded again finds its rows as it wrote them, and the
    # rows stored since in the new shape as well (the method only its column held too).
    since = new_session()
    async_to_sync(store.save_events)(since, events)
    EventRecord.objects.create(  # a row whose session went: the old key would refuse it
        session_id="gone", seq=1, timestamp=0.0, kind="stderr", direction="in", data={}
    )
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE_TEXT_COLUMN)
    old = executor.loader.project_state(BEFORE_TEXT_COLUMN).apps
    rows = old.get_model("inspector", "EventRecord").objects
    for each in (session_id, since):
        stored = rows.filter(session_id=each).order_by("seq")
        assert [row.data for row in stored] == [event.to_dict() for event in events]
    assert not rows.filter(session_id="gone").exists()
    MigrationExecutor(connection).migrate(after)


async def test_half_a_surrogate_pair_is_stored_as_a_replacement_not_refused_forever() -> None:
    """A server (or an App's View) can send a lone surrogate escape, which Python decodes
    as it is: it has no UTF-8 form, and would have kept the whole batch out for good."""
    session_id = await sync_to_async(new_session)()
    events = [
        TraceEvent(EventKind.STDERR, Direction.IN, text="half a pair: \ud800 here"),
        TraceEvent(EventKind.STDERR, Direction.IN, text="the next line"),
    ]
    for seq, event in enumerate(events, start=1):
        event.seq = seq
    store = DatabaseEventStore()
    await store.save_events(session_id, events)
    loaded = await store.load_events(session_id, 0, 10)
    assert [event.text for event in loaded] == ["half a pair: \ufffd here", "the next line"]


async def test_a_batch_larger_than_one_statement_is_stored_whole_and_in_order() -> None:
    session_id = await sync_to_async(new_session)()
    events = [local_event(EventKind.STDERR, f"line {seq}") for seq in range(1, 1202)]
    for seq, event in enumerate(events, start=1):
        event.seq = seq
    store = DatabaseEventStore()
    await store.save_events(session_id, events)
    loaded = await store.load_events(session_id, 0, 2000)
    assert [(event.seq, event.text) for event in loaded] == [
        (seq, f"line {seq}") for seq in range(1, 1202)
    ]


async def test_a_refused_batch_spoils_none_and_sqlite_keeps_its_writer_connection() -> None:
    """Opening SQLite again for every batch cost a flood more than its rows: its writer
    keeps its connection (PostgreSQL's come from a pool), and a batch the database
    refuses leaves it fit for the next."""
    session_id = await sync_to_async(new_session)()
    store = DatabaseEventStore()
    first, second, third = varied_events()[:3]
    await store.save_events(session_id, [first, second])
    with pytest.raises(IntegrityError):
        await store.save_events(session_id, [second])  # its seq is taken
    await store.save_events(session_id, [third])
    assert await in_writer_thread(writer_connection_open)() == (connection.vendor == "sqlite")
    loaded = await store.load_events(session_id, 0, 10)
    assert [event.seq for event in loaded] == [1, 2, 3]


def test_a_writer_connection_left_inside_a_transaction_is_dropped() -> None:
    def left_open() -> bool:
        connection.set_autocommit(False)  # as a write that failed half way might leave it
        return True

    assert async_to_sync(in_writer_thread(left_open))()
    assert not async_to_sync(in_writer_thread(writer_connection_open))()
