"""The hosted stack for real: events stored in PostgreSQL, notices carried by Redis.

These run (never skip) in the second pass of `scripts/test`, which points DATABASE_URL
and REDIS_URL at the machine's PostgreSQL and Redis; the web tests run again there too.
"""

from __future__ import annotations

import asyncio

import pytest
from channels.layers import get_channel_layer
from channels_redis.core import RedisChannelLayer
from django.db import connection

from inspector.broadcast import announce_events, session_group
from inspector.mcp.trace import EventKind, local_event
from inspector.sessions.session import LiveSession
from inspector.storage.events import DatabaseEventStore
from tests.conftest import fixture_spec

pytestmark = [pytest.mark.hosted, pytest.mark.django_db(transaction=True)]


def test_runs_on_postgresql_and_redis() -> None:
    assert connection.vendor == "postgresql"
    assert type(get_channel_layer()).__name__ == "RedisChannelLayer"


async def test_events_round_trip_through_postgresql() -> None:
    store = DatabaseEventStore()
    session = LiveSession(fixture_spec("everything_py"), store=store)
    await store.save_session(session.describe())
    events = [local_event(EventKind.STDERR, f"line {n} ✓") for n in range(1, 4)]
    for seq, event in enumerate(events, start=1):
        event.seq = seq
    await store.save_events(session.id, events)
    loaded = await store.load_events(session.id, 1, 10)
    assert [(event.seq, event.text) for event in loaded] == [(2, "line 2 ✓"), (3, "line 3 ✓")]


async def test_notices_cross_processes_through_redis() -> None:
    layer = get_channel_layer()
    assert layer is not None
    channel = await layer.new_channel()
    await layer.group_add(session_group("abc"), channel)
    await announce_events("abc", 42)
    assert await layer.receive(channel) == {"type": "session.events", "last_seq": 42}
    await layer.group_discard(session_group("abc"), channel)


async def test_a_page_that_waits_longer_than_one_blocking_pop_still_hears() -> None:
    """A consumer waits in Redis' blocking pop, which answers "nothing" every few seconds;
    the client must not give up on that answer (redis-py 8 did, after 5 s by default)."""
    layer = get_channel_layer()
    assert isinstance(layer, RedisChannelLayer)
    channel = await layer.new_channel()
    await layer.group_add(session_group("idle"), channel)
    waiting = asyncio.create_task(layer.receive(channel))
    await asyncio.sleep(layer.brpop_timeout + 1)
    await announce_events("idle", 7)
    assert await asyncio.wait_for(waiting, 10) == {"type": "session.events", "last_seq": 7}
    await layer.group_discard(session_group("idle"), channel)
