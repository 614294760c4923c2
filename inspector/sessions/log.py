"""The event log of one session: the truth about what happened on the wire.

Every event gets a per-session, strictly increasing `seq`. The log keeps a bounded window
in memory (by count and by bytes) and persists events in batches; an event leaves memory
only once it is stored, so a bounded memory never loses data.
"""

from __future__ import annotations

import asyncio
import contextvars
from collections import deque
from collections.abc import Callable
from itertools import islice

from inspector.mcp.trace import TraceEvent
from inspector.sessions.ports import EventStore

DEFAULT_MAX_EVENTS = 5_000
DEFAULT_MAX_BYTES = 32 * 1024 * 1024
# One write stores at most this many events, so eviction (and readers) make progress
# during a flood instead of waiting for one giant batch.
FLUSH_CHUNK = 5_000


class EventLog:
    def __init__(
        self,
        session_id: str,
        store: EventStore | None = None,
        *,
        max_events: int = DEFAULT_MAX_EVENTS,
        max_bytes: int = DEFAULT_MAX_BYTES,
        first_seq: int = 1,
    ) -> None:
        self.session_id = session_id
        self.store = store
        self.max_events = max_events
        self.max_bytes = max_bytes
        self._window: deque[TraceEvent] = deque()
        self._window_bytes = 0
        self._unsaved: list[TraceEvent] = []
        self._next_seq = first_seq
        self.saved_seq = first_seq - 1
        self.evicted = 0
        # Called after each batch is stored: a reader held until the store catches up
        # goes on while the next batch of the same flush is written.
        self.on_batch_stored: Callable[[], None] | None = None
        self._flush_lock = asyncio.Lock()
        # Flushes in progress, each in a task of its own (see `flush`).
        self._flushes: set[asyncio.Task[int]] = set()

    @property
    def last_seq(self) -> int:
        return self._next_seq - 1

    def _read_seq(self) -> int:
        return self._next_seq - 1

    @property
    def window_bytes(self) -> int:
        """The approximate memory the in-memory window holds (see `max_bytes`)."""
        return self._window_bytes

    @property
    def unsaved_count(self) -> int:
        return len(self._unsaved)

    def append(self, event: TraceEvent) -> int:
        event.seq = self._next_seq
        self._next_seq += 1
        window = self._window
        window.append(event)
        self._window_bytes += event.approximate_size()
        if self.store is not None:
            self._unsaved.append(event)
        else:
            self.saved_seq = event.seq
        # Checked here first: under a flood this runs for every event.
        if len(window) > self.max_events or self._window_bytes > self.max_bytes:
            self._evict()
        return event.seq

    def _evict(self) -> None:
        window = self._window
        while window and (len(window) > self.max_events or self._window_bytes > self.max_bytes):
            oldest = window[0]
            assert oldest.seq is not None
            if oldest.seq > self.saved_seq:
                return  # not stored yet: keep it until the next flush
            window.popleft()
            self._window_bytes -= oldest.approximate_size()
            self.evicted += 1

    async def flush(self) -> int:
        """Store what is unsaved, in chunks; return how many events were stored.

        The writing runs in a task of its own, shielded from the caller. A store writes
        in a database thread, which goes on whatever happens to the coroutine awaiting it:
        if a cancelled caller (a page that went away, the pump stopped by `close`) let go
        of the lock, or kept the batch as unsaved, the next flush would write the same
        events again while the first write is still running, and fail on their unique
        seq. The task holds the lock until its write is done and the batch dropped.
        """
        if self.store is None:
            return 0
        # A fresh context, as for the session's own tasks: the write may outlive a
        # request that asked for it.
        flushing = asyncio.get_running_loop().create_task(
            self._flush_serially(self.store), context=contextvars.Context()
        )
        self._flushes.add(flushing)
        flushing.add_done_callback(self._flush_done)
        return await asyncio.shield(flushing)

    def _flush_done(self, flushing: asyncio.Task[int]) -> None:
        self._flushes.discard(flushing)
        if not flushing.cancelled():
            # Seen here so that a flush whose caller went away is not reported as a
            # never-retrieved error: its batch stays unsaved and the next flush retries it
            # (and reports a lasting failure to its own caller).
            flushing.exception()

    async def _flush_serially(self, store: EventStore) -> int:
        async with self._flush_lock:
            return await self._flush_unsaved(store)

    async def _flush_unsaved(self, store: EventStore) -> int:
        stored = 0
        while self._unsaved:
            # At most half the window's bound: the reader goes on (up to the bound) while
            # a batch is written, instead of waiting for the whole backlog to be stored.
            batch = self._unsaved[: min(FLUSH_CHUNK, max(1, self.max_events // 2))]
            # With each batch, how far reading had gone as it was committed: what a crash
            # then would lose, at least.
            await store.save_events(self.session_id, batch, reading=self._read_seq)
            # Only now is the batch safe to drop: a failed write keeps it for next time.
            del self._unsaved[: len(batch)]
            last = batch[-1].seq
            assert last is not None
            self.saved_seq = last
            stored += len(batch)
            self._evict()
            if self.on_batch_stored is not None:
                self.on_batch_stored()
        return stored

    def window_start(self) -> int:
        """The seq of the oldest event still in memory (last_seq + 1 when empty)."""
        first = self._window[0].seq if self._window else None
        return first if first is not None else self._next_seq

    async def after(self, seq: int, limit: int = 500) -> list[TraceEvent]:
        """Events with seq greater than `seq`, oldest first, at most `limit`, no gaps."""
        events: list[TraceEvent] = []
        last = seq
        while len(events) < limit:
            if last + 1 >= self.window_start():
                events.extend(self._from_window(last, limit - len(events)))
                return events
            # Older than memory holds: from the store. While this awaits, a flush may
            # evict more, so the window is consulted again only after, from where the
            # stored page ended.
            assert self.store is not None, "events left memory without a store"
            stored = await self.store.load_events(self.session_id, last, limit - len(events))
            if not stored:
                return events
            events.extend(stored)
            last_stored = stored[-1].seq
            assert last_stored is not None
            last = last_stored
        return events

    async def tail(self, limit: int) -> list[TraceEvent]:
        """The newest `limit` events, oldest first."""
        return await self.after(max(0, self.last_seq - limit), limit)

    def _from_window(self, seq: int, limit: int) -> list[TraceEvent]:
        start = self.window_start()
        offset = max(0, seq + 1 - start)
        return list(islice(self._window, offset, offset + limit))
