"""The flow gate between a session's reader and its store: reading waits while the unsaved
events near the window's bound, and goes on as soon as the store has made room."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from inspector.mcp.trace import EventKind, TraceEvent, local_event
from inspector.sessions.log import EventLog
from inspector.sessions.persistence import SessionPersistence
from inspector.sessions.ports import ReadSeq, SessionDescription
from tests.sessions.memory_store import MemoryStore


class GatedStore(MemoryStore):
    """Stores each batch only when the test lets it through, as a slow database would."""

    def __init__(self) -> None:
        super().__init__()
        self.waiting: asyncio.Queue[asyncio.Event] = asyncio.Queue()

    async def save_events(
        self, session_id: str, events: Sequence[TraceEvent], *, reading: ReadSeq | None = None
    ) -> None:
        let_through = asyncio.Event()
        await self.waiting.put(let_through)
        await let_through.wait()
        await super().save_events(session_id, events, reading=reading)


def undescribed() -> SessionDescription:
    raise AssertionError("the gate does not describe the session")


async def test_a_held_reader_goes_on_once_a_batch_is_stored_not_the_whole_backlog() -> None:
    store = GatedStore()
    log = EventLog("s", store, max_events=100)
    persistence = SessionPersistence(log, store, [], describe=undescribed)
    for index in range(90):
        log.append(local_event(EventKind.STDERR, str(index)))
    # Batches of half the bound: this flush writes 50 events, then the other 40.
    flushing = asyncio.create_task(log.flush())
    reader = asyncio.create_task(persistence.until_store_catches_up())
    first_batch = await store.waiting.get()
    await asyncio.sleep(0.01)
    assert not reader.done(), "90 unsaved events of a window of 100: reading waits"

    first_batch.set()
    second_batch = await store.waiting.get()
    await asyncio.wait_for(reader, 1)  # 40 unsaved now: reading goes on ...
    assert not flushing.done(), "... while the second batch is still being written"
    second_batch.set()
    assert await flushing == 90
    assert [event.seq for event in store.events["s"]] == list(range(1, 91))
