"""The event log: strictly increasing seq, bounded memory, nothing lost."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Sequence

import pytest

from inspector.mcp.trace import EventKind, TraceEvent, local_event
from inspector.sessions.log import EventLog
from inspector.sessions.ports import ReadSeq
from tests.sessions.memory_store import MemoryStore


def fill(log: EventLog, count: int, size: int = 10) -> None:
    for index in range(count):
        log.append(local_event(EventKind.STDERR, f"{index:0{size}d}"))


async def test_seq_is_strictly_increasing_from_one() -> None:
    log = EventLog("s")
    fill(log, 5)
    assert [event.seq for event in await log.after(0)] == [1, 2, 3, 4, 5]
    assert log.last_seq == 5


async def test_unsaved_events_never_leave_memory() -> None:
    log = EventLog("s", MemoryStore(), max_events=10)
    fill(log, 50)
    assert log.window_start() == 1, "nothing is stored yet, so nothing may be evicted"
    await log.flush()
    assert log.window_start() == 41
    assert log.saved_seq == 50


async def test_memory_is_bounded_by_bytes_too() -> None:
    log = EventLog("s", MemoryStore(), max_events=10_000, max_bytes=50_000)
    fill(log, 200, size=1000)
    await log.flush()
    kept = log.last_seq - log.window_start() + 1
    assert 0 < kept < 200


async def test_reading_spans_store_and_memory_without_gaps() -> None:
    store = MemoryStore()
    log = EventLog("s", store, max_events=10)
    fill(log, 30)
    await log.flush()
    fill(log, 5)  # 31..35 are in memory only
    events = await log.after(3, limit=100)
    assert [event.seq for event in events] == list(range(4, 36))


async def test_a_failed_flush_keeps_the_batch_for_the_next_one() -> None:
    store = MemoryStore()
    store.failures_left = 1
    log = EventLog("s", store)
    fill(log, 3)
    with pytest.raises(OSError, match="disk full"):
        await log.flush()
    fill(log, 2)
    assert await log.flush() == 5
    assert [event.seq for event in store.events["s"]] == [1, 2, 3, 4, 5]


async def test_tail_returns_the_newest_events_in_order() -> None:
    log = EventLog("s")
    fill(log, 20)
    assert [event.seq for event in await log.tail(3)] == [18, 19, 20]


class EvictingStore(MemoryStore):
    """A store whose reads are slow enough for a flush (and eviction) to happen meanwhile."""

    def __init__(self) -> None:
        super().__init__()
        self.during_read: EventLog | None = None

    async def load_events(self, session_id: str, after_seq: int, limit: int) -> list[TraceEvent]:
        page = await super().load_events(session_id, after_seq, limit)
        log, self.during_read = self.during_read, None
        if log is not None:
            fill(log, 30)
            await log.flush()
        return page


async def test_reading_has_no_gap_when_eviction_happens_during_a_store_read() -> None:
    store = EvictingStore()
    log = EventLog("s", store, max_events=10)
    fill(log, 30)
    await log.flush()
    store.during_read = log
    events = await log.after(5, limit=1000)
    assert [event.seq for event in events] == list(range(6, 61))


class ThreadedStore(MemoryStore):
    """Writes in a thread, as the database store does: cancelling the coroutine that awaits
    a write does not stop it, and writing an event twice fails, as the unique seq does."""

    def __init__(self) -> None:
        super().__init__()
        self.started = threading.Event()
        self.release = threading.Event()

    async def save_events(
        self, session_id: str, events: Sequence[TraceEvent], *, reading: ReadSeq | None = None
    ) -> None:
        await asyncio.to_thread(self._write, session_id, list(events))

    def _write(self, session_id: str, events: list[TraceEvent]) -> None:
        self.started.set()
        self.release.wait(10)
        stored = self.events.setdefault(session_id, [])
        if {event.seq for event in stored} & {event.seq for event in events}:
            raise ValueError("duplicate key value violates unique constraint")
        stored.extend(events)


async def test_a_cancelled_flush_finishes_its_write_and_the_next_one_never_repeats_it() -> None:
    store = ThreadedStore()
    log = EventLog("s", store)
    fill(log, 3)
    first = asyncio.create_task(log.flush())
    assert await asyncio.to_thread(store.started.wait, 10)
    first.cancel()  # as `close` cancels the pump, or Django a view whose page went away
    with pytest.raises(asyncio.CancelledError):
        await first
    fill(log, 2)
    second = asyncio.create_task(log.flush())
    await asyncio.sleep(0.05)
    store.release.set()
    await second
    assert [event.seq for event in store.events["s"]] == [1, 2, 3, 4, 5]
    assert log.saved_seq == 5
    assert log.unsaved_count == 0
