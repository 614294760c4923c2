"""A live session: one connection to one server, owned from start to close."""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import logging
import time
import uuid
from collections.abc import Coroutine
from enum import StrEnum
from typing import Any

from inspector.mcp.client import McpClient
from inspector.mcp.errors import (
    ConnectError,
    FailureLayer,
    RequestCancelled,
    SessionExpired,
    TransportClosed,
)
from inspector.mcp.lifecycle import ServerInfo
from inspector.mcp.trace import EventKind, TraceEvent, local_event
from inspector.sessions.log import EventLog
from inspector.sessions.spec import ConnectionSpec
from inspector.sessions.store import EventStore, Watcher

logger = logging.getLogger(__name__)
PUMP_INTERVAL_SECONDS = 0.15
# Past this many events waiting to be stored, the session stops reading from the server
# until the store catches up: memory stays bounded and the server feels the pressure.
MAX_UNSAVED_EVENTS = 10_000
BACKPRESSURE_POLL_SECONDS = 0.01


class SessionStatus(StrEnum):
    CONNECTING = "connecting"
    CONNECTED = "connected"
    FAILED = "failed"  # could not connect
    DISCONNECTED = "disconnected"  # the server went away
    EXPIRED = "expired"  # the server forgot the session (HTTP 404)
    CLOSED = "closed"  # the user disconnected

    @property
    def is_live(self) -> bool:
        return self in (SessionStatus.CONNECTING, SessionStatus.CONNECTED)


class LiveSession:
    """Owns a client, its tasks and its event log. Every task it starts is awaited on close."""

    def __init__(
        self,
        spec: ConnectionSpec,
        *,
        store: EventStore | None = None,
        watchers: list[Watcher] | None = None,
        session_id: str | None = None,
        owner_id: int | None = None,
    ) -> None:
        self.id = session_id or uuid.uuid4().hex
        self.spec = spec
        self.store = store
        self.owner_id = owner_id
        self.log = EventLog(self.id, store)
        self.status = SessionStatus.CONNECTING
        self.error: ConnectError | None = None
        self.server: ServerInfo | None = None
        self.client: McpClient | None = None
        self.created_at = time.time()
        self.last_activity = self.created_at
        self._watchers = list(watchers or [])
        self._announced_seq = 0
        self._dirty = asyncio.Event()
        self._pump: asyncio.Task[None] | None = None
        self._pending_saves: set[asyncio.Task[None]] = set()
        self._operations: set[asyncio.Task[None]] = set()
        # Serialises connecting and disconnecting: two tabs pressing Reconnect at once
        # must not leave two clients writing into one log.
        self._lock = asyncio.Lock()
        self._closing = False

    # -- lifecycle -------------------------------------------------------------------

    async def start(self) -> None:
        """Connect. On failure the session stays, in status FAILED, with its events."""
        if self._pump is None:
            self._pump = self._spawn(self._run_pump(), f"session-pump-{self.id}")
            await self._save()
        await self._run_owned(self._connect_serially(), "connect")

    async def reconnect(self) -> None:
        """A fresh connection with the same settings; the event log goes on."""
        await self._run_owned(self._connect_serially(), "reconnect")

    async def disconnect(self) -> None:
        # Closing the client first aborts a handshake in flight; the lock then waits for
        # that attempt to wind down, and closes whatever it may have left connected.
        await self._close_client()
        async with self._lock:
            await self._close_client()
            if self.status is not SessionStatus.CLOSED:
                self._set_status(SessionStatus.CLOSED, "Disconnected by the user")
        await self._save()

    async def close(self) -> None:
        """Disconnect and stop every task; the log is flushed to the store first."""
        if self._closing:
            return
        self._closing = True
        await self.disconnect()
        await asyncio.gather(*self._operations, *self._pending_saves, return_exceptions=True)
        if self._pump is not None:
            self._pump.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._pump
        await self._flush_and_announce()

    async def _run_owned(self, operation: Coroutine[Any, Any, None], name: str) -> None:
        """Run a connection change in a task the session owns, and wait for it.

        The caller may go away (Django cancels a view whose browser disconnected); the
        change still completes and leaves the session in a definite status.
        """
        task = self._spawn(operation, f"session-{name}-{self.id}")
        self._operations.add(task)
        task.add_done_callback(self._operations.discard)
        await asyncio.shield(task)

    async def _connect_serially(self) -> None:
        async with self._lock:
            await self._close_client()
            await self._connect()

    async def _connect(self) -> None:
        self.error = None
        self.server = None
        self._set_status(SessionStatus.CONNECTING, f"Connecting to {self.spec.target}")
        transport = self.spec.build_transport()
        transport.flow_gate = self._until_store_catches_up
        client = McpClient(
            transport,
            self.spec.client_config(),
            on_event=self._record,
            on_closed=self._connection_lost,
        )
        self.client = client
        try:
            self.server = await client.connect()
        except ConnectError as exc:
            self.error = exc
            self._set_status(
                SessionStatus.FAILED, f"Could not connect: {exc}", layer=exc.layer.value
            )
        except RequestCancelled:
            self._set_status(SessionStatus.CLOSED, "Disconnected by the user while connecting")
        except Exception as exc:  # a bug must show as a failure, not vanish in a task
            logger.exception("Unexpected failure connecting session %s", self.id)
            self.error = ConnectError(FailureLayer.PROTOCOL, f"Unexpected error: {exc!r}")
            self._set_status(SessionStatus.FAILED, f"Could not connect: {self.error}")
        else:
            server = self.server
            self._set_status(
                SessionStatus.CONNECTED,
                f"Connected to {server.describe()}",
                protocol_version=server.protocol_version,
                requested_version=server.requested_version,
            )
        await self._save()

    async def _close_client(self) -> None:
        client, self.client = self.client, None
        if client is not None:
            await client.close()

    def _connection_lost(self, error: TransportClosed) -> None:
        if isinstance(error, SessionExpired):
            self._set_status(SessionStatus.EXPIRED, f"The server expired the session: {error}")
        else:
            self._set_status(SessionStatus.DISCONNECTED, f"The server went away: {error}")
        self._spawn_save()

    # -- requests ------------------------------------------------------------------

    async def request(self, method: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        client = self.client
        if client is None or self.status is not SessionStatus.CONNECTED:
            raise TransportClosed(f"The session is {self.status.value}.")
        self.last_activity = time.time()
        return await client.request(method, params)

    # -- events --------------------------------------------------------------------

    def _record(self, event: TraceEvent) -> None:
        self.log.append(event)
        self._dirty.set()

    def _set_status(self, status: SessionStatus, text: str, **detail: Any) -> None:
        self.status = status
        self.last_activity = time.time()
        self._record(local_event(EventKind.LIFECYCLE, text, status=status.value, **detail))

    async def _until_store_catches_up(self) -> None:
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
                logger.exception("Could not store events of session %s; will retry", self.id)
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
                await watcher(self.id, seq)
            except Exception:
                logger.exception("A watcher of session %s failed", self.id)

    async def _save(self) -> None:
        if self.store is not None:
            try:
                await self.store.save_session(self)
            except Exception:
                logger.exception("Could not save session %s", self.id)

    def _spawn_save(self) -> None:
        # Called from a synchronous transport callback: run the save as a task we own.
        task = self._spawn(self._save(), f"session-save-{self.id}")
        self._pending_saves.add(task)
        task.add_done_callback(self._pending_saves.discard)

    @staticmethod
    def _spawn(coroutine: Coroutine[Any, Any, None], name: str) -> asyncio.Task[None]:
        """A task that outlives the request which started the session.

        It runs in a fresh context: a copy of the request's would tie its work (database
        writes through thread executors) to a request that has already finished.
        """
        return asyncio.get_running_loop().create_task(
            coroutine, name=name, context=contextvars.Context()
        )
