"""The MCP client: pairs requests with responses, times them, answers the server.

It never crashes on what a server sends. Every frame becomes a trace event handed to
`on_event`, with findings attached when it breaks the rules, and the session goes on.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import OrderedDict, deque
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any, TypedDict, TypeGuard

from inspector.mcp import jsonrpc
from inspector.mcp.errors import (
    JsonRpcError,
    McpError,
    RequestCancelled,
    RequestError,
    RequestTimeout,
    TimeoutLimit,
    TransportClosed,
)
from inspector.mcp.findings import Finding, Severity
from inspector.mcp.lifecycle import Lifecycle, ServerInfo
from inspector.mcp.modern import ORIGIN_DETAIL, ROUND_DETAIL, lifecycle_for
from inspector.mcp.trace import EventKind, MessageType, RequestId, TraceEvent, local_event
from inspector.mcp.transports.base import Outbound, Transport
from inspector.mcp.validation import result_findings
from inspector.mcp.versions import DEFAULT_VERSION, Era, EraChoice, allows_batches

CLIENT_INFO = {"name": "inspector", "title": "MCP Inspector", "version": "0.1.0"}
FINISHED_IDS_REMEMBERED = 1024


@dataclass(slots=True)
class ClientConfig:
    protocol_version: str = DEFAULT_VERSION
    capabilities: dict[str, Any] = field(default_factory=dict)
    client_info: dict[str, Any] = field(default_factory=lambda: dict(CLIENT_INFO))
    connect_timeout: float = 30.0
    request_timeout: float = 60.0
    reset_timeout_on_progress: bool = True
    max_total_timeout: float = 600.0
    # Which era to speak: the legacy handshake, the modern stateless protocol, or
    # whichever the server speaks (probed on connect).
    era: EraChoice = EraChoice.LEGACY
    # Modern era: the log level asked for on every request (`_meta`), which replaces
    # `logging/setLevel`; None asks for no log messages.
    log_level: str | None = None


class RequestOptions(TypedDict, total=False):
    """How `McpClient.request_once` sends and waits; see `McpClient.request`."""

    timeout: float | None
    max_total: float | None
    cancel_on_timeout: bool
    track_progress: bool
    on_started: Callable[[RequestId], None] | None


@dataclass(slots=True)
class ServerRequest:
    """A request the server sent to the client, handed to a handler."""

    id: RequestId
    method: str
    params: dict[str, Any]
    event: TraceEvent


ServerRequestHandler = Callable[[ServerRequest], Awaitable[dict[str, Any]]]


@dataclass(slots=True)
class _Pending:
    method: str
    event: TraceEvent
    future: asyncio.Future[dict[str, Any]]
    started: float
    last_activity: float
    started_at: float = field(default_factory=time.time)  # wall clock, for display
    progress: float | None = None
    total: float | None = None
    progress_message: str = ""
    progress_updates: int = 0


@dataclass(frozen=True, slots=True)
class InFlight:
    """A request still awaiting its response, as it stands now."""

    id: RequestId
    method: str
    params: dict[str, Any]
    started_at: float
    elapsed: float
    progress_token: Any
    progress: float | None
    total: float | None
    progress_message: str
    progress_updates: int


@dataclass(frozen=True, slots=True)
class _Ended:
    """A request no longer awaited: why, and enough to name it on a late response."""

    why: str
    method: str
    request_seq: int | None


async def _answer_ping(request: ServerRequest) -> dict[str, Any]:
    return {}


class McpClient:
    def __init__(
        self,
        transport: Transport,
        config: ClientConfig | None = None,
        *,
        on_event: Callable[[TraceEvent], None],
        on_closed: Callable[[TransportClosed], None] | None = None,
        lifecycle: Lifecycle | None = None,
    ) -> None:
        self.transport = transport
        self.config = config or ClientConfig()
        self.lifecycle: Lifecycle = lifecycle or lifecycle_for(self.config.era, transport.kind)
        self.protocol_version = self.config.protocol_version
        self.server: ServerInfo | None = None
        self.handlers: dict[str, ServerRequestHandler] = {"ping": _answer_ping}
        # Whether a server request waits for a person (the session's inbox is not empty).
        self.waiting_on_person: Callable[[], bool] = lambda: False
        # Told each state of a task the client follows (modern tasks extension).
        self.task_observer: Callable[[dict[str, Any]], None] | None = None
        self._on_event = on_event
        self._on_closed = on_closed
        self._next_id = 1
        self._pending: dict[RequestId, _Pending] = {}
        # Ids that are no longer awaited, and why: a late response to one is marked.
        self._finished: OrderedDict[RequestId, _Ended] = OrderedDict()
        self._handler_tasks: dict[RequestId, asyncio.Task[None]] = {}
        self._background: set[asyncio.Task[None]] = set()
        self._stderr_tail: deque[str] = deque(maxlen=5)
        self._closed: TransportClosed | None = None
        transport.bind(self)

    # -- lifecycle -------------------------------------------------------------------

    async def connect(self) -> ServerInfo:
        """Open the transport and establish the session; raise `ConnectError` on failure."""
        await self.transport.open()
        try:
            self.server = await self.lifecycle.establish(self)
        except BaseException:
            await self.transport.close()
            raise
        server = self.server
        self._emit(
            local_event(
                EventKind.LIFECYCLE,
                f"Speaking the {server.era.value} era, protocol {server.protocol_version}: "
                f"{server.era_reason}",
                era=server.era.value,
                protocol_version=server.protocol_version,
                era_reason=server.era_reason,
            )
        )
        return server

    @property
    def era(self) -> Era:
        """The era the connection speaks (for auto, the one it settled on)."""
        return self.lifecycle.era

    async def close(self) -> None:
        """End the session: fail what is in flight, stop handlers, close the transport."""
        self._fail_all(RequestCancelled("The session was closed."))
        tasks = [*self._handler_tasks.values(), *self._background]
        for task in tasks:
            task.cancel("The session was closed.")
        await asyncio.gather(*tasks, return_exceptions=True)
        await self.transport.close()

    @property
    def closed(self) -> bool:
        return self._closed is not None

    def in_flight(self) -> list[InFlight]:
        """Every request still awaiting its response, oldest first, with its progress."""
        now = asyncio.get_running_loop().time()
        requests = []
        for request_id, pending in self._pending.items():
            if pending.future.done():
                continue
            params = pending.event.payload.get("params") if pending.event.payload else None
            requests.append(
                InFlight(
                    id=request_id,
                    method=pending.method,
                    params=params if isinstance(params, dict) else {},
                    started_at=pending.started_at,
                    elapsed=now - pending.started,
                    progress_token=_progress_token(pending.event),
                    progress=pending.progress,
                    total=pending.total,
                    progress_message=pending.progress_message,
                    progress_updates=pending.progress_updates,
                )
            )
        return requests

    # -- sending ---------------------------------------------------------------------

    async def request(
        self,
        method: str,
        params: dict[str, Any] | None = None,
        *,
        timeout: float | None = None,
        max_total: float | None = None,
        cancel_on_timeout: bool = True,
        track_progress: bool = True,
        on_started: Callable[[RequestId], None] | None = None,
    ) -> dict[str, Any]:
        """Send a request and wait for its result; raise a `RequestError` otherwise.

        `timeout` (default: the configured request timeout) restarts on each progress
        notification when so configured; `max_total` (default: the configured maximum)
        bounds the whole wait regardless. `on_started` learns the request's id before it
        is sent, so that the caller can cancel it while waiting. A progress token already
        in `params._meta` is kept; otherwise the request id serves as one.

        In the modern era one call may take several requests (a new version after
        UnsupportedProtocolVersion, the rounds of a multi round-trip request); each has
        its own id, and `on_started` learns every one.
        """
        options: RequestOptions = {
            "timeout": timeout,
            "max_total": max_total,
            "cancel_on_timeout": cancel_on_timeout,
            "track_progress": track_progress,
            "on_started": on_started,
        }
        return await self.lifecycle.run(self, method, params, options)

    def request_event(self, request_id: RequestId) -> TraceEvent:
        """The trace event of a request in flight (for linking later events to it)."""
        return self._pending[request_id].event

    async def request_once(
        self,
        method: str,
        params: dict[str, Any] | None = None,
        *,
        timeout: float | None = None,
        max_total: float | None = None,
        cancel_on_timeout: bool = True,
        track_progress: bool = True,
        on_started: Callable[[RequestId], None] | None = None,
        detail: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """One request and its response, as `request` describes; `detail` is added to
        the request's trace event."""
        if self._closed is not None:
            raise TransportClosed(str(self._closed))
        request_id = self._next_id
        self._next_id += 1
        params = self.lifecycle.prepare_params(self, method, params)
        if track_progress:
            params = _with_progress_token(params, request_id)
        headers = self.lifecycle.request_headers(self, method, params)
        message = jsonrpc.request(request_id, method, params)
        event = jsonrpc.outbound_event(message)
        if detail:
            event.detail.update(detail)
        loop = asyncio.get_running_loop()
        now = loop.time()
        pending = _Pending(method, event, loop.create_future(), now, now)
        self._pending[request_id] = pending
        if on_started is not None:
            on_started(request_id)
        self._emit(event)
        per_request = timeout if timeout is not None else self.config.request_timeout
        try:
            try:
                await self._send(event, per_request, headers)
            except RequestTimeout as exc:
                # Not sent within the request timeout: over HTTP the POST is the request
                # itself, so the server may be working on it and should hear it is over.
                if not pending.future.done():
                    self._give_up(request_id, pending, "timed out", str(exc))
                    if cancel_on_timeout:
                        self._in_background(self._send_cancelled(request_id, str(exc)))
                raise
            except McpError as exc:
                if not pending.future.done():
                    self._give_up(request_id, pending, "failed", str(exc))
                raise
            return await self._wait(request_id, pending, per_request, max_total, cancel_on_timeout)
        except asyncio.CancelledError:
            # The caller stopped waiting (its task was cancelled): the server should stop
            # too, and a late answer must not look like one to an unknown request.
            if not pending.future.done():
                self._give_up(request_id, pending, "abandoned", "the caller stopped waiting")
                if cancel_on_timeout:
                    self._in_background(
                        self._send_cancelled(request_id, "The caller stopped waiting.")
                    )
            raise
        finally:
            self._pending.pop(request_id, None)
            if pending.future.done() and not pending.future.cancelled():
                # When sending failed, the same failure also reached the future: the
                # caller got it from the send, so it counts as seen.
                pending.future.exception()

    async def _wait(
        self,
        request_id: RequestId,
        pending: _Pending,
        per_request: float,
        max_total: float | None,
        cancel: bool,
    ) -> dict[str, Any]:
        total = max_total if max_total is not None else self.config.max_total_timeout
        loop = asyncio.get_running_loop()
        while not pending.future.done():
            idle_deadline = pending.last_activity + per_request
            total_deadline = pending.started + total
            remaining = min(idle_deadline, total_deadline) - loop.time()
            if remaining <= 0 and idle_deadline < total_deadline and self.waiting_on_person():
                # The server asked us something a person has yet to answer: the delay is
                # the person's, so only the maximum total still applies.
                pending.last_activity = loop.time()
                continue
            if remaining <= 0:
                limit = (
                    TimeoutLimit.TOTAL if total_deadline <= idle_deadline else TimeoutLimit.REQUEST
                )
                reason = self._timeout_reason(pending, limit, per_request, total)
                self._give_up(request_id, pending, "timed out", reason)
                if cancel:
                    await self._send_cancelled(request_id, reason)
                raise RequestTimeout(reason, limit=limit)
            await asyncio.wait([pending.future], timeout=remaining)
        return pending.future.result()

    def _timeout_reason(
        self, pending: _Pending, limit: TimeoutLimit, per_request: float, total: float
    ) -> str:
        """Which limit was hit, and what progress had to do with it, in one sentence."""
        progressed = pending.progress_updates > 0
        if limit is TimeoutLimit.TOTAL:
            despite = ", although the server was reporting progress" if progressed else ""
            return f"No response within the maximum total time of {total:g} s{despite}."
        if progressed and self.config.reset_timeout_on_progress:
            return (
                f"No response within the request timeout of {per_request:g} s "
                "after the last progress notification."
            )
        if progressed:
            return (
                f"No response within the request timeout of {per_request:g} s "
                "(progress does not reset it on this connection)."
            )
        return f"No response within the request timeout of {per_request:g} s."

    async def notify(self, method: str, params: dict[str, Any] | None = None) -> None:
        event = jsonrpc.outbound_event(jsonrpc.notification(method, params))
        self._emit(event)
        await self._send(event)

    async def _send(
        self, event: TraceEvent, limit: float | None = None, headers: dict[str, str] | None = None
    ) -> None:
        """Hand a message to the transport, within `limit` (default: the request timeout)."""
        seconds = limit if limit is not None else self.config.request_timeout
        try:
            async with asyncio.timeout(seconds):
                await self.transport.send(_outbound(event, headers))
        except TimeoutError as exc:
            raise RequestTimeout(
                self.transport.stalled_send(seconds), limit=TimeoutLimit.REQUEST
            ) from exc
        except TransportClosed as exc:
            # The transport found the connection gone (an expired HTTP session, a dead
            # process): the session is over, whoever happened to be sending.
            self.transport_closed(exc)
            raise

    async def cancel(self, request_id: RequestId, reason: str = "Cancelled by the user.") -> bool:
        """Cancel a request in flight; its late response, if any, will be marked."""
        pending = self._pending.get(request_id)
        if pending is None or pending.future.done():
            return False
        self._give_up(request_id, pending, "cancelled", reason)
        pending.future.set_exception(RequestCancelled(reason))
        await self._send_cancelled(request_id, reason)
        return True

    async def _send_cancelled(self, request_id: RequestId, reason: str) -> None:
        if self.era is Era.MODERN and self.transport.kind == "http":
            # Modern HTTP has no cancellation message: closing the response stream is one.
            closed = await self.transport.abandon(request_id)
            self._emit(
                local_event(
                    EventKind.HTTP,
                    f"Closed the response stream of request {request_id} to cancel it: {reason}"
                    if closed
                    else f"Request {request_id} had no open response left to close: {reason}",
                    request_id=request_id,
                    cancelled=closed,
                )
            )
            return
        with contextlib.suppress(McpError):
            await self.notify(
                "notifications/cancelled", {"requestId": request_id, "reason": reason}
            )

    async def _respond(self, message: dict[str, Any]) -> None:
        event = jsonrpc.outbound_event(message)
        self._emit(event)
        with contextlib.suppress(McpError):
            await self._send(event)

    # -- receiving (TransportListener) -----------------------------------------------

    def transport_event(self, event: TraceEvent) -> None:
        if not event.is_inbound_frame:
            if event.kind is EventKind.STDERR:
                self._stderr_tail.append(event.text)
            self._emit(event)
            self._fail_lost(event.detail.get("lost_request_ids"))
            return
        messages = jsonrpc.decode_frame(
            event, batches_allowed=allows_batches(self.protocol_version)
        )
        for message in messages:
            self._dispatch(message)

    def transport_closed(self, error: TransportClosed) -> None:
        if self._closed is not None:
            return
        self._closed = error
        self._emit(local_event(EventKind.LIFECYCLE, f"Connection closed: {error}", closed=True))
        self._fail_all(TransportClosed(f"{error}{self.stderr_hint()}"))
        if self._on_closed is not None:
            self._on_closed(error)

    def _dispatch(self, event: TraceEvent) -> None:
        kind = event.message_type
        if kind in (MessageType.RESULT, MessageType.ERROR):
            self._settle(event)
        elif kind is MessageType.REQUEST:
            duplicate = event.message_id in self._handler_tasks
            if duplicate:
                event.findings.append(
                    Finding(
                        "client.duplicate-id",
                        "A request with this id is still being handled; ids must be unique.",
                        "$.id",
                    )
                )
            self._emit(event)
            if duplicate and event.message_id is not None:
                refusal = jsonrpc.error(
                    event.message_id, jsonrpc.INVALID_REQUEST, "Duplicate request id."
                )
                self._in_background(self._respond(refusal))
            else:
                self._start_handler(event)
        elif kind is MessageType.NOTIFICATION:
            self._emit(event)
            self._observe_notification(event)
        else:
            self._emit(event)

    def _settle(self, event: TraceEvent) -> None:
        """Pair a response with its request, annotate it, then wake the waiter."""
        request_id = self._match_id(event)
        pending = self._pending.get(request_id) if request_id is not None else None
        if request_id is None or pending is None or pending.future.done():
            ended = self._finished.get(request_id) if request_id is not None else None
            if ended is not None:
                # Named after its request, but not paired with it: the request's row keeps
                # the outcome the person saw (cancelled, timed out), not this answer.
                event.method = ended.method
                event.detail["late_for_seq"] = ended.request_seq
                event.detail["late_because"] = ended.why
                event.findings.append(
                    Finding(
                        "client.late-response",
                        f"Response to a {ended.method} request that was already "
                        f"{ended.why}; ignored.",
                        "$.id",
                        Severity.WARNING,
                    )
                )
            else:
                event.findings.append(
                    Finding("client.unknown-id", "No request with this id is in flight.", "$.id")
                )
            self._emit(event)
            return
        event.request_seq = pending.event.seq
        event.method = pending.method
        _link_round(event, pending.event)
        elapsed = asyncio.get_running_loop().time() - pending.started
        event.duration_ms = round(elapsed * 1000, 3)
        payload = event.payload
        if event.message_type is MessageType.RESULT:
            event.findings.extend(result_findings(pending.method, payload.get("result")))
        self._emit(event)
        self._finish(request_id, "answered", pending)
        if event.message_type is MessageType.ERROR:
            body = payload.get("error")
            body = body if isinstance(body, dict) else {}
            pending.future.set_exception(
                JsonRpcError(_int(body.get("code")), str(body.get("message", "")), body.get("data"))
            )
        else:
            result = payload.get("result")
            pending.future.set_result(result if isinstance(result, dict) else {})

    def _match_id(self, event: TraceEvent) -> RequestId | None:
        request_id = event.message_id
        if request_id is None or request_id in self._pending:
            return request_id
        # Some servers echo a numeric id as a string: pair it, but say so.
        if (
            isinstance(request_id, str)
            and request_id.isdigit()
            and int(request_id) in self._pending
        ):
            event.findings.append(
                Finding(
                    "jsonrpc.id-echo",
                    f"The response id {request_id!r} is a string; the request's id was a number.",
                    "$.id",
                    Severity.WARNING,
                )
            )
            return int(request_id)
        return request_id

    def _observe_notification(self, event: TraceEvent) -> None:
        params = event.payload.get("params") if isinstance(event.payload, dict) else None
        if not isinstance(params, dict):
            return
        if event.method == "notifications/progress":
            token = params.get("progressToken")
            for pending in self._pending.values():
                if _progress_token(pending.event) != token:
                    continue
                pending.progress = _number(params.get("progress"))
                pending.total = _number(params.get("total"))
                message = params.get("message")
                pending.progress_message = message if isinstance(message, str) else ""
                pending.progress_updates += 1
                if self.config.reset_timeout_on_progress:
                    pending.last_activity = asyncio.get_running_loop().time()
        elif event.method == "notifications/cancelled":
            request_id = params.get("requestId")
            task = self._handler_tasks.get(request_id) if _is_id(request_id) else None
            if task is not None:
                reason = params.get("reason")
                # The handler may be waiting for a person: the message tells them why it ended.
                task.cancel(
                    f"The server cancelled its request: {reason}"
                    if isinstance(reason, str) and reason
                    else "The server cancelled its request."
                )

    def _start_handler(self, event: TraceEvent) -> None:
        request_id = event.message_id
        if request_id is None:
            return
        task = asyncio.create_task(self._handle_server_request(request_id, event))
        self._handler_tasks[request_id] = task

        def forget(done: asyncio.Task[None]) -> None:
            if self._handler_tasks.get(request_id) is done:
                del self._handler_tasks[request_id]

        task.add_done_callback(forget)

    async def _handle_server_request(self, request_id: RequestId, event: TraceEvent) -> None:
        method = event.method or ""
        params = event.payload.get("params")
        handler = self.handlers.get(method)
        if handler is None:
            await self._respond(
                jsonrpc.error(request_id, jsonrpc.METHOD_NOT_FOUND, f"Method not found: {method}")
            )
            return
        request = ServerRequest(
            request_id, method, params if isinstance(params, dict) else {}, event
        )
        try:
            value = await handler(request)
        except JsonRpcError as exc:
            await self._respond(jsonrpc.error(request_id, exc.code, exc.message, exc.data))
        except asyncio.CancelledError:
            # The server cancelled its request (or the session is closing): no response.
            return
        except Exception as exc:  # a handler bug must not take the session down
            await self._respond(jsonrpc.error(request_id, jsonrpc.INTERNAL_ERROR, str(exc)))
        else:
            await self._respond(jsonrpc.result(request_id, value))

    # -- helpers ---------------------------------------------------------------------

    def stderr_hint(self) -> str:
        if not self._stderr_tail:
            return ""
        return " Last stderr: " + " | ".join(self._stderr_tail)

    def _emit(self, event: TraceEvent) -> None:
        self._on_event(event)

    def emit(self, event: TraceEvent) -> None:
        """Record an event the caller observed on this connection's behalf."""
        self._on_event(event)

    def _finish(self, request_id: RequestId, why: str, pending: _Pending) -> None:
        self._finished[request_id] = _Ended(why, pending.method, pending.event.seq)
        while len(self._finished) > FINISHED_IDS_REMEMBERED:
            self._finished.popitem(last=False)

    def _give_up(self, request_id: RequestId, pending: _Pending, outcome: str, reason: str) -> None:
        """Record that a request's answer is no longer awaited, on the request's row too."""
        self._finish(request_id, outcome, pending)
        event = local_event(
            EventKind.ERROR,
            f"{pending.method} (id {request_id}) {outcome}: {reason}",
            outcome=outcome,
        )
        event.method = pending.method
        event.message_id = request_id
        event.request_seq = pending.event.seq
        elapsed = asyncio.get_running_loop().time() - pending.started
        event.duration_ms = round(elapsed * 1000, 3)
        self._emit(event)

    def _in_background(self, coroutine: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(coroutine)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    def _fail_lost(self, keys: Any) -> None:
        """Fail the requests whose response stream ended without their response."""
        if not isinstance(keys, list):
            return
        for request_id, pending in list(self._pending.items()):
            if str(request_id) in keys and not pending.future.done():
                reason = "its response stream ended before the response"
                self._give_up(request_id, pending, "failed", reason)
                pending.future.set_exception(RequestError(f"{pending.method} failed: {reason}."))

    def _fail_all(self, error: McpError) -> None:
        for request_id, pending in list(self._pending.items()):
            if not pending.future.done():
                self._give_up(request_id, pending, "failed", str(error))
                pending.future.set_exception(error)


def _outbound(event: TraceEvent, headers: dict[str, str] | None = None) -> Outbound:
    assert event.message_type is not None
    return Outbound(
        event.text, event.message_type, event.method, event.message_id, dict(headers or {})
    )


def _link_round(response: TraceEvent, request: TraceEvent) -> None:
    """Tie a response to the multi round-trip request it is part of, if it is."""
    if ORIGIN_DETAIL in request.detail:
        response.detail[ORIGIN_DETAIL] = request.detail[ORIGIN_DETAIL]
        response.detail[ROUND_DETAIL] = request.detail[ROUND_DETAIL]
        return
    payload = response.payload if isinstance(response.payload, dict) else {}
    result = payload.get("result")
    if isinstance(result, dict) and result.get("resultType") == "input_required":
        # The first round: the request itself is the origin.
        response.detail[ORIGIN_DETAIL] = request.seq
        response.detail[ROUND_DETAIL] = 1


def _with_progress_token(params: dict[str, Any] | None, token: RequestId) -> dict[str, Any]:
    params = dict(params or {})
    meta = dict(params.get("_meta") or {})
    meta.setdefault("progressToken", token)
    params["_meta"] = meta
    return params


def _progress_token(event: TraceEvent) -> Any:
    params = event.payload.get("params") if isinstance(event.payload, dict) else None
    meta = params.get("_meta") if isinstance(params, dict) else None
    return meta.get("progressToken") if isinstance(meta, dict) else None


def _is_id(value: Any) -> TypeGuard[RequestId]:
    return isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool))


def _int(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _number(value: Any) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return None
