"""A live session: one connection to one server, owned from start to close."""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import logging
import time
import uuid
from collections.abc import Coroutine
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from inspector.mcp.auth.config import OAuthSettings
from inspector.mcp.auth.store import MemoryTokenStore, TokenStore
from inspector.mcp.client.client import McpClient
from inspector.mcp.client.types import ClientConfig, InFlight, RequestOptions, ServerRequestHandler
from inspector.mcp.eras.auto import modern_state
from inspector.mcp.eras.base import Lifecycle, ServerInfo
from inspector.mcp.eras.legacy import LegacyLifecycle
from inspector.mcp.eras.modern import SUBSCRIPTION_ID_KEY, ProbeEndedProcess
from inspector.mcp.errors import (
    AuthError,
    AuthorizationRequired,
    ConnectError,
    FailureLayer,
    HttpStatusError,
    JsonRpcError,
    McpError,
    RequestCancelled,
    RequestRefused,
    RequestTimeout,
    SessionExpired,
    TransportClosed,
)
from inspector.mcp.trace import (
    Direction,
    EventKind,
    MessageType,
    RequestId,
    TraceEvent,
    local_event,
)
from inspector.mcp.transports.base import Transport
from inspector.mcp.versions import Era, EraChoice, legacy_version_for
from inspector.sessions.approvals import ApprovalKind
from inspector.sessions.catalog import Catalog, Listing
from inspector.sessions.consent import Consent, client_capabilities
from inspector.sessions.log import EventLog
from inspector.sessions.roots import Root
from inspector.sessions.spec import ConnectionSpec, TransportKind
from inspector.sessions.store import EventStore, Watcher
from inspector.sessions.tasks import TaskTracker

if TYPE_CHECKING:  # imported where used: stdio sessions never load httpx
    from inspector.mcp.auth.flow import AuthFlow
    from inspector.mcp.auth.http import HttpClientFactory
    from inspector.mcp.auth.pending import PendingAuthorization
    from inspector.mcp.auth.provider import OAuthProvider

logger = logging.getLogger(__name__)
PUMP_INTERVAL_SECONDS = 0.15
# Past this many events waiting to be stored, the session stops reading from the server
# until the store catches up: memory stays bounded and the server feels the pressure.
MAX_UNSAVED_EVENTS = 10_000
BACKPRESSURE_POLL_SECONDS = 0.01
SSE_FALLBACK_STATUSES = (400, 404, 405)
ACKNOWLEDGED = "notifications/subscriptions/acknowledged"
# A notification stream lasts as long as the connection; this only bounds the wait.
LISTEN_SECONDS = 366 * 24 * 3600.0
# subscriptions.mdx: a stream that ends without its response may be reopened; after these
# waits (seconds) one more drop leaves it down, shown as such.
LISTEN_REOPEN_DELAYS = (1.0, 2.0, 4.0, 8.0, 16.0)
LIST_CHANGE_FILTERS = (
    ("tools", "toolsListChanged"),
    ("prompts", "promptsListChanged"),
    ("resources", "resourcesListChanged"),
)


@dataclass(slots=True)
class Listening:
    """The modern era's notification stream: what was asked, what the server granted."""

    requested: dict[str, Any]
    acknowledged: dict[str, Any] | None = None
    request_id: RequestId | None = None
    request_event: TraceEvent | None = field(default=None, repr=False)
    error: McpError | None = None
    ended: str = ""
    settled: asyncio.Event = field(default_factory=asyncio.Event, repr=False)
    # How many times the stream was reopened after dropping, since it was last opened
    # on purpose (connecting, or a change of subscriptions).
    reopens: int = 0

    @property
    def request_seq(self) -> int | None:
        return self.request_event.seq if self.request_event is not None else None

    @property
    def active(self) -> bool:
        return self.acknowledged is not None and not self.ended


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


@dataclass(slots=True)
class Call:
    """A request made on a page's behalf, with where it sits in the event log.

    `response_seq` is the event that ended it: the response, or the record of the client
    giving up (timeout, cancel, lost connection). Its parts can be fetched from the log.
    """

    method: str
    result: dict[str, Any] | None = None
    error: McpError | None = None
    request_seq: int | None = None
    response_seq: int | None = None
    # Every request the call sent (more than one in the modern era's retries).
    request_seqs: list[int] = field(default_factory=list)


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
        handlers: dict[str, ServerRequestHandler] | None = None,
        capabilities: dict[str, Any] | None = None,
        answered_by_people: bool = False,
        token_store: TokenStore | None = None,
        http_factory: HttpClientFactory | None = None,
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
        # OAuth: where tokens are kept, the last refusal for want of authorization (the
        # challenge to answer with `begin_authorization`), and flows begun since a request
        # last got through.
        self.token_store: TokenStore = token_store or MemoryTokenStore()
        self.authorization: AuthorizationRequired | None = None
        self._auth_attempts = 0
        # The OAuth flow the Auth tab runs for this session (one at a time, under the
        # lock: a person may press Continue twice, or on two pages), closed with it.
        self.oauth_flow: AuthFlow | None = None
        self.oauth_flow_guided = False
        self.oauth_lock = asyncio.Lock()
        # Makes the HTTP clients of OAuth flows and refreshes (None: the plain default),
        # whose URLs come from servers: a hosted deployment passes its guarded factory.
        self.http_factory = http_factory
        # How this session answers requests from the server, and what it declares it can
        # answer; both apply to every connection the session makes.
        self.handlers: dict[str, ServerRequestHandler] = dict(handlers or {})
        self.capabilities: dict[str, Any] = dict(capabilities or {})
        # The inbox, roots and consent switches. With `answered_by_people`, the server's
        # sampling, elicitation and roots requests wait there for a person.
        self.consent = Consent(self._record, timeout=spec.approval_timeout)
        if answered_by_people:
            self.handlers = {**self.consent.handlers(), **self.handlers}
            declared = client_capabilities(
                spec.protocol_version, sampling_tools=spec.sampling_tools
            )
            self.capabilities = {**declared, **self.capabilities}
            self.consent.declared = self.capabilities
        # Requests started with a caller's key (a page's call), so the page can cancel them.
        self._calls: dict[str, RequestId] = {}
        # Calls a page stopped while no request of theirs was in flight (between the
        # rounds of a modern multi round-trip call), by key, with the reason.
        self._call_tasks: dict[str, asyncio.Task[Any]] = {}
        self._stopped_calls: dict[str, str] = {}
        # Tool calls waiting for a person's confirmation, by call key, to their approval.
        self._confirmations: dict[str, str] = {}
        # Calls by their request id until the request event has a seq, then by that seq:
        # a response names its request by seq, whatever spelling of the id it echoed.
        self._starting: dict[RequestId, Call] = {}
        self._tracked: dict[int, Call] = {}
        self.catalog = Catalog()
        # Resource URIs this connection subscribed to; a new connection starts with none.
        self.subscriptions: set[str] = set()
        # Tool calls run as tasks (2025-11-25), and the pollers that follow them.
        self.task_tracker = TaskTracker(self)
        # Modern era: the log level asked for on every request, and the notification
        # stream (`subscriptions/listen`) with what the server acknowledged.
        self.log_level: str | None = spec.log_level
        self.listening: Listening | None = None
        self._listen_task: asyncio.Task[None] | None = None
        self._listen_reopen: asyncio.Task[None] | None = None
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
        # Under the lock: a flow step running in a view must not outlive the session, nor
        # reconnect it after it closed.
        async with self.oauth_lock:
            await self.drop_oauth_flow()
        await self.disconnect()
        await self.task_tracker.close()
        await asyncio.gather(*self._operations, *self._pending_saves, return_exceptions=True)
        if self._pump is not None:
            # A flush the pump has under way finishes in its own task (see
            # `EventLog.flush`); the final flush below waits for it. `wait` rather than
            # awaiting the task: the pump's CancelledError must not be confused with a
            # cancellation of `close` itself, which has to propagate.
            self._pump.cancel()
            await asyncio.wait([self._pump])
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
        self.catalog = Catalog()
        self.subscriptions = set()
        self.listening = None
        self._set_status(SessionStatus.CONNECTING, f"Connecting to {self.spec.target}")
        try:
            self.server = await self._open(self.spec.build_transport(self._auth_provider()))
        except ConnectError as exc:
            refusal = _authorization_refusal(exc)
            if refusal is not None:
                self._note_refusal(refusal)
                exc = ConnectError(exc.layer, describe_refusal(refusal), status=refusal.status)
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
            self.authorization = None
            self._auth_attempts = 0
            server = self.server
            self._set_status(
                SessionStatus.CONNECTED,
                f"Connected to {server.describe()}",
                protocol_version=server.protocol_version,
                requested_version=server.requested_version,
                era=server.era.value,
                era_reason=server.era_reason,
            )
            if server.era is Era.MODERN and self.listen_filter():
                # List changes reach a modern client only on the stream it asks for.
                self._listen_reopen = self._spawn(
                    self._listen_quietly(), f"session-listen-open-{self.id}"
                )
        await self._save()

    async def _open(self, transport: Transport, lifecycle: Lifecycle | None = None) -> ServerInfo:
        """A client over `transport`, connected; falls back to HTTP+SSE where auto may."""
        transport.flow_gate = self._until_store_catches_up
        client = McpClient(
            transport,
            self.client_config(),
            on_event=self._record,
            on_closed=self._connection_lost,
            lifecycle=lifecycle,
        )
        client.handlers.update(self.handlers)
        client.waiting_on_person = self.consent.inbox.holds_server_request
        client.task_observer = self.task_tracker.observe
        self.client = client
        try:
            return await client.connect()
        except ProbeEndedProcess as exc:
            if lifecycle is not None:
                raise
            return await self._restart_legacy(exc)
        except ConnectError as exc:
            if lifecycle is not None or not self._may_fall_back_to_sse(exc):
                raise
            return await self._open_legacy_sse(exc)

    def _may_fall_back_to_sse(self, error: ConnectError) -> bool:
        """The spec's signal that a URL serves the old HTTP+SSE transport: initialize was
        refused with 400, 404 or 405 (auto mode only: otherwise the person chose)."""
        return (
            self.spec.era is EraChoice.AUTO
            and self.spec.transport is TransportKind.HTTP
            and error.layer is FailureLayer.HTTP
            and error.status in SSE_FALLBACK_STATUSES
        )

    async def _restart_legacy(self, probe: ProbeEndedProcess) -> ServerInfo:
        """A legacy stdio server that exited on the probe, started again for initialize."""
        self._record(
            local_event(EventKind.LIFECYCLE, f"Era detection: {probe.reason}", era="legacy")
        )
        await self._close_client()
        reason = f"Auto-detected legacy: {probe.reason} Restarted for initialize."
        version = legacy_version_for(self.spec.protocol_version)
        return await self._open(
            self.spec.build_transport(self._auth_provider()),
            LegacyLifecycle(version, reason=reason),
        )

    async def _open_legacy_sse(self, error: ConnectError) -> ServerInfo:
        from inspector.mcp.transports.sse_legacy import LegacySseTransport

        reason = (
            f"Streamable HTTP refused initialize with HTTP {error.status}, so the URL was "
            "tried as a legacy HTTP+SSE endpoint"
        )
        self._record(local_event(EventKind.LIFECYCLE, f"{reason}.", era="legacy"))
        await self._close_client()
        transport = LegacySseTransport(
            self.spec.url,
            headers=self.spec.sent_headers(),
            timeout=self.spec.connect_timeout,
            auth=self._auth_provider(),
        )
        try:
            server = await self._open(transport, LegacyLifecycle(reason=f"{reason}."))
        except ConnectError as sse_error:
            raise ConnectError(
                error.layer,
                f"{error.message} (the HTTP+SSE fallback failed too: {sse_error})",
                status=error.status,
            ) from sse_error
        server.era_reason = f"Auto-detected legacy HTTP+SSE: {reason}; {server.era_reason}"
        return server

    async def _close_client(self) -> None:
        client, self.client = self.client, None
        if client is not None:
            await client.close()
            self.consent.inbox.withdraw_all("The connection ended.")
        reopen, self._listen_reopen = self._listen_reopen, None
        if reopen is not None and reopen is not asyncio.current_task():
            reopen.cancel()
            await asyncio.wait([reopen])
        listener, self._listen_task = self._listen_task, None
        if listener is not None:
            # Closing the client ended its stream; the task only records that.
            await asyncio.wait([listener])

    def _connection_lost(self, error: TransportClosed) -> None:
        if isinstance(error, SessionExpired):
            self._set_status(SessionStatus.EXPIRED, f"The server expired the session: {error}")
        else:
            self._set_status(SessionStatus.DISCONNECTED, f"The server went away: {error}")
        self.consent.inbox.withdraw_all("The connection ended.")
        self._spawn_save()

    def client_config(self) -> ClientConfig:
        config = self.spec.client_config()
        config.capabilities = {**config.capabilities, **self.capabilities}
        config.log_level = self.log_level
        return config

    @property
    def era(self) -> Era | None:
        """The era the connection speaks (None before one is settled)."""
        return self.server.era if self.server is not None else None

    def excluded_tools(self) -> dict[str, str]:
        """Tools left out of use for invalid `x-mcp-header` designations (modern HTTP),
        by name, with the reason; the tool list the server sent still shows them."""
        client = self.client
        modern = modern_state(client.lifecycle) if client is not None else None
        return dict(modern.excluded_tools) if modern is not None else {}

    # -- the modern era's per-request settings and notification stream ---------------

    async def set_log_level(self, level: str | None, *, call_key: str) -> Call:
        """Ask for log messages at `level`: with `logging/setLevel` in the legacy era, on
        every later request's `_meta` in the modern one (None: no more log messages)."""
        if self.era is not Era.MODERN:
            return await self.call("logging/setLevel", {"level": level}, call_key=call_key)
        self.log_level = level
        if self.client is not None:
            self.client.config.log_level = level
        asked = f"at level {level}" if level else "no longer"
        self._record(
            local_event(
                EventKind.LIFECYCLE,
                f"Log messages are asked for {asked} on every request from now on.",
                log_level=level,
            )
        )
        return Call("logging/setLevel", result={})

    async def set_resource_subscription(self, uri: str, *, subscribe: bool, call_key: str) -> Call:
        """Follow (or stop following) a resource's updates. Legacy: `resources/subscribe`;
        modern: the notification stream is reopened with the new set of URIs. The set of
        subscribed URIs changes only when the server agreed."""
        if self.era is not Era.MODERN:
            method = "resources/subscribe" if subscribe else "resources/unsubscribe"
            call = await self.call(method, {"uri": uri}, call_key=call_key)
            if call.error is None:
                self._change_subscription(uri, subscribe)
            return call
        before = set(self.subscriptions)
        self._change_subscription(uri, subscribe)
        listening = await self.listen()
        call = Call("subscriptions/listen", request_seq=listening.request_seq)
        if listening.error is not None:
            self.subscriptions = before
            call.error = listening.error
        else:
            call.result = {"notifications": listening.acknowledged or {}}
        return call

    def _change_subscription(self, uri: str, subscribe: bool) -> None:
        if subscribe:
            self.subscriptions.add(uri)
        else:
            self.subscriptions.discard(uri)

    def listen_filter(self) -> dict[str, Any]:
        """What the notification stream asks for: every list change the server declares,
        and updates of the subscribed resources."""
        capabilities = self.server.capabilities if self.server is not None else {}
        wanted: dict[str, Any] = {}
        for capability, key in LIST_CHANGE_FILTERS:
            declared = capabilities.get(capability)
            if isinstance(declared, dict) and declared.get("listChanged"):
                wanted[key] = True
        if self.subscriptions:
            wanted["resourceSubscriptions"] = sorted(self.subscriptions)
        return wanted

    async def listen(self) -> Listening:
        """(Re)open `subscriptions/listen` with the current subscriptions, replacing any
        stream already open; returns once the server acknowledged (or the stream failed).
        Notifications on it are recorded and handled like any other."""
        client = self.client
        if client is None or self.status is not SessionStatus.CONNECTED:
            raise TransportClosed(f"The session is {self.status.value}.")
        if client.era is not Era.MODERN:
            raise RequestRefused(
                "subscriptions/listen belongs to the modern era; this connection speaks the "
                "legacy one (its notifications need no stream to be asked for)."
            )
        previous = self.listening
        await self.stop_listening("Reopened with the current subscriptions.")
        listening = Listening(self.listen_filter())
        if previous is not None and asyncio.current_task() is self._listen_reopen:
            listening.reopens = previous.reopens + 1
        self.listening = listening
        self._listen_task = self._spawn(
            self._run_listen(client, listening), f"session-listen-{self.id}"
        )
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(self.spec.request_timeout):
                await listening.settled.wait()
        if not listening.settled.is_set():
            listening.error = RequestTimeout(
                f"The server did not acknowledge subscriptions/listen within "
                f"{self.spec.request_timeout:g} s."
            )
            # Not left open on the server behind a filter the session no longer claims.
            await self.stop_listening("Not acknowledged in time.")
        return listening

    async def _listen_quietly(self) -> None:
        """Open the stream in the background; a failure is recorded by `_run_listen`."""
        with contextlib.suppress(McpError):
            await self.listen()

    def _stream_dropped(self, client: McpClient, listening: Listening) -> None:
        """Reopen a stream that ended without its response, after a growing wait."""
        if self.listening is not listening:
            return
        if isinstance(listening.error, AuthorizationRequired):
            self._note_refusal(listening.error)
            return
        if not _worth_reopening(listening.error):
            return
        if listening.reopens >= len(LISTEN_REOPEN_DELAYS):
            self._record(
                local_event(
                    EventKind.ERROR,
                    f"The subscription stream dropped again after {listening.reopens} reopenings; "
                    "it stays down until the subscriptions change or the session reconnects.",
                    listening=False,
                )
            )
            return
        delay = LISTEN_REOPEN_DELAYS[listening.reopens]

        async def reopen() -> None:
            await asyncio.sleep(delay)
            current = self.client is client and self.listening is listening
            if current and self.status is SessionStatus.CONNECTED:
                await self._listen_quietly()

        self._listen_reopen = self._spawn(reopen(), f"session-listen-reopen-{self.id}")

    async def stop_listening(self, reason: str = "Stopped by the user.") -> None:
        task, self._listen_task = self._listen_task, None
        listening = self.listening
        client = self.client
        if listening is not None and listening.request_id is not None and client is not None:
            await client.cancel(listening.request_id, reason)
        if task is not None:
            task.cancel(reason)
            await asyncio.wait([task])

    async def _run_listen(self, client: McpClient, listening: Listening) -> None:
        def started(request_id: RequestId) -> None:
            listening.request_id = request_id
            listening.request_event = client.request_event(request_id)

        try:
            await client.request(
                "subscriptions/listen",
                {"notifications": listening.requested},
                RequestOptions(
                    timeout=LISTEN_SECONDS,
                    max_total=LISTEN_SECONDS,
                    track_progress=False,
                    on_started=started,
                ),
            )
            listening.ended = "The server ended the subscription stream."
        except McpError as exc:
            # Kept if already set: `listen` names its own timeout, then cancels.
            listening.error = listening.error or exc
            listening.ended = f"The subscription stream ended: {listening.error}"
        finally:
            listening.settled.set()
        self._record(local_event(EventKind.LIFECYCLE, listening.ended, listening=False))
        if listening.error is not None:
            self._stream_dropped(client, listening)

    def _note_acknowledgement(self, event: TraceEvent) -> None:
        listening = self.listening
        params = event.payload.get("params") if isinstance(event.payload, dict) else None
        if listening is None or not isinstance(params, dict):
            return
        meta = params.get("_meta")
        subscription = meta.get(SUBSCRIPTION_ID_KEY) if isinstance(meta, dict) else None
        if listening.request_id is not None and str(subscription) != str(listening.request_id):
            return
        granted = params.get("notifications")
        listening.acknowledged = granted if isinstance(granted, dict) else {}
        # A stream that came back counts as healthy again: proxies cut idle streams now
        # and then for the whole life of a session, and each cut deserves its reopening.
        listening.reopens = 0
        listening.settled.set()

    # -- requests ------------------------------------------------------------------

    async def request(self, method: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        client = self.client
        if client is None or self.status is not SessionStatus.CONNECTED:
            raise TransportClosed(f"The session is {self.status.value}.")
        self.last_activity = time.time()
        try:
            result = await client.request(method, params)
        except AuthorizationRequired as exc:
            self._note_refusal(exc)
            raise
        self._auth_attempts = 0
        return result

    async def call(
        self, method: str, params: dict[str, Any] | None = None, *, call_key: str
    ) -> Call:
        """Like `request`, but failures are part of the answer, and so are the seqs of
        the request and of the event that ended it.

        The `call_key` is the request's progress token, and `cancel_call(key)` cancels it
        while it runs: the page that starts a call names it before the request has an id.
        """
        call = Call(method)
        client = self.client
        if client is None or self.status is not SessionStatus.CONNECTED:
            call.error = TransportClosed(f"The session is {self.status.value}.")
            return call
        if call_key in self._calls:
            # A key names one running call; a repeat must not take over the first one's.
            call_key = uuid.uuid4().hex
        self.last_activity = time.time()
        params = dict(params or {})
        if method == "tools/call" and self.consent.confirm_tool_calls:
            refusal = await self._confirm_tool_call(params, call_key)
            if refusal is not None:
                call.error = refusal
                return call
            client = self.client
            if client is None or self.status is not SessionStatus.CONNECTED:
                call.error = TransportClosed(f"The session is {self.status.value}.")
                return call
        params["_meta"] = {**(params.get("_meta") or {}), "progressToken": call_key}
        request_id: RequestId | None = None

        def started(started_id: RequestId) -> None:
            nonlocal request_id
            request_id = started_id
            self._calls[call_key] = started_id
            self._starting[started_id] = call

        current = asyncio.current_task()
        if current is not None:
            self._call_tasks[call_key] = current
        try:
            call.result = await client.request(method, params, RequestOptions(on_started=started))
            self._auth_attempts = 0
        except McpError as exc:
            call.error = exc
            if isinstance(exc, AuthorizationRequired):
                self._note_refusal(exc)
        except asyncio.CancelledError:
            reason = self._stopped_calls.pop(call_key, None)
            if reason is None or current is None or current.cancelling() > 1:
                raise
            current.uncancel()
            call.error = RequestCancelled(reason)
        finally:
            self._call_tasks.pop(call_key, None)
            self._stopped_calls.pop(call_key, None)
            self._calls.pop(call_key, None)
            if request_id is not None:
                self._starting.pop(request_id, None)
            for seq in call.request_seqs:
                self._tracked.pop(seq, None)
        return call

    async def _confirm_tool_call(self, params: dict[str, Any], call_key: str) -> McpError | None:
        """Wait for a person to confirm a tool call; the error to report if it is not run."""
        name = params.get("name")
        tool = self.catalog.find(Listing.TOOLS, name) if isinstance(name, str) else None
        inbox = self.consent.inbox
        approval = inbox.open(
            ApprovalKind.TOOL_CALL, "tools/call", params, context={"tool": tool or {}}
        )
        self._confirmations[call_key] = approval.id
        try:
            decision = await self.consent.wait(approval)
        except asyncio.CancelledError:
            if approval.future.cancelled() and not _current_task_cancelling():
                return RequestCancelled(f"Not sent: {approval.reason}")
            raise
        finally:
            self._confirmations.pop(call_key, None)
        if decision is None:
            return RequestRefused(f"Not sent: {approval.reason}")
        if decision.error_code is not None:
            return RequestRefused(f"Not sent: {decision.by} refused the call.")
        return None

    def awaiting_confirmation(self, call_key: str) -> bool:
        """Whether the call is held in the inbox, in consent mode, and not yet sent."""
        return call_key in self._confirmations

    async def cancel_call(self, call_key: str, reason: str = "Cancelled by the user.") -> bool:
        """Cancel the running request started under `call_key`; False if none runs."""
        waiting = self._confirmations.get(call_key)
        if waiting is not None:
            approval = self.consent.inbox.get(waiting)
            self.consent.inbox.withdraw(approval, "Cancelled before it was confirmed.")
            return True
        request_id = self._calls.get(call_key)
        client = self.client
        if request_id is None or client is None:
            return False
        if await client.cancel(request_id, reason):
            return True
        # No request in flight, yet the call goes on: it waits between rounds (a person
        # answering what a modern server asked). Stopping it withdraws those questions.
        task = self._call_tasks.get(call_key)
        if task is None or task.done():
            return False
        self._stopped_calls[call_key] = reason
        task.cancel(reason)
        return True

    # -- authorization -----------------------------------------------------------------

    def _auth_provider(self) -> OAuthProvider | None:
        # A static bearer token is the person's choice of credentials: sent as it is.
        if not self.spec.is_http or self.spec.bearer_token:
            return None
        from inspector.mcp.auth.provider import OAuthProvider

        return OAuthProvider(
            self.spec.url,
            self.token_store,
            protocol_version=self.spec.protocol_version,
            settings=self.spec.oauth,
            emit=self._record,
            timeout=self.spec.connect_timeout,
            http_factory=self._auth_http_factory(),
        )

    def _auth_http_factory(self) -> HttpClientFactory:
        from inspector.mcp.auth.http import http_client

        return self.http_factory or http_client

    @property
    def needs_authorization(self) -> bool:
        return self.authorization is not None

    def _note_refusal(self, refusal: AuthorizationRequired) -> None:
        self.authorization = refusal
        challenge = refusal.challenge
        self._record(
            local_event(
                EventKind.AUTH,
                f"The server requires authorization: {refusal}",
                status=refusal.status,
                challenge=challenge.to_dict() if challenge is not None else None,
                needed_scope=refusal.needed_scope,
            )
        )

    async def begin_authorization(self, settings: OAuthSettings | None = None) -> AuthFlow:
        """An OAuth flow answering the last refusal (or starting from scratch): run its
        steps, then call `authorized()`. Each step is recorded as an AUTH event. Raises
        `AuthError` after `max_attempts` authorizations in a row that no request got
        through after (flows begun and abandoned, or denied, do not count)."""
        from inspector.mcp.auth.discovery import canonical_resource
        from inspector.mcp.auth.flow import AuthFlow

        settings = settings or self.spec.oauth or OAuthSettings()
        refusal = self.authorization
        if self._auth_attempts >= settings.max_attempts:
            raise AuthError(
                "authorization",
                f"The server still refuses after {self._auth_attempts} authorizations in a "
                f"row ({refusal}); giving up.",
            )
        # A step-up (403), or a 401 for a token the server no longer takes: the new
        # authorization asks for the scope already granted too.
        previous = None
        if refusal is not None:
            previous = await self.token_store.get_tokens(canonical_resource(self.spec.url))
        version = self.server.protocol_version if self.server else self.spec.protocol_version
        return AuthFlow(
            self.spec.url,
            protocol_version=version,
            settings=settings,
            store=self.token_store,
            challenge=refusal.challenge if refusal is not None else None,
            previous=previous,
            emit=self._record,
            timeout=self.spec.connect_timeout,
            http_factory=self._auth_http_factory(),
        )

    def resume_authorization(self, pending: PendingAuthorization) -> AuthFlow:
        """The flow waiting for its redirect, rebuilt from `pending` (what the person's
        browser session kept), recording its steps in this session."""
        from inspector.mcp.auth.flow import AuthFlow

        version = self.server.protocol_version if self.server else self.spec.protocol_version
        return AuthFlow.resume(
            self.spec.url,
            pending,
            protocol_version=version,
            settings=self.spec.oauth or OAuthSettings(),
            store=self.token_store,
            emit=self._record,
            http_factory=self._auth_http_factory(),
        )

    async def drop_oauth_flow(self) -> None:
        flow, self.oauth_flow = self.oauth_flow, None
        if flow is not None:
            await flow.aclose()

    async def authorized(self) -> None:
        """Tokens are in the store: reconnect if the refusal kept the session from
        connecting; a connected session simply sends them with its next request."""
        # Counted here, not when a flow begins: only a token the server then still
        # refuses is a failed attempt. A request that gets through resets the count.
        self._auth_attempts += 1
        self.authorization = None
        if self.status is not SessionStatus.CONNECTED and not self._closing:
            await self.reconnect()

    # -- roots -----------------------------------------------------------------------

    async def set_roots(self, roots: list[Root]) -> None:
        """Replace the shared roots, and tell a connected server that they changed."""
        self.consent.roots = list(roots)
        self._record(
            local_event(
                EventKind.APPROVAL,
                f"Roots changed: {len(roots)} shared",
                roots=[root.to_wire() for root in roots],
            )
        )
        client = self.client
        # The modern era has no such notification: each request asks for roots afresh.
        if client is not None and self.status is SessionStatus.CONNECTED and self.era is Era.LEGACY:
            with contextlib.suppress(McpError):
                await client.notify("notifications/roots/list_changed")

    def in_flight(self) -> list[InFlight]:
        """Every request the connection awaits, whoever started it, oldest first."""
        client = self.client
        return client.in_flight() if client is not None else []

    async def cancel_request(
        self, request_id: RequestId, reason: str = "Cancelled by the user."
    ) -> bool:
        """Cancel a request in flight by its id; False if none runs. `initialize` is never
        cancelled: the spec forbids it (disconnect instead)."""
        client = self.client
        if client is None:
            return False
        method = next((r.method for r in client.in_flight() if r.id == request_id), None)
        if method is None or method == "initialize":
            return False
        return await client.cancel(request_id, reason)

    # -- events --------------------------------------------------------------------

    def _record(self, event: TraceEvent) -> None:
        if event.message_type is MessageType.NOTIFICATION and event.is_inbound_frame:
            self._note_stale_subscription(event)
        self.log.append(event)
        if self._starting or self._tracked:
            self._note_call_event(event)
        if event.method == ACKNOWLEDGED and event.is_inbound_frame:
            self._note_acknowledgement(event)
        if event.method == "notifications/elicitation/complete" and event.is_inbound_frame:
            params = event.payload.get("params") if isinstance(event.payload, dict) else None
            if isinstance(params, dict):
                self.consent.inbox.url_elicitation_completed(params.get("elicitationId"))
        self._dirty.set()

    def _note_stale_subscription(self, event: TraceEvent) -> None:
        """Mark a notification sent for a stream that was since replaced or stopped
        (subscriptions.mdx: clients MUST correlate by subscription id), so that it is
        kept in the log but not acted on."""
        params = event.payload.get("params") if isinstance(event.payload, dict) else None
        meta = params.get("_meta") if isinstance(params, dict) else None
        if not isinstance(meta, dict) or SUBSCRIPTION_ID_KEY not in meta:
            return
        listening = self.listening
        current = listening.request_id if listening is not None and not listening.ended else None
        if current is None or str(meta[SUBSCRIPTION_ID_KEY]) != str(current):
            event.detail["stale_subscription"] = meta[SUBSCRIPTION_ID_KEY]

    def _note_call_event(self, event: TraceEvent) -> None:
        outbound_request = (
            event.message_type is MessageType.REQUEST and event.direction is Direction.OUT
        )
        if outbound_request and event.message_id is not None and event.seq is not None:
            call = self._starting.pop(event.message_id, None)
            if call is not None:
                # A modern call may take several requests (renegotiation, the rounds of
                # a multi round-trip request): the call is named by its first.
                if call.request_seq is None:
                    call.request_seq = event.seq
                call.request_seqs.append(event.seq)
                self._tracked[event.seq] = call
        elif event.request_seq is not None and event.request_seq in self._tracked:
            self._tracked[event.request_seq].response_seq = event.seq

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


def describe_refusal(refusal: AuthorizationRequired) -> str:
    """What the server asked for, in a sentence."""
    what = "more scope" if refusal.status == 403 else "authorization"
    parts = [
        f"The server requires {what} (HTTP {refusal.status} from {refusal.method} {refusal.url})"
    ]
    challenge = refusal.challenge
    if challenge is None:
        parts.append("it sent no Bearer challenge")
    else:
        if challenge.resource_metadata:
            parts.append(f"resource metadata at {challenge.resource_metadata}")
        if refusal.needed_scope:
            parts.append(f"scope {refusal.needed_scope!r}")
        if challenge.error_description:
            parts.append(challenge.error_description)
    return "; ".join(parts) + "."


def _authorization_refusal(exc: BaseException) -> AuthorizationRequired | None:
    """The refusal for want of authorization behind a connection failure, if any."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, AuthorizationRequired):
            return current
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return None


def _current_task_cancelling() -> bool:
    """Whether the running task itself is being cancelled (not just a future it awaited)."""
    task = asyncio.current_task()
    return task is not None and task.cancelling() > 0


# JSON-RPC errors that say the listen request itself is wrong: sent again, it would be
# refused again (method not found, invalid params).
_REQUEST_REFUSED_CODES = frozenset({-32601, -32602, -32600})


def _worth_reopening(error: McpError | None) -> bool:
    """Whether a subscription stream that ended with `error` is reopened: one the
    connection lost, or the server failed for now, is; a refusal of the request (an
    error saying it is wrong, an HTTP 4xx, no authorization) or a cancel is not."""
    if error is None or isinstance(error, RequestCancelled | RequestRefused):
        return False
    if isinstance(error, JsonRpcError):
        return error.code not in _REQUEST_REFUSED_CODES
    if isinstance(error, HttpStatusError):
        return error.status >= 500
    return True
