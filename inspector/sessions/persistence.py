"""A session's way to its store: events in batches, its description on each change, and
the notices that tell watchers how far the stored events go."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable

from inspector.sessions.detached import spawn_detached
from inspector.sessions.log import EventLog
from inspector.sessions.ports import EventStore, SessionDescription, Watcher

logger = logging.getLogger(__name__)
PUMP_INTERVAL_SECONDS = 0.15
# Reading stops while the unsaved events come this close to the in-memory window's bound
# (`EventLog.max_events`): a reader delivers up to this many events between two looks at
# the gate (see the stdio transport's slices), so the window stays within its bound while
# the store catches up. The server then meets a full pipe: backpressure, not growth.
READ_HEADROOM = 1_000
# Past this many unsaved events the pump stores on at once instead of pausing between
# batches: the pause coalesces the watchers' notices, not the writes of a flood.
BACKLOG_EVENTS = 500


class SessionPersistence:
    """Stores a session's events and description, and tells its watchers. The pump and
    every save it starts are its own tasks, finished by `close`."""

    def __init__(
        self,
        log: EventLog,
        store: EventStore | None,
        watchers: list[Watcher],
        *,
        describe: Callable[[], SessionDescription],
    ) -> None:
        self.log = log
        self.store = store
        self._watchers = list(watchers)
        self._describe = describe
        self._announced_seq = 0
        self._dirty = asyncio.Event()
        # Set after each stored batch and each attempt to store: a reader held by the flow
        # gate looks again.
        self._stored = asyncio.Event()
        log.on_batch_stored = self._stored.set
        # Set by a held reader: the pump's pause between batches ends at once.
        self._hurry = asyncio.Event()
        self.pump: asyncio.Task[None] | None = None
        self._pending_saves: set[asyncio.Task[None]] = set()

    async def start(self) -> None:
        """Start the pump (once) and record the session as it starts."""
        if self.pump is None:
            self.pump = spawn_detached(self._run_pump(), f"session-pump-{self.log.session_id}")
            await self.save()

    def events_arrived(self) -> None:
        self._dirty.set()

    def _reading_held(self) -> bool:
        log = self.log
        if self.store is None or not log.unsaved_count:
            return False
        bound = log.max_events
        limit = max(bound - min(READ_HEADROOM, bound // 2), 1)
        # The bytes bound too: stored events leave memory at once when it is passed, so
        # past it the window is unsaved events (large ones) that only storing can free.
        return log.unsaved_count >= limit or log.window_bytes >= log.max_bytes

    async def until_store_catches_up(self) -> None:
        """The transports' flow gate: holds reading while the unsaved events near the
        window's bound; woken by each stored batch, not by polling."""
        while self._reading_held():
            self._stored.clear()
            self._dirty.set()
            self._hurry.set()  # a pump pausing between batches stores at once
            await self._stored.wait()

    async def _run_pump(self) -> None:
        """Persist in batches and tell watchers, a few times a second at most. Under a
        flood the batches follow each other without a pause, while the notices keep to
        their pace."""
        loop = asyncio.get_running_loop()
        announced_at = 0.0
        while True:
            await self._dirty.wait()
            self._dirty.clear()
            try:
                stored = await self.log.flush()
            except Exception:
                logger.exception(
                    "Could not store events of session %s; will retry", self.log.session_id
                )
                self._dirty.set()
                await asyncio.sleep(PUMP_INTERVAL_SECONDS)
                continue
            finally:
                self._stored.set()
            # A large batch means more is coming: the reader went on while it was written.
            flooding = max(stored, self.log.unsaved_count) >= BACKLOG_EVENTS
            if not flooding or loop.time() - announced_at >= PUMP_INTERVAL_SECONDS:
                await self._announce()
                announced_at = loop.time()
            if flooding:
                self._dirty.set()
                continue
            self._hurry.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._hurry.wait(), PUMP_INTERVAL_SECONDS)

    async def _flush_and_announce(self) -> None:
        await self.log.flush()
        self._stored.set()
        await self._announce()

    async def _announce(self) -> None:
        seq = self.log.saved_seq
        if seq <= self._announced_seq:
            return
        self._announced_seq = seq
        for watcher in self._watchers:
            try:
                await watcher(self.log.session_id, seq)
            except Exception:
                logger.exception("A watcher of session %s failed", self.log.session_id)

    async def save(self) -> None:
        """Record the session's description; a failure is logged, not raised."""
        if self.store is not None:
            try:
                await self.store.save_session(self._describe())
            except Exception:
                logger.exception("Could not save session %s", self.log.session_id)

    def save_soon(self) -> None:
        """`save` from a synchronous callback (a transport's), as a task of its own."""
        task = spawn_detached(self.save(), f"session-save-{self.log.session_id}")
        self._pending_saves.add(task)
        task.add_done_callback(self._pending_saves.discard)

    async def close(self) -> None:
        """Finish the saves under way, stop the pump, and flush the log a last time."""
        await asyncio.gather(*self._pending_saves, return_exceptions=True)
        if self.pump is not None:
            # A flush the pump has under way finishes in its own task (see
            # `EventLog.flush`); the final flush below waits for it. `wait` rather than
            # awaiting the task: the pump's CancelledError must not be confused with a
            # cancellation of `close` itself, which has to propagate.
            self.pump.cancel()
            await asyncio.wait([self.pump])
        await self._flush_and_announce()
