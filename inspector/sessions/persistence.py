"""A session's way to its store: events in batches, its description on each change, and
the notices that tell watchers how far the stored events go."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from inspector.sessions.detached import spawn_detached
from inspector.sessions.log import EventLog
from inspector.sessions.ports import EventStore, SessionDescription, Watcher

logger = logging.getLogger(__name__)
PUMP_INTERVAL_SECONDS = 0.15
# Past this many events waiting to be stored, the session stops reading from the server
# until the store catches up: memory stays bounded and the server feels the pressure.
MAX_UNSAVED_EVENTS = 10_000
BACKPRESSURE_POLL_SECONDS = 0.01


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
        self.pump: asyncio.Task[None] | None = None
        self._pending_saves: set[asyncio.Task[None]] = set()

    async def start(self) -> None:
        """Start the pump (once) and record the session as it starts."""
        if self.pump is None:
            self.pump = spawn_detached(self._run_pump(), f"session-pump-{self.log.session_id}")
            await self.save()

    def events_arrived(self) -> None:
        self._dirty.set()

    async def until_store_catches_up(self) -> None:
        """The transports' flow gate: holds reading while too many events wait to be stored."""
        while self.store is not None and self.log.unsaved_count >= MAX_UNSAVED_EVENTS:
            self._dirty.set()
            await asyncio.sleep(BACKPRESSURE_POLL_SECONDS)

    async def _run_pump(self) -> None:
        """Persist in batches and tell watchers, a few times a second at most."""
        while True:
            await self._dirty.wait()
            self._dirty.clear()
            try:
                await self._flush_and_announce()
            except Exception:
                logger.exception(
                    "Could not store events of session %s; will retry", self.log.session_id
                )
                self._dirty.set()
            await asyncio.sleep(PUMP_INTERVAL_SECONDS)

    async def _flush_and_announce(self) -> None:
        await self.log.flush()
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
