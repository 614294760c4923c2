"""A live session: one connection to one server, owned from start to close, with the
collaborators it owns for each job (connecting, stream, calls, authorization, store)."""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections.abc import Coroutine, Mapping
from dataclasses import replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from inspector.mcp.auth.config import OAuthSettings
from inspector.mcp.auth.store import TokenStore
from inspector.mcp.client.client import McpClient
from inspector.mcp.client.types import ClientConfig, InFlight, ServerRequestHandler
from inspector.mcp.eras.auto import lifecycle_for, modern_state
from inspector.mcp.eras.base import Lifecycle, ServerInfo
from inspector.mcp.errors import (
    AuthorizationRequired,
    ConnectError,
    McpError,
    SessionExpired,
    TransportClosed,
)
from inspector.mcp.trace import EventKind, RequestId, TraceEvent, local_event
from inspector.mcp.transports.base import Transport
from inspector.mcp.versions import Era
from inspector.sessions.authorization import SessionAuthorization, describe_refusal
from inspector.sessions.calls import CallOutcome, PageCalls
from inspector.sessions.catalog import Catalog, Listing
from inspector.sessions.connecting import Connecting
from inspector.sessions.consent import Consent, client_capabilities
from inspector.sessions.detached import spawn_detached
from inspector.sessions.interactive_auth import InteractiveAuthorization
from inspector.sessions.log import EventLog
from inspector.sessions.persistence import SessionPersistence
from inspector.sessions.ports import EventStore, SessionDescription, Watcher
from inspector.sessions.roots import Root
from inspector.sessions.spec import ConnectionSpec
from inspector.sessions.status import SessionStatus
from inspector.sessions.stream import Notifications, NotificationStream
from inspector.sessions.task_tracker import TaskTracker

if TYPE_CHECKING:  # imported where used: stdio sessions never load httpx
    from inspector.mcp.auth.flow import AuthFlow
    from inspector.mcp.auth.http import HttpClientFactory
    from inspector.mcp.auth.pending import PendingAuthorization


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
        first_seq: int = 1,
    ) -> None:
        """`session_id` and `first_seq` continue a recorded session whose events up to
        `first_seq - 1` are stored (its process stopped under it)."""
        self.id = session_id or uuid.uuid4().hex
        self.spec = spec
        # The workspace the session belongs to (None: local mode's one person).
        self.owner_id = owner_id
        self.log = EventLog(self.id, store, first_seq=first_seq)
        self.status = SessionStatus.CONNECTING
        self.error: ConnectError | None = None
        self.server: ServerInfo | None = None
        self.client: McpClient | None = None
        self.created_at = time.time()
        self.last_activity = self.created_at
        self.persistence = SessionPersistence(
            self.log, store, list(watchers or []), describe=self.describe
        )
        self.auth = SessionAuthorization(
            self._record, token_store=token_store, http_factory=http_factory
        )
        self.interactive_auth = InteractiveAuthorization(
            begin=self.begin_authorization,
            resume=self.resume_authorization,
            authorized=self.authorized,
        )
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
        self.catalog = Catalog()
        self.calls = PageCalls(
            connected_client=self._connected_client,
            consent=self.consent,
            find_tool=lambda name: self.catalog.find(Listing.TOOLS, name),
            answered=self.auth.answered,
            sending=self._touch,
        )
        # Tool calls run as tasks (2025-11-25), and the pollers that follow them.
        self.task_tracker = TaskTracker(self)
        # Log messages, resource updates, and the modern era's stream that carries them.
        self.notifications = Notifications(
            self.id,
            self,
            log_level=spec.log_level,
            connected_client=self._connected_client,
            server=lambda: self.server,
            request_timeout=lambda: self.spec.request_timeout,
            record=self._record,
            note_refusal=self.auth.note_refusal,
        )
        self._operations: set[asyncio.Task[None]] = set()
        # Serialises connecting and disconnecting: two tabs pressing Reconnect at once
        # must not leave two clients writing into one log.
        self._lock = asyncio.Lock()
        self._closing = False

    # -- lifecycle -------------------------------------------------------------------

    async def start(self) -> None:
        """Connect. On failure the session stays, in status FAILED, with its events."""
        await self.persistence.start()
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
        await self.persistence.save()

    async def close(self) -> None:
        """Disconnect and stop every task; the log is flushed to the store first."""
        if self._closing:
            return
        self._closing = True
        await self.interactive_auth.close()
        await self.disconnect()
        await self.task_tracker.close()
        await asyncio.gather(*self._operations, return_exceptions=True)
        await self.persistence.close()

    async def _run_owned(self, operation: Coroutine[Any, Any, None], name: str) -> None:
        """Run a connection change in a task the session owns, and wait for it.

        The caller may go away (Django cancels a view whose browser disconnected); the
        change still completes and leaves the session in a definite status.
        """
        task = spawn_detached(operation, f"session-{name}-{self.id}")
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
        self.notifications.reset()
        self._set_status(SessionStatus.CONNECTING, f"Connecting to {self.spec.target}")
        connecting = Connecting(
            self.id,
            self.spec,
            new_client=self._new_client,
            close_client=self._close_client,
            auth=self.auth,
            record=self._record,
        )
        ended = await connecting.attempt()
        self.server, self.error = ended.server, ended.error
        if ended.server is not None:
            self.auth.connected()
        self._set_status(ended.status, ended.text, **ended.detail)
        if ended.server is not None and ended.server.era is Era.MODERN:
            self.notifications.open_in_background()
        await self.persistence.save()

    def _new_client(self, transport: Transport, lifecycle: Lifecycle | None) -> McpClient:
        """The session's client over `transport`, wired to its log, inbox and tasks."""
        transport.flow_gate = self.persistence.until_store_catches_up
        client = McpClient(
            transport,
            self.client_config(),
            on_event=self._record,
            on_closed=self._connection_lost,
            lifecycle=lifecycle or lifecycle_for(self.spec.era, transport.kind),
        )
        client.handlers.update(self.handlers)
        client.waiting_on_person = self.consent.inbox.holds_server_request
        client.task_observer = self.task_tracker.observe
        self.client = client
        return client

    async def _close_client(self) -> None:
        client, self.client = self.client, None
        if client is not None:
            await client.close()
            self.consent.inbox.withdraw_all("The connection ended.")
        await self.notifications.close()

    def _connection_lost(self, error: TransportClosed) -> None:
        if isinstance(error, SessionExpired):
            self._set_status(SessionStatus.EXPIRED, f"The server expired the session: {error}")
        else:
            self._set_status(SessionStatus.DISCONNECTED, f"The server went away: {error}")
        self.consent.inbox.withdraw_all("The connection ended.")
        self.persistence.save_soon()

    def _connected_client(self) -> McpClient:
        client = self.client
        if client is None or self.status is not SessionStatus.CONNECTED:
            raise TransportClosed(f"The session is {self.status.value}.")
        return client

    def client_config(self) -> ClientConfig:
        config = self.spec.client_config()
        config.capabilities = {**config.capabilities, **self.capabilities}
        config.log_level = self.notifications.log_level
        return config

    def describe(self) -> SessionDescription:
        """The session now, in plain values (secrets masked), for stores and pages."""
        refusal = self.auth.refusal
        return SessionDescription(
            id=self.id,
            owner_id=self.owner_id,
            created_at=datetime.fromtimestamp(self.created_at, tz=UTC),
            transport=self.spec.transport,
            target=self.spec.target,
            spec=self.spec.masked(),
            status=self.status,
            error=self.error.message if self.error else "",
            error_layer=self.error.layer.value if self.error else "",
            server=self.server.to_dict() if self.server else None,
            last_seq=self.log.last_seq,
            client_capabilities=self.client_config().capabilities,
            authorization=describe_refusal(refusal) if refusal is not None else "",
        )

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

    # -- notifications asked for (see `Notifications`) -------------------------------

    @property
    def log_level(self) -> str | None:
        return self.notifications.log_level

    @property
    def subscriptions(self) -> set[str]:
        return self.notifications.subscriptions

    @property
    def listening(self) -> NotificationStream | None:
        return self.notifications.stream

    async def listen(self) -> NotificationStream:
        return await self.notifications.listen()

    async def set_log_level(self, level: str | None, *, call_key: str) -> CallOutcome:
        return await self.notifications.set_log_level(level, call_key=call_key)

    async def set_resource_subscription(
        self, uri: str, *, subscribe: bool, call_key: str
    ) -> CallOutcome:
        return await self.notifications.set_resource_subscription(
            uri, subscribe=subscribe, call_key=call_key
        )

    # -- requests ------------------------------------------------------------------

    async def request(self, method: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        client = self._connected_client()
        self._touch()
        try:
            result = await client.request(method, params)
        except AuthorizationRequired as exc:
            self.auth.answered(exc)
            raise
        self.auth.answered(None)
        return result

    async def call(
        self,
        method: str,
        params: dict[str, Any] | None = None,
        *,
        call_key: str,
        detail: Mapping[str, Any] | None = None,
    ) -> CallOutcome:
        """Like `request`, but failures are part of the answer, and so are the seqs of
        the request and of the event that ended it.

        The `call_key` is the request's progress token, and `cancel_call(key)` cancels it
        while it runs: the page that starts a call names it before the request has an id.
        In consent mode a tool call first waits in the inbox for a person. `detail` goes
        on the request's trace event.
        """
        return await self.calls.call(method, params, call_key=call_key, detail=detail)

    async def notify(
        self, method: str, params: dict[str, Any] | None, *, detail: Mapping[str, Any]
    ) -> None:
        """Send a notification the person wrote (the lifecycle sends its own)."""
        client = self._connected_client()
        self._touch()
        await client.notify(method, params, detail=detail)

    def awaiting_confirmation(self, call_key: str) -> bool:
        """Whether the call is held in the inbox, in consent mode, and not yet sent."""
        return self.calls.awaiting_confirmation(call_key)

    async def cancel_call(self, call_key: str, reason: str = "Cancelled by the user.") -> bool:
        """Cancel the running request started under `call_key`; False if none runs."""
        return await self.calls.cancel(self.client, call_key, reason)

    # -- authorization -----------------------------------------------------------------

    @property
    def token_store(self) -> TokenStore:
        return self.auth.token_store

    @property
    def authorization(self) -> AuthorizationRequired | None:
        """The last refusal for want of authorization: the challenge a flow answers."""
        return self.auth.refusal

    @property
    def needs_authorization(self) -> bool:
        return self.auth.refusal is not None

    async def begin_authorization(self, settings: OAuthSettings | None = None) -> AuthFlow:
        """An OAuth flow (see `SessionAuthorization.begin`): run its steps, each recorded
        as an AUTH event, then call `authorized()`."""
        return await self.auth.begin(self.spec, self.server, settings)

    def resume_authorization(self, pending: PendingAuthorization) -> AuthFlow:
        """The flow waiting for its redirect, rebuilt from what the browser session kept."""
        return self.auth.resume(self.spec, self.server, pending)

    def use_oauth_settings(self, settings: OAuthSettings) -> None:
        """The OAuth client settings of this session's next flows."""
        self.spec = replace(self.spec, oauth=settings)

    async def authorized(self) -> None:
        """Tokens are in the store: reconnect if the refusal kept the session from
        connecting; a connected session simply sends them with its next request."""
        self.auth.accepted()
        if self.status is not SessionStatus.CONNECTED and not self._closing:
            await self.reconnect()

    # -- roots and requests in flight --------------------------------------------------

    async def set_roots(self, roots: list[Root]) -> None:
        """Replace the shared roots, and tell a connected server that they changed."""
        self.consent.share_roots(roots)
        client = self.client
        # The modern era has no such notification: each request asks for roots afresh.
        if client is not None and self.status is SessionStatus.CONNECTED and self.era is Era.LEGACY:
            with contextlib.suppress(McpError):
                await client.notify("notifications/roots/list_changed")

    def in_flight(self) -> list[InFlight]:
        """Every request the connection awaits, whoever started it, oldest first."""
        return self.client.in_flight() if self.client is not None else []

    async def cancel_request(
        self, request_id: RequestId, reason: str = "Cancelled by the user."
    ) -> bool:
        """Cancel a request in flight by its id; False if none runs. `initialize` is never
        cancelled: the spec forbids it (disconnect instead)."""
        return await self.calls.cancel_request(self.client, request_id, reason)

    # -- events --------------------------------------------------------------------

    def record(self, event: TraceEvent) -> int:
        """Log an exchange the session's user made beside the connection (the doctor's
        own unauthenticated probes), as the session logs its own; return its seq."""
        self._record(event)
        return event.seq or 0

    def _record(self, event: TraceEvent) -> None:
        inbound = event.is_inbound_frame
        if inbound:
            self.notifications.note_inbound(event)
        self.log.append(event)
        self.calls.note(event)
        if event.method == "notifications/elicitation/complete" and inbound:
            params = event.params
            if params is not None:
                self.consent.inbox.url_elicitation_completed(params.get("elicitationId"))
        self.persistence.events_arrived()

    def _touch(self) -> None:
        self.last_activity = time.time()

    def _set_status(self, status: SessionStatus, text: str, **detail: Any) -> None:
        self.status = status
        self._touch()
        self._record(local_event(EventKind.LIFECYCLE, text, status=status.value, **detail))
