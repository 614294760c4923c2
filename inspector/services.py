"""The only entry point for views, consumers and the CLI into sessions and storage.

A session may be live in this process (the registry has it) or only recorded (it ended,
or the inspector restarted): callers see one `SessionSnapshot` either way.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from inspector.mcp.auth.config import OAuthSettings
from inspector.mcp.auth.discovery import canonical_resource
from inspector.mcp.auth.flow import AuthFlow
from inspector.mcp.auth.pending import FlowState, PendingAuthorization
from inspector.mcp.auth.tokens import Tokens, token_learned
from inspector.mcp.client.types import InFlight
from inspector.mcp.eras.tasks import offers_tasks
from inspector.mcp.trace import Direction, TraceEvent
from inspector.mcp.versions import Era
from inspector.models import SessionRecord
from inspector.runtime import event_store, registry
from inspector.sessions.approvals import Approval, Decision
from inspector.sessions.authorization import describe_refusal
from inspector.sessions.calls import CallOutcome
from inspector.sessions.catalog import Listing, Page, page_of
from inspector.sessions.consent import Consent
from inspector.sessions.roots import Root
from inspector.sessions.session import LiveSession
from inspector.sessions.spec import ConnectionSpec, TransportKind
from inspector.sessions.status import SessionStatus
from inspector.sessions.stream import NotificationStream
from inspector.sessions.task_tracker import TaskMode, TaskPage, TrackedTask, task_mode

PAGE_SIZE = 200


class SessionNotFound(Exception):
    pass


@dataclass(frozen=True, slots=True)
class SessionSnapshot:
    id: str
    status: SessionStatus
    transport: TransportKind
    target: str
    spec: dict[str, Any]
    created_at: datetime
    live: bool
    error: str = ""
    error_layer: str = ""
    server: dict[str, Any] | None = None
    last_seq: int = 0
    client_capabilities: dict[str, Any] = field(default_factory=dict)
    owner_id: int | None = None
    # Why the server refuses the session's requests for want of authorization, while it does.
    authorization: str = ""

    @property
    def is_http(self) -> bool:
        return self.transport is not TransportKind.STDIO

    @property
    def needs_authorization(self) -> bool:
        return self.live and bool(self.authorization)

    @property
    def server_info(self) -> dict[str, Any]:
        info = (self.server or {}).get("server_info")
        return info if isinstance(info, dict) else {}

    @property
    def display_name(self) -> str:
        """What the server calls itself: its title, else its name, else what we connected to."""
        info = self.server_info
        return str(info.get("title") or info.get("name") or self.target)

    @property
    def capabilities(self) -> dict[str, Any]:
        caps = (self.server or {}).get("capabilities")
        return caps if isinstance(caps, dict) else {}

    @property
    def connected(self) -> bool:
        return self.live and self.status is SessionStatus.CONNECTED

    @property
    def offers_tasks(self) -> bool:
        """Tasks: a capability in 2025-11-25, the `io.modelcontextprotocol/tasks`
        extension in the modern era."""
        return self.offers("tasks") or (self.modern and offers_tasks(self.capabilities))

    @property
    def modern(self) -> bool:
        """Whether the connection settled on the 2026-07-28 era (no ping, no setLevel,
        no resources/subscribe: `subscriptions/listen` and per-request `_meta` instead)."""
        return (self.server or {}).get("era") == Era.MODERN.value

    def offers(self, capability: str) -> bool:
        """Whether the server declared a capability (`tools`, `resources.subscribe`...)."""
        node: Any = self.capabilities
        for part in capability.split("."):
            if not isinstance(node, dict) or part not in node:
                return False
            node = node[part]
        return node is not None and node is not False

    @property
    def can_reconnect(self) -> bool:
        return self.live and not self.status.is_active

    @property
    def can_disconnect(self) -> bool:
        return self.live and self.status.is_active


def _from_live(session: LiveSession) -> SessionSnapshot:
    return SessionSnapshot(
        id=session.id,
        status=session.status,
        transport=session.spec.transport,
        target=session.spec.target,
        spec=session.spec.masked(),
        created_at=datetime.fromtimestamp(session.created_at, tz=UTC),
        live=True,
        error=session.error.message if session.error else "",
        error_layer=session.error.layer.value if session.error else "",
        server=session.server.to_dict() if session.server else None,
        last_seq=session.log.last_seq,
        client_capabilities=session.client_config().capabilities,
        owner_id=session.owner_id,
        authorization=describe_refusal(session.authorization) if session.authorization else "",
    )


def _from_record(record: SessionRecord, last_seq: int = 0) -> SessionSnapshot:
    status = SessionStatus(record.status)
    if status.is_active:
        # Recorded as live but not in this process: the inspector was restarted under it.
        status = SessionStatus.DISCONNECTED
    return SessionSnapshot(
        id=record.id,
        status=status,
        transport=TransportKind(record.transport),
        target=record.target,
        spec=record.spec,
        created_at=record.created_at,
        live=False,
        error=record.error,
        error_layer=record.error_layer,
        server=record.server,
        last_seq=last_seq,
        owner_id=record.owner_id,
    )


async def session_connect(spec: ConnectionSpec, *, owner_id: int | None = None) -> SessionSnapshot:
    """Create a session and connect it; a failed connection still returns its snapshot."""
    session = await registry().create(spec, owner_id=owner_id)
    await session.start()
    return _from_live(session)


async def session_get(session_id: str) -> SessionSnapshot:
    session = registry().get(session_id)
    if session is not None:
        return _from_live(session)
    found = await event_store().load_session(session_id)
    if found is None:
        raise SessionNotFound(session_id)
    record, last_seq = found
    return _from_record(record, last_seq)


async def session_owned(session_id: str, *, owner_id: int | None) -> SessionSnapshot:
    """The session, if it belongs to `owner_id` (None: local mode's one person). Another
    owner's session is not found, exactly as one that does not exist, so that its id
    cannot be probed; every request naming a session goes through here."""
    snapshot = await session_get(session_id)
    if snapshot.owner_id != owner_id:
        raise SessionNotFound(session_id)
    return snapshot


async def session_list(*, owner_id: int | None, limit: int = 50) -> list[SessionSnapshot]:
    """The owner's sessions, newest first."""
    live = {
        session.id: _from_live(session)
        for session in registry().all()
        if session.owner_id == owner_id
    }
    records = await event_store().list_sessions(exclude=list(live), owner_id=owner_id, limit=limit)
    recorded = [_from_record(record) for record in records]
    return sorted([*live.values(), *recorded], key=lambda s: s.created_at, reverse=True)[:limit]


def _live(session_id: str) -> LiveSession:
    session = registry().get(session_id)
    if session is None:
        raise SessionNotFound(session_id)
    return session


async def session_disconnect(session_id: str) -> SessionSnapshot:
    session = _live(session_id)
    await session.disconnect()
    return _from_live(session)


async def session_reconnect(session_id: str) -> SessionSnapshot:
    session = _live(session_id)
    await session.reconnect()
    return _from_live(session)


def new_call_key() -> str:
    return uuid.uuid4().hex


async def session_call(
    session_id: str, method: str, params: dict[str, Any] | None, *, call_key: str
) -> CallOutcome:
    """Send a request for a page and wait; failures come back in the `CallOutcome`."""
    return await _live(session_id).call(method, params, call_key=call_key)


async def session_cancel_call(session_id: str, call_key: str) -> bool:
    session = _live(session_id)
    if session.awaiting_confirmation(call_key):
        # Not sent yet: withdrawing it from the inbox is the whole cancellation.
        return await session.cancel_call(call_key)
    # A call that is creating a task is cancelled with tasks/cancel once the task exists.
    return session.task_tracker.cancel_creation(call_key) or await session.cancel_call(call_key)


def session_in_flight(session_id: str) -> list[InFlight]:
    """What the session awaits, oldest first; nothing when it is not live here."""
    session = registry().get(session_id)
    return session.in_flight() if session is not None else []


async def session_cancel_request(session_id: str, request_id: str) -> InFlight | None:
    """Cancel the request whose id reads `request_id` (a page holds ids as text); the
    request cancelled, or None when none was (it ended, or it is `initialize`)."""
    session = _live(session_id)
    for request in session.in_flight():
        if str(request.id) == request_id:
            return request if await session.cancel_request(request.id) else None
    return None


async def session_list_page(
    session_id: str, listing: Listing, cursor: str | None, *, call_key: str
) -> tuple[CallOutcome, Page | None]:
    """One page of a listing; the first page replaces what the catalog held."""
    session = _live(session_id)
    call = await session.call(
        listing.method, {"cursor": cursor} if cursor else None, call_key=call_key
    )
    if call.result is None:
        return call, None
    page = page_of(listing, call.result)
    session.catalog.remember(listing, page, first=cursor is None)
    return call, page


def session_spec(session_id: str) -> ConnectionSpec:
    """The live session's connection settings, secrets included: for the server side only."""
    return _live(session_id).spec


def session_catalog_item(session_id: str, listing: Listing, key: str) -> dict[str, Any] | None:
    return _live(session_id).catalog.find(listing, key)


async def session_events_after(
    session_id: str, after_seq: int, limit: int = PAGE_SIZE
) -> list[TraceEvent]:
    """Events after `after_seq`, oldest first; what is pending is stored first, so that
    a reader never sees an event the store does not have."""
    session = registry().get(session_id)
    if session is not None:
        await session.log.flush()
        events = await session.log.after(after_seq, limit)
        return [
            event
            for event in events
            if event.seq is not None and event.seq <= session.log.saved_seq
        ]
    return await event_store().load_events(session_id, after_seq, limit)


async def session_events_tail(session_id: str, limit: int = PAGE_SIZE) -> list[TraceEvent]:
    """The newest stored events, oldest first."""
    session = registry().get(session_id)
    if session is not None:
        await session.log.flush()
        return await session.log.tail(limit)
    return await event_store().load_events_before(session_id, 2**62, limit)


async def session_events_before(
    session_id: str, before_seq: int, limit: int = PAGE_SIZE
) -> list[TraceEvent]:
    return await event_store().load_events_before(session_id, before_seq, limit)


async def session_event(session_id: str, seq: int) -> TraceEvent:
    events = await session_events_after(session_id, seq - 1, 1)
    if not events or events[0].seq != seq:
        raise SessionNotFound(f"{session_id}#{seq}")
    return events[0]


async def session_close_all() -> None:
    await registry().close_all()


# -- Resource subscriptions ------------------------------------------------------------
# The session keeps the URIs its page subscribed to; they start empty on every connection,
# as the server's own subscriptions do.


async def session_resource_subscription(
    session_id: str, uri: str, *, subscribe: bool, call_key: str
) -> CallOutcome:
    """Subscribe to, or unsubscribe from, a resource's updates; the session's set of
    subscribed URIs changes only when the server agreed."""
    session = _live(session_id)
    # Legacy: resources/(un)subscribe; modern: subscriptions/listen reopened.
    return await session.set_resource_subscription(uri, subscribe=subscribe, call_key=call_key)


def session_subscriptions(session_id: str) -> list[str]:
    return sorted(_live(session_id).subscriptions)


# -- The modern era (2026-07-28) ----------------------------------------------------------


def session_excluded_tools(session_id: str) -> dict[str, str]:
    """Tools the server listed that the client left out (invalid `x-mcp-header`), with
    the reason for each; empty outside the modern era."""
    return _live(session_id).excluded_tools()


def session_log_level(session_id: str) -> str | None:
    """The log level every modern request asks for in its `_meta` (None: no logs)."""
    return _live(session_id).log_level


async def session_set_log_level(
    session_id: str, level: str | None, *, call_key: str
) -> CallOutcome:
    """`logging/setLevel` in the legacy era; in the modern one, the level asked for on
    every later request (None: none)."""
    return await _live(session_id).set_log_level(level, call_key=call_key)


def session_listening(session_id: str) -> NotificationStream | None:
    """The modern era's notification stream: what it asked for, what was acknowledged."""
    return _live(session_id).listening


# -- The approvals inbox, roots and consent switches -------------------------------------


def session_consent(session_id: str) -> Consent:
    """The session's inbox, roots and switches; views read them and answer through
    `session_answer`, so that every answer is recorded."""
    return _live(session_id).consent


def session_answer(session_id: str, approval_id: str, decision: Decision) -> Approval:
    """Answer a pending approval; `AlreadySettled` if another page answered first."""
    return _live(session_id).consent.inbox.answer(approval_id, decision)


def session_set_switch(session_id: str, name: str, on: bool) -> None:
    _live(session_id).consent.set_switch(name, on)


async def session_set_roots(session_id: str, roots: list[Root]) -> None:
    await _live(session_id).set_roots(roots)


# -- Tasks (2025-11-25) ------------------------------------------------------------------
# Tool calls that run as tasks, followed by the session's tracker until they end.


class TaskNotFound(Exception):
    pass


def session_task_mode(snapshot: SessionSnapshot, tool: dict[str, Any]) -> TaskMode:
    """Whether the tool may, must or must not be called as a task on this connection."""
    version = str((snapshot.server or {}).get("protocol_version", ""))
    return task_mode(snapshot.capabilities, version, tool)


async def session_task_call_tool(
    session_id: str, tool: dict[str, Any], arguments: Any, *, ttl: int | None, call_key: str
) -> tuple[CallOutcome, TrackedTask | None]:
    """Call a tool as a task; no task comes back when the call failed or the server
    answered with a plain result."""
    return await _live(session_id).task_tracker.call_tool(
        tool, arguments, ttl=ttl, call_key=call_key
    )


def session_tasks(session_id: str) -> list[TrackedTask]:
    """The tasks this session knows, newest first."""
    return _live(session_id).task_tracker.all()


def session_task(session_id: str, task_id: str) -> TrackedTask:
    task = _live(session_id).task_tracker.get(task_id)
    if task is None:
        raise TaskNotFound(task_id)
    return task


def session_task_is_current(session_id: str, task: TrackedTask) -> bool:
    return _live(session_id).task_tracker.is_current(task)


async def session_task_list_page(
    session_id: str, cursor: str | None, *, call_key: str
) -> tuple[CallOutcome, TaskPage | None]:
    return await _live(session_id).task_tracker.list_page(cursor, call_key=call_key)


def _found(call: CallOutcome | None, task_id: str) -> CallOutcome:
    if call is None:
        raise TaskNotFound(task_id)
    return call


async def session_task_refresh(session_id: str, task_id: str, *, call_key: str) -> CallOutcome:
    """One `tasks/get` now."""
    tracker = _live(session_id).task_tracker
    return _found(await tracker.refresh(task_id, call_key=call_key), task_id)


async def session_task_cancel(session_id: str, task_id: str, *, call_key: str) -> CallOutcome:
    """`tasks/cancel`; the server refuses (-32602) a task that has already ended."""
    tracker = _live(session_id).task_tracker
    return _found(await tracker.cancel(task_id, call_key=call_key), task_id)


async def session_task_result(session_id: str, task_id: str) -> CallOutcome | None:
    """The task's result, fetched now when it has none yet."""
    session_task(session_id, task_id)
    return await _live(session_id).task_tracker.fetch_result(task_id)


async def session_task_noted(session_id: str, task_id: str, seq: int) -> None:
    """Apply the `notifications/tasks/status` recorded at `seq`, if it is one about this
    task: a page that saw it asks for the task's row again."""
    try:
        event = await session_event(session_id, seq)
    except SessionNotFound:
        return
    params = event.payload.get("params") if isinstance(event.payload, dict) else None
    if (
        event.method == "notifications/tasks/status"
        and event.direction is Direction.IN
        and isinstance(params, dict)
        and params.get("taskId") == task_id
    ):
        _live(session_id).task_tracker.note_status(params)


# Authorization (OAuth) ---------------------------------------------------------------------
#
# A session's flow lives here between a person's clicks (guided mode takes one step per
# "Continue"); the state, PKCE verifier and expected issuer also go to the person's Django
# session (the views bind `PendingAuthorization` there), so only that browser can finish it.


class AuthFlowMissing(Exception):
    """No flow of this session waits for what was asked (a step, or a redirect)."""


@dataclass(frozen=True, slots=True)
class TokenSummary:
    """Stored tokens as a person may see them: masked, with their claims decoded."""

    issuer: str
    resource: str
    scope: str
    client_id: str
    client_source: str
    access_token: str
    refresh_token: str | None
    expires_at: datetime | None
    expired: bool
    claims: dict[str, Any] | None

    @classmethod
    def of(cls, tokens: Tokens) -> TokenSummary:
        learned = token_learned(tokens)
        expires = tokens.expires_at
        return cls(
            issuer=tokens.issuer,
            resource=tokens.resource,
            scope=tokens.scope or tokens.requested_scope or "",
            client_id=tokens.client.client_id,
            client_source=tokens.client.source,
            access_token=learned["access_token"],
            refresh_token=learned["refresh_token"],
            expires_at=datetime.fromtimestamp(expires, tz=UTC) if expires is not None else None,
            expired=expires is not None and expires <= time.time(),
            claims=learned.get("access_token_claims"),
        )


@dataclass(frozen=True, slots=True)
class AuthPanel:
    """What the Auth tab shows."""

    session_id: str
    refusal: str | None  # why the server refused, while it does
    refusal_status: int | None
    static_token: bool
    settings: dict[str, Any]
    tokens: TokenSummary | None
    guided: bool = False
    state: FlowState | None = None
    steps: list[dict[str, Any]] = field(default_factory=list)
    error: str | None = None
    failed_step: str | None = None
    authorization_url: str | None = None

    @property
    def can_continue(self) -> bool:
        return self.guided and self.state is FlowState.READY

    @property
    def awaiting_redirect(self) -> bool:
        return self.state is FlowState.AWAITING_REDIRECT and self.authorization_url is not None


def _web_url(url: str | None) -> str | None:
    """Only http(s) URLs are ever sent to the browser to open."""
    return url if url and urlsplit(url).scheme in ("http", "https") else None


async def session_auth_panel(session_id: str) -> AuthPanel:
    session = _live(session_id)
    refusal = session.authorization
    tokens = None
    if session.spec.is_http:
        stored = await session.token_store.get_tokens(canonical_resource(session.spec.url))
        tokens = TokenSummary.of(stored) if stored is not None else None
    settings = session.spec.oauth or OAuthSettings()
    panel = AuthPanel(
        session_id=session_id,
        refusal=describe_refusal(refusal) if refusal is not None else None,
        refusal_status=refusal.status if refusal is not None else None,
        static_token=bool(session.spec.bearer_token),
        settings=settings.masked(),
        tokens=tokens,
    )
    flow = session.oauth_flow
    if flow is None:
        return panel
    return replace(
        panel,
        guided=session.oauth_flow_guided,
        state=flow.state,
        steps=[step.to_dict() for step in flow.steps],
        error=flow.error.message if flow.error is not None else None,
        failed_step=str(flow.error.step) if flow.error is not None else None,
        authorization_url=_web_url(flow.authorization_url),
    )


def session_oauth_settings(session_id: str) -> OAuthSettings | None:
    """The connection's OAuth client settings, secrets included: server side only."""
    return _live(session_id).spec.oauth


def session_set_oauth_settings(session_id: str, settings: OAuthSettings) -> None:
    session = _live(session_id)
    session.spec = replace(session.spec, oauth=settings)


async def session_auth_start(
    session_id: str, settings: OAuthSettings, *, guided: bool
) -> AuthPanel:
    """Start a flow answering the session's last refusal. Quick mode runs every step it
    can at once; guided mode runs none yet. Either may stop at the redirect."""
    session = _live(session_id)
    async with session.oauth_lock:
        await session.drop_oauth_flow()
        flow = await session.begin_authorization(settings)
        session.oauth_flow, session.oauth_flow_guided = flow, guided
        if not guided:
            while flow.state is FlowState.READY:
                await flow.step()
            await _finish_if_done(session, flow)
    return await session_auth_panel(session_id)


async def session_auth_continue(session_id: str) -> AuthPanel:
    """Guided mode: run the next step."""
    session = _live(session_id)
    async with session.oauth_lock:
        flow = session.oauth_flow
        if flow is None or flow.state is not FlowState.READY:
            raise AuthFlowMissing("No authorization step is waiting to run: start again.")
        await flow.step()
        await _finish_if_done(session, flow)
    return await session_auth_panel(session_id)


def session_auth_pending(session_id: str) -> PendingAuthorization | None:
    """What the browser's session must hold to finish the flow at the callback."""
    flow = _live(session_id).oauth_flow
    if flow is None or flow.state is not FlowState.AWAITING_REDIRECT:
        return None
    return flow.pending


async def session_auth_complete(
    session_id: str, pending: PendingAuthorization, params: dict[str, str]
) -> AuthPanel:
    """The browser came back from the authorization server: check the response against
    what this browser's session holds, redeem the code, and reconnect with the token."""
    session = _live(session_id)
    async with session.oauth_lock:
        flow = session.oauth_flow
        if flow is None or flow.oauth_state != pending.state:
            # Not this process's flow object (restarted, or another flow since): rebuild
            # it from what the browser's session holds.
            await session.drop_oauth_flow()
            flow = session.resume_authorization(pending)
            session.oauth_flow, session.oauth_flow_guided = flow, False
        if flow.state is not FlowState.AWAITING_REDIRECT:
            # The same response twice at once (a reload, a prefetch): the first one won.
            raise AuthFlowMissing("This authorization response was already used.")
        await flow.complete(params)
        await _finish_if_done(session, flow)
    return await session_auth_panel(session_id)


async def session_auth_forget(session_id: str) -> None:
    """Forget the tokens stored for the session's server; the next request goes without."""
    session = _live(session_id)
    async with session.oauth_lock:
        await session.token_store.forget_tokens(canonical_resource(session.spec.url))
        await session.drop_oauth_flow()


async def _finish_if_done(session: LiveSession, flow: AuthFlow) -> None:
    if flow.state is FlowState.DONE:
        await session.authorized()
