"""Session hosts' leases in PostgreSQL, and commands to a host over Redis: a host whose
lease ran out is swept and its sessions read as ended by it; new sessions go to the least
busy live host; a 10 MB answer comes back whole; a host that does not answer is named."""

from __future__ import annotations

import asyncio
import socket
from datetime import timedelta

import pytest
from django.utils import timezone

from inspector.mcp.trace import EventKind, MessageType, local_event
from inspector.models import SessionHost, SessionRecord
from inspector.services import session_get
from inspector.services.hosting import (
    PART_BYTES,
    HostDidNotAnswer,
    send_command,
    serve_commands,
    start_host,
)
from inspector.services.runtime import registry
from inspector.sessions.session import LiveSession
from inspector.sessions.status import SessionStatus
from inspector.storage import session_hosts
from inspector.storage.db import in_db_thread
from inspector.storage.events import DatabaseEventStore
from tests.conftest import fixture_spec

pytestmark = [pytest.mark.hosted, pytest.mark.django_db(transaction=True)]

LEASE = 10.0


async def recorded_session(store: DatabaseEventStore, *, status: SessionStatus) -> str:
    session = LiveSession(fixture_spec("everything_py"), store=store)
    session.status = status
    await store.save_session(session.describe())
    return session.id


@in_db_thread
def age(host_id: str, seconds: float) -> None:
    SessionHost.objects.filter(id=host_id).update(
        heartbeat_at=timezone.now() - timedelta(seconds=seconds)
    )


@in_db_thread
def stopped_at(host_id: str) -> object:
    return SessionHost.objects.get(id=host_id).stopped_at


async def test_a_host_whose_lease_ran_out_is_swept_and_its_sessions_read_as_ended_by_it() -> None:
    store = DatabaseEventStore()
    alive = await session_hosts.register_host("alive", "sessionhost.alive")
    dead = await session_hosts.register_host("dead", "sessionhost.dead")
    session_id = await recorded_session(store, status=SessionStatus.CONNECTED)
    await session_hosts.assign_host(session_id, dead.id)
    event = local_event(EventKind.STDERR, "stored before the crash")
    event.seq = 1
    await store.save_events(session_id, [event])

    assert await session_hosts.live_holder(session_id, LEASE) is not None
    await age(dead.id, LEASE + 1)
    assert await session_hosts.sweep_hosts(LEASE) == [dead.id]
    assert await stopped_at(dead.id) is not None
    assert await stopped_at(alive.id) is None
    assert await session_hosts.sweep_hosts(LEASE) == []

    assert await session_hosts.live_holder(session_id, LEASE) is None
    snapshot = await session_get(session_id=session_id)
    assert snapshot.host_stopped
    assert snapshot.status is SessionStatus.DISCONNECTED
    assert snapshot.last_seq == 1


async def test_asking_about_a_session_of_a_host_past_its_lease_marks_the_host_stopped() -> None:
    store = DatabaseEventStore()
    host = await session_hosts.register_host("silent", "sessionhost.silent")
    session_id = await recorded_session(store, status=SessionStatus.CONNECTED)
    await session_hosts.assign_host(session_id, host.id)
    await age(host.id, LEASE + 1)
    assert await session_hosts.live_holder(session_id, LEASE) is None
    assert await stopped_at(host.id) is not None


async def test_a_new_session_goes_to_the_live_host_holding_the_fewest() -> None:
    store = DatabaseEventStore()
    busy = await session_hosts.register_host("busy", "sessionhost.busy")
    idle = await session_hosts.register_host("idle", "sessionhost.idle")
    for _ in range(2):
        session_id = await recorded_session(store, status=SessionStatus.CONNECTED)
        await session_hosts.assign_host(session_id, busy.id)
    ended = await recorded_session(store, status=SessionStatus.DISCONNECTED)
    await session_hosts.assign_host(ended, idle.id)
    chosen = await session_hosts.least_busy_host(LEASE)
    assert chosen is not None
    assert chosen.id == idle.id
    await age(idle.id, LEASE + 1)
    chosen = await session_hosts.least_busy_host(LEASE)
    assert chosen is not None
    assert chosen.id == busy.id


async def test_a_ten_megabyte_answer_comes_back_whole_in_parts() -> None:
    store = DatabaseEventStore()
    session_id = await recorded_session(store, status=SessionStatus.DISCONNECTED)
    huge = local_event(EventKind.STDERR, "x" * (10 * 1024 * 1024))
    huge.seq = 1
    await store.save_events(session_id, [huge])
    host = await start_host("in-process")
    serving = asyncio.create_task(serve_commands(host))
    try:
        event = await send_command(
            host.record, "event_get", {"session_id": session_id, "seq": 1}, timeout=60
        )
    finally:
        serving.cancel()
    assert event.seq == 1
    assert event.text == huge.text
    assert len(huge.text) >= 40 * PART_BYTES  # forty parts at least


async def test_a_host_that_does_not_answer_is_named() -> None:
    host = await start_host("asleep")  # its loop is never started
    with pytest.raises(HostDidNotAnswer) as refused:
        await send_command(host.record, "session_get", {"session_id": "abc"}, timeout=0.5)
    assert str(refused.value) == (
        f"The session host 'asleep' (pid {host.record.pid} on {socket.gethostname()}) "
        "did not answer within 0.5 s (session get)."
    )


async def test_a_command_that_is_not_a_service_is_refused_by_the_host() -> None:
    host = await start_host("strict")
    serving = asyncio.create_task(serve_commands(host))
    try:
        with pytest.raises(Exception, match="no such command"):
            await send_command(host.record, "session_close_all", {}, timeout=10)
    finally:
        serving.cancel()
    assert not await in_db_thread(SessionRecord.objects.exists)()


async def test_a_session_taken_up_after_its_host_stopped_keeps_its_secrets_and_starts_once() -> (
    None
):
    stopping, left, right = [await start_host(name) for name in ("stopping", "left", "right")]
    serving = [asyncio.create_task(serve_commands(host)) for host in (stopping, left, right)]
    spec = fixture_spec("everything_py", env={"API_KEY": "s3cret-value"})
    try:
        snapshot = await send_command(
            stopping.record, "session_connect", {"spec": spec}, timeout=30
        )
        try:
            assert snapshot.status is SessionStatus.CONNECTED, snapshot.error
            record = await in_db_thread(SessionRecord.objects.get)(id=snapshot.id)
            assert record.spec["env"]["API_KEY"] != "s3cret-value"  # masked where it is shown
            assert "s3cret-value" not in record.sealed_spec  # and encrypted where it is kept

            # Its host stops: the lease runs out and the session leaves its memory.
            await registry().remove(snapshot.id)
            await age(stopping.record.id, LEASE + 1)
            assert await session_hosts.sweep_hosts(LEASE) == [stopping.record.id]

            # Reconnect pressed in two tabs at once, the commands landing on two hosts.
            answers = await asyncio.gather(
                *(
                    send_command(
                        host.record, "session_reconnect", {"session_id": snapshot.id}, timeout=30
                    )
                    for host in (left, right)
                )
            )
            assert {answer.id for answer in answers} == {snapshot.id}
            revived = registry().get(snapshot.id)
            assert revived is not None
            assert revived.status is SessionStatus.CONNECTED
            assert revived.spec.env == {"API_KEY": "s3cret-value"}
            holder = await session_hosts.host_of(snapshot.id)
            assert holder is not None
            assert holder.id in (left.record.id, right.record.id)
        finally:
            await registry().remove(snapshot.id)
    finally:
        for task in serving:
            task.cancel()
    events = await DatabaseEventStore().load_events(snapshot.id, after_seq=0, limit=10_000)
    handshakes = [
        event
        for event in events
        if event.method == "initialize" and event.message_type is MessageType.REQUEST
    ]
    assert len(handshakes) == 2, "the session was started more than once"


async def test_a_session_is_claimed_only_from_a_stopped_host_or_by_its_own() -> None:
    store = DatabaseEventStore()
    stopped = await session_hosts.register_host("stopped", "sessionhost.stopped")
    first = await session_hosts.register_host("first", "sessionhost.first")
    second = await session_hosts.register_host("second", "sessionhost.second")
    session_id = await recorded_session(store, status=SessionStatus.CONNECTED)
    await session_hosts.assign_host(session_id, stopped.id)
    await session_hosts.stop_host(stopped.id)

    assert await session_hosts.claim_session(session_id, stopped.id, first.id)
    # Another host read the record before or after: either way it does not take it.
    assert not await session_hosts.claim_session(session_id, stopped.id, second.id)
    assert not await session_hosts.claim_session(session_id, first.id, second.id)
    # The host holding it may take it up again itself (it had let it go from memory).
    assert await session_hosts.claim_session(session_id, first.id, first.id)
    holder = await session_hosts.host_of(session_id)
    assert holder is not None
    assert holder.id == first.id


async def test_a_later_save_by_a_host_taken_for_dead_does_not_take_its_session_back() -> None:
    store = DatabaseEventStore()
    old = await session_hosts.register_host("old", "sessionhost.old")
    new = await session_hosts.register_host("new", "sessionhost.new")
    store.held_by = old.id
    session = LiveSession(fixture_spec("everything_py"), store=store)
    await store.save_session(session.describe())  # made on the old host: held by it
    holder = await session_hosts.host_of(session.id)
    assert holder is not None
    assert holder.id == old.id
    await session_hosts.stop_host(old.id)
    assert await session_hosts.claim_session(session.id, old.id, new.id)
    session.status = SessionStatus.DISCONNECTED
    await store.save_session(session.describe())  # the old host, closing what it held
    holder = await session_hosts.host_of(session.id)
    assert holder is not None
    assert holder.id == new.id
