"""The retention rules: ended sessions older than the days go with their events, ended
sessions keep only their newest events up to the cap, and nothing live is touched; the
same rules from `python manage.py prune` and from the web process's periodic task."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import MutableMapping
from datetime import UTC, datetime, timedelta
from io import StringIO
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from django.core.management import CommandError, call_command
from django.utils import timezone

from inspector import services
from inspector.lifespan import PeriodicTasks
from inspector.models import EventRecord, SessionRecord
from inspector.storage import session_records
from tests.conftest import fixture_spec

pytestmark = pytest.mark.django_db(transaction=True)


def record(*, ended_days_ago: float, status: str = "closed", events: int = 5) -> str:
    """A stored session whose record last changed (it ended) that many days ago."""
    session_id = uuid.uuid4().hex
    SessionRecord.objects.create(
        id=session_id,
        created_at=datetime(2026, 1, 1, tzinfo=UTC),
        transport="stdio",
        target="python -m server",
        spec={},
        status=status,
    )
    add_events(session_id, events)
    ended(session_id, ended_days_ago)
    return session_id


def add_events(session_id: str, count: int, first: int = 1) -> None:
    EventRecord.objects.bulk_create(
        EventRecord(
            session_id=session_id, seq=seq, timestamp=0.0, kind="message", direction="in",
            data={"seq": seq},
        )
        for seq in range(first, first + count)
    )  # fmt: skip


def ended(session_id: str, days_ago: float) -> None:
    # `update` leaves `auto_now` alone: the record looks as if it ended back then.
    when = timezone.now() - timedelta(days=days_ago)
    SessionRecord.objects.filter(id=session_id).update(updated_at=when)


def seqs(session_id: str) -> list[int]:
    return list(
        EventRecord.objects.filter(session_id=session_id)
        .order_by("seq")
        .values_list("seq", flat=True)
    )


def exists(session_id: str) -> bool:
    return SessionRecord.objects.filter(id=session_id).exists()


def test_sessions_ended_before_the_days_go_with_their_events() -> None:
    old = record(ended_days_ago=31)
    failed_long_ago = record(ended_days_ago=400, status="failed")
    recent = record(ended_days_ago=29)
    # Recorded as connected: it may be live in another process; never deleted.
    connected = record(ended_days_ago=400, status="connected")

    pruned = asyncio.run(services.retention_apply(rules=services.RetentionRules(days=30)))

    assert pruned == services.Pruned(sessions=2, events=0)
    assert not exists(old)
    assert not exists(failed_long_ago)
    assert seqs(old) == []
    assert seqs(failed_long_ago) == []
    assert seqs(recent) == [1, 2, 3, 4, 5]
    assert seqs(connected) == [1, 2, 3, 4, 5]


def test_ended_sessions_keep_their_newest_events_up_to_the_cap() -> None:
    long = record(ended_days_ago=1, events=12)
    short = record(ended_days_ago=1, events=3)
    connected = record(ended_days_ago=1, status="connecting", events=12)

    rules = services.RetentionRules(max_events=4)
    pruned = asyncio.run(services.retention_apply(rules=rules))

    assert pruned == services.Pruned(sessions=0, events=8)
    assert seqs(long) == [9, 10, 11, 12]
    assert exists(long), "the session stays, with its newest events"
    assert seqs(short) == [1, 2, 3]
    assert seqs(connected) == list(range(1, 13))
    # A second round finds nothing more to do.
    assert asyncio.run(services.retention_apply(rules=rules)) == services.Pruned()


def test_a_cap_larger_than_a_batch_is_applied_in_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(session_records, "DELETE_BATCH", 7)
    long = record(ended_days_ago=1, events=50)
    pruned = asyncio.run(services.retention_apply(rules=services.RetentionRules(max_events=5)))
    assert pruned.events == 45
    assert seqs(long) == [46, 47, 48, 49, 50]
    gone = record(ended_days_ago=90, events=30)
    asyncio.run(services.retention_apply(rules=services.RetentionRules(days=1)))
    assert not exists(gone)
    assert seqs(gone) == []


def test_no_rule_set_keeps_everything() -> None:
    old = record(ended_days_ago=3000, events=20)
    assert asyncio.run(services.retention_apply(rules=services.RetentionRules())) == (
        services.Pruned()
    )
    assert seqs(old) == list(range(1, 21))


async def test_a_live_session_is_never_touched() -> None:
    live = await services.session_connect(spec=fixture_spec("everything_py"))
    session = services.runtime.registry().get(live.id)
    assert session is not None
    await sync_to_async(add_events)(live.id, 40, first=10_000)
    await sync_to_async(ended)(live.id, 400)

    rules = services.RetentionRules(days=1, max_events=2)
    assert await services.retention_apply(rules=rules) == services.Pruned()
    assert await sync_to_async(exists)(live.id)
    assert len(await sync_to_async(seqs)(live.id)) >= 40
    assert session.status.is_active


async def test_an_ended_session_this_process_holds_is_kept_as_it_may_reconnect() -> None:
    snapshot = await services.session_connect(spec=fixture_spec("everything_py"))
    await services.session_disconnect(session_id=snapshot.id)
    await sync_to_async(ended)(snapshot.id, 400)

    rules = services.RetentionRules(days=1, max_events=1)
    assert await services.retention_apply(rules=rules) == services.Pruned()
    assert await sync_to_async(exists)(snapshot.id)
    reconnected = await services.session_reconnect(session_id=snapshot.id)
    assert reconnected.connected


def test_the_prune_command_applies_the_settings_or_its_options(settings: Any) -> None:
    old = record(ended_days_ago=10)
    long = record(ended_days_ago=1, events=8)
    out = StringIO()
    call_command("prune", stdout=out)
    assert "Nothing to do" in out.getvalue()
    assert exists(old)

    settings.INSPECTOR_RETENTION_DAYS = 7
    settings.INSPECTOR_MAX_EVENTS_PER_SESSION = 6
    out = StringIO()
    call_command("prune", stdout=out)
    assert out.getvalue().strip() == "Deleted 1 ended sessions and 2 old events."
    assert not exists(old)
    assert seqs(long) == [3, 4, 5, 6, 7, 8]

    out = StringIO()
    call_command("prune", "--max-events", "1", "--days", "0", stdout=out)
    assert seqs(long) == [8]
    assert "and 5 old events" in out.getvalue()
    with pytest.raises(CommandError, match="0 or more"):
        call_command("prune", "--days", "-1")


async def test_the_web_process_prunes_from_start_up_until_shutdown(settings: Any) -> None:
    old = await sync_to_async(record)(ended_days_ago=10)
    settings.INSPECTOR_RETENTION_DAYS = 7
    settings.INSPECTOR_RETENTION_INTERVAL = 3600

    async def inner(scope: Any, receive: Any, send: Any) -> None:
        raise AssertionError("a lifespan message is the wrapper's own")

    app = PeriodicTasks(inner, services.RetentionTask.from_settings)
    messages: asyncio.Queue[MutableMapping[str, Any]] = asyncio.Queue()
    sent: asyncio.Queue[MutableMapping[str, Any]] = asyncio.Queue()
    server = asyncio.create_task(app({"type": "lifespan"}, messages.get, sent.put))

    await messages.put({"type": "lifespan.startup"})
    assert (await sent.get())["type"] == "lifespan.startup.complete"
    assert app.task is not None
    assert app.task.running
    task = app.task
    await task.round_done.wait()  # the first round runs at once
    assert task.runs == 1
    assert not await sync_to_async(exists)(old)

    await messages.put({"type": "lifespan.shutdown"})
    assert (await sent.get())["type"] == "lifespan.shutdown.complete"
    await server
    assert not task.running
    assert app.task is None
