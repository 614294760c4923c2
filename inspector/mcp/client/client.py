"""The MCP client: pairs requests with responses, times them, answers the server.

It never crashes on what a server sends. Every frame becomes a trace event handed to
`on_event`, with findings attached when it breaks the rules, and the session goes on.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from collections.abc import Callable, Coroutine, Mapping
from typing import TYPE_CHECKING, Any

from inspector.mcp import jsonrpc
from inspector.mcp.client.pending import Pending, PendingRequests
from inspector.mcp.client.server_requests import ServerRequests
from inspector.mcp.client.types import (
    DEFAULT_REQUEST_OPTIONS,
    ClientConfig,
    InFlight,
    RequestOptions,
    ServerRequestHandler,
)
from inspector.mcp.errors import (
    ConnectError,
    FailureLayer,
    McpError,
    RequestCancelled,
    RequestTimeout,
    TimeoutLimit,
    TransportClosed,
)
from inspector.mcp.findings import Finding
from inspector.mcp.judge.judge import Judge
from inspector.mcp.trace import (
    EventKind,
    MessageType,
    RequestId,
    TraceEvent,
    local_event,
)
from inspector.mcp.transports.base import Outbound, Transport

if TYPE_CHECKING:
    from inspector.mcp.eras.base import Lifecycle, ServerInfo
from inspector.mcp.versions import Era, allows_batches

MIN_CONNECT_STEP_SECONDS = 0.05


class McpClient:
    def __init__(
        self,
        transport: Transport,
        config: ClientConfig | None = None,
        *,
        on_event: Callable[[TraceEvent], None],
        on_closed: Callable[[TransportClosed], None] | None = None,
        lifecycle: Lifecycle,
    ) -> None:
        self.transport = transport
        self.config = config or ClientConfig()
        # Chosen by whoever builds the client (`eras.auto.lifecycle_for` by default), so
        # that the eras, which drive the client, are never imported by it.
        self.lifecycle = lifecycle
        self.protocol_version = self.config.protocol_version
        self.server: ServerInfo | None = None
        self._server_requests = ServerRequests(self._respond)
        # Whether a server request waits for a person (the session's inbox is not empty).
        self.waiting_on_person: Callable[[], bool] = lambda: False
        # Told each state of a task the client follows (modern tasks extension).
        self.task_observer: Callable[[dict[str, Any]], None] | None = None
        self._on_event = on_event
        self._on_closed = on_closed
        self._next_id = 1
        self._pending = PendingRequests(self._emit)
        # Checks every message in and out against the negotiated version (one per
        # connection: some rules remember what was said before).
        self._judge = Judge() if self.config.judge else None
        self._background: set[asyncio.Task[None]] = set()
        self._stderr_tail: deque[str] = deque(maxlen=5)
        self._closed: TransportClosed | None = None
        # When the connect in progress must end (the event loop's clock): one budget for
        # the whole connect, era probe and fallbacks included.
        self._connect_deadline: float | None = None
        transport.bind(self)

    @property
    def handlers(self) -> dict[str, ServerRequestHandler]:
        """The handler of each server request method the client answers (`ping` built in)."""
        return self._server_requests.handlers

    # -- lifecycle -------------------------------------------------------------------

    async def connect(self, *, deadline: float | None = None) -> ServerInfo:
        """Open the transport and establish the session; raise `ConnectError` on failure.

        `deadline` (the event loop's clock) is when the connect must be over, shared with
        an earlier attempt that this one falls back from; by default the connect timeout
        from now."""
        now = asyncio.get_running_loop().time()
        self._connect_deadline = now + self.config.connect_timeout if deadline is None else deadline
        await self.transport.open()
        try:
            self.server = await self.lifecycle.establish(self)
        except BaseException as exc:
            if isinstance(exc, ConnectError) and exc.layer is FailureLayer.TIMEOUT:
                self.transport.peer_unresponsive()
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

    def connect_time_left(self) -> float:
        """Seconds left of the connect's budget (all of the connect timeout outside one)."""
        if self._connect_deadline is None:
            return self.config.connect_timeout
        left = self._connect_deadline - asyncio.get_running_loop().time()
        # A request needs some time to fail in: a timeout of 0 would wait for nothing.
        return max(left, MIN_CONNECT_STEP_SECONDS)

    @property
    def era(self) -> Era:
        """The era the connection speaks (for auto, the one it settled on)."""
        return self.lifecycle.era

    async def close(self) -> None:
        """End the session: fail what is in flight, stop handlers, close the transport."""
        self._pending.fail_all(RequestCancelled("The session was closed."))
        tasks = [*self._server_requests.tasks(), *self._background]
        for task in tasks:
            task.cancel("The session was closed.")
        await asyncio.gather(*tasks, return_exceptions=True)
        await self.transport.close()

    @property
    def closed(self) -> bool:
        return self._closed is not None

    def in_flight(self) -> list[InFlight]:
        """Every request still awaiting its response, oldest first, with its progress."""
        return self._pending.in_flight()

    # -- sending ---------------------------------------------------------------------

    async def request(
        self,
        method: str,
        params: dict[str, Any] | None = None,
        options: RequestOptions = DEFAULT_REQUEST_OPTIONS,
    ) -> dict[str, Any]:
        """Send a request and wait for its result; raise a `RequestError` otherwise.

        A progress token already in `params._meta` is kept; otherwise the request id
        serves as one. In the modern era one call may take several requests (a new
        version after UnsupportedProtocolVersion, the rounds of a multi round-trip
        request); each has its own id, and `options.on_started` learns every one.
        """
        return await self.lifecycle.run(self, method, params, options)

    def request_event(self, request_id: RequestId) -> TraceEvent:
        """The trace event of a request in flight (for linking later events to it)."""
        return self._pending.event(request_id)

    async def request_once(
        self,
        method: str,
        params: dict[str, Any] | None = None,
        options: RequestOptions = DEFAULT_REQUEST_OPTIONS,
        *,
        detail: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """One request and its response, as `request` describes; `detail` is added to
        the request's trace event."""
        if self._closed is not None:
            raise TransportClosed(str(self._closed))
        request_id = self._next_id
        self._next_id += 1
        params = self.lifecycle.prepare_params(self, method, params)
        if options.track_progress:
            params = _with_progress_token(params, request_id)
        headers = self.lifecycle.request_headers(self, method, params)
        event = jsonrpc.outbound_event(jsonrpc.request(request_id, method, params))
        for added in (options.detail, detail):
            if added:
                event.detail.update(added)
        pending = self._pending.add(request_id, method, event)
        if options.on_started is not None:
            options.on_started(request_id)
        self._emit(event)
        per_request = (
            options.timeout if options.timeout is not None else self.config.request_timeout
        )
        cancel = options.cancel_on_timeout
        try:
            try:
                await self._send(event, per_request, headers)
            except RequestTimeout as exc:
                # Not sent within the request timeout: over HTTP the POST is the request
                # itself, so the server may be working on it and should hear it is over.
                if not pending.future.done():
                    self._pending.give_up(request_id, pending, "timed out", str(exc))
                    if cancel:
                        self._in_background(self._send_cancelled(request_id, str(exc)))
                raise
            except McpError as exc:
                if not pending.future.done():
                    self._pending.give_up(request_id, pending, "failed", str(exc))
                raise
            return await self._await_response(request_id, pending, per_request, options)
        except asyncio.CancelledError:
            # The caller stopped waiting (its task was cancelled): the server should stop
            # too, and a late answer must not look like one to an unknown request.
            if not pending.future.done():
                self._pending.give_up(
                    request_id, pending, "abandoned", "the caller stopped waiting"
                )
                if cancel:
                    self._in_background(
                        self._send_cancelled(request_id, "The caller stopped waiting.")
                    )
            raise
        finally:
            self._pending.remove(request_id)
            if pending.future.done() and not pending.future.cancelled():
                # When sending failed, the same failure also reached the future: the
                # caller got it from the send, so it counts as seen.
                pending.future.exception()

    async def _await_response(
        self, request_id: RequestId, pending: Pending, per_request: float, options: RequestOptions
    ) -> dict[str, Any]:
        total = (
            options.max_total if options.max_total is not None else self.config.max_total_timeout
        )
        try:
            return await self._pending.wait(
                request_id,
                pending,
                per_request=per_request,
                total=total,
                reset_on_progress=self.config.reset_timeout_on_progress,
                person_pending=lambda: self.waiting_on_person(),
            )
        except RequestTimeout as exc:
            if options.cancel_on_timeout:
                await self._send_cancelled(request_id, str(exc))
            raise

    async def notify(
        self,
        method: str,
        params: dict[str, Any] | None = None,
        *,
        detail: Mapping[str, Any] | None = None,
    ) -> None:
        event = jsonrpc.outbound_event(jsonrpc.notification(method, params))
        if detail:
            event.detail.update(detail)
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
        self._pending.give_up(request_id, pending, "cancelled", reason)
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
            self._pending.fail_lost(event.detail.get("lost_request_ids"))
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
        self._pending.fail_all(TransportClosed(f"{error}{self.stderr_hint()}"))
        if self._on_closed is not None:
            self._on_closed(error)

    def _dispatch(self, event: TraceEvent) -> None:
        kind = event.message_type
        if kind in (MessageType.RESULT, MessageType.ERROR):
            self._pending.settle(event)
        elif kind is MessageType.REQUEST:
            duplicate = event.message_id in self._server_requests
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
                self._server_requests.start(event)
        elif kind is MessageType.NOTIFICATION:
            self._emit(event)
            self._observe_notification(event)
        else:
            self._emit(event)

    def _observe_notification(self, event: TraceEvent) -> None:
        params = event.params
        if params is None:
            return
        if event.method == "notifications/progress":
            self._pending.observe_progress(
                params, reset_timeout=self.config.reset_timeout_on_progress
            )
        elif event.method == "notifications/cancelled":
            self._server_requests.cancel(params.get("requestId"), params.get("reason"))

    # -- helpers ---------------------------------------------------------------------

    def stderr_hint(self) -> str:
        if not self._stderr_tail:
            return ""
        return " Last stderr: " + " | ".join(self._stderr_tail)

    def _emit(self, event: TraceEvent) -> None:
        if self._judge is not None:
            self._judge.check(event, self.protocol_version)
        self._on_event(event)

    def emit(self, event: TraceEvent) -> None:
        """Record an event the caller observed on this connection's behalf."""
        self._emit(event)

    def _in_background(self, coroutine: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(coroutine)
        self._background.add(task)
        task.add_done_callback(self._background.discard)


def _outbound(event: TraceEvent, headers: dict[str, str] | None = None) -> Outbound:
    assert event.message_type is not None
    return Outbound(
        event.text, event.message_type, event.method, event.message_id, dict(headers or {})
    )


def _with_progress_token(params: dict[str, Any] | None, token: RequestId) -> dict[str, Any]:
    params = dict(params or {})
    meta = dict(params.get("_meta") or {})
    meta.setdefault("progressToken", token)
    params["_meta"] = meta
    return params
