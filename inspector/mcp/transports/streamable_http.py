"""The Streamable HTTP transport (protocol versions 2025-03-26 to 2025-11-25).

Every client message is a new POST to one endpoint. The server answers a request with
one JSON body or with an SSE stream that may carry its own requests and notifications
before the response; it answers anything else with 202. After negotiation a standalone
GET stream carries what the server sends unprompted. SSE streams that end before their
response are resumed with GET and `Last-Event-ID`, at the pace the server's `retry`
field asks for.

`send()` returns once the server has answered the POST with a status, so HTTP errors
(and session expiry) reach the caller. It never blocks the client longer than `timeout`
seconds, though: a server that answers with JSON holds the headers back until the
result is ready, and waiting for a slow tool is the client's business (its request
timeouts), not the transport's. Such an exchange finishes in the background.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import time
import weakref
from collections.abc import Coroutine, Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, NoReturn

import httpx
from httpx_sse import EventSource, ServerSentEvent

from inspector.mcp.errors import (
    ConnectError,
    McpError,
    SessionExpired,
    TransportClosed,
)
from inspector.mcp.masking import mask_headers
from inspector.mcp.network import http_client
from inspector.mcp.trace import Direction, EventKind, MessageType, RequestId, local_event
from inspector.mcp.transports.base import Outbound, Transport, inbound_frame
from inspector.mcp.transports.http_common import (
    JSON_MEDIA_TYPE,
    SSE_MEDIA_TYPE,
    Exchange,
    HttpAuth,
    display_url,
    is_json_media_type,
    media_type,
    open_exchange,
    parse_http_url,
    preview,
    sse_event,
    status_error,
)
from inspector.mcp.versions import Era, era_of, sends_protocol_version_header

SESSION_HEADER = "Mcp-Session-Id"
PROTOCOL_VERSION_HEADER = "MCP-Protocol-Version"
LAST_EVENT_ID_HEADER = "Last-Event-ID"
POST_ACCEPT = f"{JSON_MEDIA_TYPE}, {SSE_MEDIA_TYPE}"
# The SSE spec leaves the initial reconnection delay to the user agent; browsers use
# about a second, and so do we until the server sends `retry`.
DEFAULT_RETRY_MS = 1000
# Reconnections in a row that bring nothing new before a stream is given up. A server
# that polls (closes after every event, as SEP-1699 allows) resets the count each time
# it delivers, so it can poll for as long as it likes.
MAX_RECONNECT_ATTEMPTS = 5
# `retry` is the server's to choose, but a hostile value must neither park a stream for
# hours nor, at zero, turn reconnection into a busy loop.
MAX_RETRY_MS = 60_000
MIN_RETRY_MS = 10
DELETE_TIMEOUT_SECONDS = 5.0
_SESSION_ID = re.compile(r"^[\x21-\x7e]+$")


class _StreamEnd(Enum):
    CLOSED = "closed"  # the server ended the stream
    BROKEN = "broken"  # the connection failed mid-stream
    DONE = "done"  # we stopped reading: the response we waited for arrived
    REFUSED = "refused"  # the server would not open (or reopen) the stream


@dataclass(eq=False, slots=True)
class _Stream:
    """What we know about one logical SSE stream across its reconnections."""

    label: str
    # Ids (normalised to strings) of the requests whose responses should arrive on it.
    pending: set[str] = field(default_factory=set)
    last_event_id: str = ""
    retry_ms: int = DEFAULT_RETRY_MS
    messages: int = 0  # JSON-RPC frames delivered so far, over all connections
    resumable: bool = True  # not in the modern era, which has no Last-Event-ID


class StreamableHttpTransport(Transport):
    kind = "http"

    def __init__(
        self,
        url: str,
        *,
        headers: Mapping[str, str] | None = None,
        timeout: float = 30.0,
        client: httpx.AsyncClient | None = None,
        auth: HttpAuth | None = None,
    ) -> None:
        super().__init__()
        self.url = url
        self._auth = auth
        self._custom_headers = dict(headers or {})
        self._timeout = timeout
        self._client = client
        self._owns_client = client is None
        self._target: httpx.URL | None = None
        self._session_id: str | None = None
        self._protocol_version: str | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        # Exchanges that outlived `send()`; their failures are reported as events.
        self._detached: set[asyncio.Task[None]] = set()
        self._standalone: asyncio.Task[None] | None = None
        # POST streams still being read or resumed, so a cancellation can end their wait.
        self._post_streams: set[_Stream] = set()
        # Modern era: the task carrying each request's exchange (its POST, then the
        # reader of its SSE response), so that cancelling can close it.
        self._exchanges: dict[str, asyncio.Task[None]] = {}
        # Exchanges the client cancelled, held weakly: a long session cancels many.
        self._abandoned: weakref.WeakSet[asyncio.Task[None]] = weakref.WeakSet()
        self._closing = False
        self._expired = False
        self._closed_reported = False

    @property
    def session_id(self) -> str | None:
        return self._session_id

    @property
    def protocol_version(self) -> str | None:
        """The `MCP-Protocol-Version` header value sent from now on, if any."""
        return self._protocol_version

    # --- Lifecycle ---------------------------------------------------------------------

    async def open(self) -> None:
        # Nothing is sent yet: the first POST is the client's initialize.
        self._target = parse_http_url(self.url)
        if self._client is None:
            self._client = http_client(follow_redirects=False, timeout=self._http_timeout())

    async def negotiated(self, version: str) -> None:
        if sends_protocol_version_header(version):
            self._protocol_version = version
        if self._closing or self._standalone is not None:
            return
        if era_of(version) is Era.MODERN:
            # The stateless era has no GET stream at all.
            self.emit(
                local_event(EventKind.SSE, f"No standalone GET stream in protocol {version}.")
            )
            return
        self._standalone = self._spawn(self._run_standalone_stream())

    async def close(self) -> None:
        if self._closing:
            return
        self._closing = True
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        if self._session_id is not None and not self._expired and self._client is not None:
            await self._delete_session()
        if self._owns_client and self._client is not None:
            with contextlib.suppress(Exception):
                await self._client.aclose()

    def describe(self) -> dict[str, Any]:
        return {
            "transport": self.kind,
            "url": display_url(self.url),
            "headers": mask_headers(self._custom_headers),
        }

    # --- Sending -----------------------------------------------------------------------

    def stalled_send(self, seconds: float) -> str:
        # A server that answers with JSON holds the POST's status back until its result
        # is ready: an unanswered POST is a request without a response.
        return (
            f"No response within the request timeout of {seconds:g} s: "
            "the server had not answered the HTTP POST."
        )

    async def send(self, message: Outbound) -> None:
        if self._closing:
            raise TransportClosed("The transport is closed.")
        if self._client is None or self._target is None:
            raise TransportClosed("The transport is not open.")
        self._forget_cancelled(message)
        task = self._spawn(self._post(message), report_failure=False)
        key = _id_key(message.message_id) if message.is_request else None
        if key is not None and _is_modern(message):
            self._exchanges[key] = task
        try:
            done, _ = await asyncio.wait({task}, timeout=self._timeout)
        except asyncio.CancelledError:
            task.cancel()
            raise
        if not done:
            self._detach(task, message)
            return
        if task.cancelled() and task in self._abandoned:
            # The client cancelled the request by closing its exchange; it knows.
            return
        if task.cancelled():
            # close() cancelled the exchange; the caller itself was not cancelled.
            raise TransportClosed("The transport was closed while sending.")
        task.result()

    async def _post(self, message: Outbound) -> None:
        assert self._client is not None
        assert self._target is not None
        initialize = message.method == "initialize"
        headers = self._headers(POST_ACCEPT, with_version=not initialize)
        headers["Content-Type"] = JSON_MEDIA_TYPE
        # Modern requests mirror their body in headers (Mcp-Method, Mcp-Name, ...).
        headers.update(message.headers)
        carried_session = SESSION_HEADER in headers
        exchange = await open_exchange(
            self._client,
            self.emit,
            "POST",
            self._target,
            headers=headers,
            content=message.text.encode(),
            http_timeout=self._http_timeout(),
            auth=self._auth,
        )
        if not exchange.ok:
            self._raise_for_status(exchange, carried_session)
        if initialize:
            self._capture_session(exchange.response)
        await self._dispatch_post_response(message, exchange)

    def _raise_for_status(self, exchange: Exchange, carried_session: bool) -> NoReturn:
        url = display_url(exchange.request.url)
        if exchange.status == 404 and carried_session:
            # The spec's signal that the session is gone: the client must initialize anew,
            # without the old id and without the old negotiated version.
            self._expire_session()
            raise SessionExpired(f"The server no longer knows the session (HTTP 404 from {url}).")
        raise status_error(exchange)

    async def _dispatch_post_response(self, message: Outbound, exchange: Exchange) -> None:
        response = exchange.response
        kind = media_type(response)
        if kind == SSE_MEDIA_TYPE:
            stream = _Stream(
                label=_post_label(message),
                pending=_expected_ids(message),
                resumable=not _is_modern(message),
            )
            # The reader owns the response from here and closes it.
            reader = self._spawn(self._read_post_stream(exchange, stream))
            key = _id_key(message.message_id)
            if key is not None and key in self._exchanges:
                self._exchanges[key] = reader
            return
        try:
            body = (await response.aread()).decode(response.encoding or "utf-8", errors="replace")
        finally:
            await response.aclose()
        self._deliver_body(message, exchange, kind, body)

    def _deliver_body(self, message: Outbound, exchange: Exchange, kind: str, body: str) -> None:
        status = exchange.status
        if not body.strip():
            if _expected_ids(message):
                # A request must be answered with JSON or SSE; an empty 2xx means the
                # response will not come on this POST (it may come on the GET stream).
                self.emit(
                    local_event(
                        EventKind.ERROR,
                        f"The server answered {_post_label(message)} with HTTP {status} and "
                        "no body; its response will not arrive on this POST.",
                        status=status,
                    )
                )
            return
        if is_json_media_type(kind):
            self.emit(inbound_frame(body, via="http", http_status=status, content_type=kind))
            return
        if body.lstrip().startswith(("{", "[")):
            self.emit(
                local_event(
                    EventKind.ERROR,
                    f"The body of HTTP {status} is JSON but labelled {kind or 'without a type'}; "
                    "read as a JSON-RPC message.",
                    content_type=kind,
                )
            )
            self.emit(inbound_frame(body, via="http", http_status=status, content_type=kind))
            return
        self.emit(
            local_event(
                EventKind.ERROR,
                f"Ignored a {kind or 'untyped'} body on HTTP {status}: not a JSON-RPC message.",
                content_type=kind,
                body=preview(body),
            )
        )

    def _detach(self, task: asyncio.Task[None], message: Outbound) -> None:
        """Let a slow exchange finish in the background and report how it ended."""
        self._detached.add(task)
        task.add_done_callback(self._detached.discard)
        self.emit(
            local_event(
                EventKind.HTTP,
                f"No HTTP status for {_post_label(message)} within {self._timeout:g} s; "
                "still waiting in the background.",
            )
        )

    # --- Session state -----------------------------------------------------------------

    def _capture_session(self, response: httpx.Response) -> None:
        session_id = response.headers.get(SESSION_HEADER)
        self._session_id = session_id
        self._expired = False
        if session_id is not None and not _SESSION_ID.match(session_id):
            self.emit(
                local_event(
                    EventKind.ERROR,
                    "The Mcp-Session-Id must be visible ASCII (0x21 to 0x7E); "
                    "it is sent back as received.",
                )
            )

    def _expire_session(self) -> None:
        self._session_id = None
        self._protocol_version = None
        self._expired = True
        if self._standalone is not None:
            self._standalone.cancel()
            self._standalone = None

    def _headers(self, accept: str, *, with_version: bool = True) -> httpx.Headers:
        # Our protocol headers win over custom ones of the same name (case-insensitively).
        headers = httpx.Headers(self._custom_headers)
        headers["Accept"] = accept
        if self._session_id is not None:
            headers[SESSION_HEADER] = self._session_id
        if with_version and self._protocol_version is not None:
            headers[PROTOCOL_VERSION_HEADER] = self._protocol_version
        return headers

    def _http_timeout(self) -> httpx.Timeout:
        # Streams may stay silent for as long as the server likes; timeouts of requests
        # belong to the client. Connecting, writing and waiting for a pool slot do not.
        return httpx.Timeout(self._timeout, read=None)

    # --- POST-initiated SSE streams ----------------------------------------------------

    async def _read_post_stream(self, exchange: Exchange, stream: _Stream) -> None:
        self._post_streams.add(stream)
        try:
            outcome = await self._consume(exchange, stream, stop_when_answered=False)
            if not stream.pending or outcome is _StreamEnd.DONE:
                return
            if not stream.resumable:
                # Modern streams are never resumed: the request has failed, and the
                # client must hear so rather than wait out its timeout.
                self.emit(
                    local_event(
                        EventKind.ERROR,
                        f"The SSE stream of {stream.label} ended before its response.",
                        stream=stream.label,
                        lost_request_ids=sorted(stream.pending),
                    )
                )
                return
            if not stream.last_event_id:
                self.emit(
                    local_event(
                        EventKind.ERROR,
                        f"The SSE stream of {stream.label} ended before its response and "
                        "carried no event id, so it cannot be resumed; the response is lost.",
                        stream=stream.label,
                    )
                )
                return
            await self._resume(stream)
        finally:
            self._post_streams.discard(stream)

    async def _resume(self, stream: _Stream) -> None:
        """GET with Last-Event-ID until the pending responses arrive or we give up.

        A reconnection that brings a new event id or a message is progress and resets the
        count: a server that polls (SEP-1699) may close the stream as often as it likes.
        Resumption also ends when the client cancels the request.
        """
        attempts = 0
        while stream.pending and attempts < MAX_RECONNECT_ATTEMPTS:
            attempts += 1
            await self._wait_before_reconnect(stream, attempts)
            if not stream.pending:
                break
            before = (stream.messages, stream.last_event_id)
            outcome = await self._open_get_stream(stream, stop_when_answered=True)
            if outcome is _StreamEnd.REFUSED:
                break
            if (stream.messages, stream.last_event_id) != before:
                attempts = 0
        if stream.pending:
            self.emit(
                local_event(
                    EventKind.ERROR,
                    f"Gave up resuming the SSE stream of {stream.label}; its response did "
                    "not arrive.",
                    stream=stream.label,
                    last_event_id=stream.last_event_id,
                )
            )

    async def _wait_before_reconnect(self, stream: _Stream, attempt: int) -> None:
        delay_ms = min(max(stream.retry_ms, MIN_RETRY_MS), MAX_RETRY_MS)
        resume = f" with Last-Event-ID {stream.last_event_id}" if stream.last_event_id else ""
        self.emit(
            local_event(
                EventKind.SSE,
                f"Reconnecting the {stream.label} stream in {delay_ms} ms{resume} "
                f"(attempt {attempt} of {MAX_RECONNECT_ATTEMPTS}).",
                stream=stream.label,
                attempt=attempt,
                retry_ms=delay_ms,
                last_event_id=stream.last_event_id or None,
            )
        )
        await asyncio.sleep(delay_ms / 1000)

    async def abandon(self, request_id: RequestId) -> bool:
        key = _id_key(request_id)
        task = self._exchanges.pop(key, None) if key is not None else None
        if task is None or task.done():
            return False
        self._abandoned.add(task)
        for stream in self._post_streams:
            stream.pending.discard(key)
        task.cancel()
        await asyncio.wait([task])
        return True

    def _forget_cancelled(self, message: Outbound) -> None:
        """Stop waiting for (and resuming towards) a response the client has cancelled."""
        if message.method != "notifications/cancelled":
            return
        try:
            params = json.loads(message.text).get("params") or {}
            key = _id_key(params.get("requestId"))
        except (ValueError, AttributeError):
            return
        if key is not None:
            for stream in self._post_streams:
                stream.pending.discard(key)

    # --- The standalone GET stream -----------------------------------------------------

    async def _run_standalone_stream(self) -> None:
        """Keep the server's GET stream open while the session lives.

        Only a delivered message counts as progress here: a server that keeps closing an
        idle stream is given up after a few reconnections rather than polled forever.
        """
        stream = _Stream(label="GET")
        attempts = 0
        while not self._closing and not self._expired:
            before = stream.messages
            outcome = await self._open_get_stream(stream, stop_when_answered=False)
            if outcome is _StreamEnd.REFUSED:
                return
            attempts = 0 if stream.messages != before else attempts + 1
            if attempts >= MAX_RECONNECT_ATTEMPTS:
                self.emit(
                    local_event(
                        EventKind.SSE,
                        f"The standalone GET stream was not reopened: {attempts} connections "
                        "in a row brought no message.",
                        stream=stream.label,
                    )
                )
                return
            await self._wait_before_reconnect(stream, attempts + 1)

    async def _open_get_stream(self, stream: _Stream, *, stop_when_answered: bool) -> _StreamEnd:
        """One GET (resuming after `stream.last_event_id` if set), read until it ends."""
        assert self._client is not None
        assert self._target is not None
        headers = self._headers(SSE_MEDIA_TYPE)
        if stream.last_event_id:
            headers[LAST_EVENT_ID_HEADER] = stream.last_event_id
        try:
            exchange = await open_exchange(
                self._client,
                self.emit,
                "GET",
                self._target,
                headers=headers,
                http_timeout=self._http_timeout(),
                auth=self._auth,
            )
        except ConnectError as exc:
            # Already recorded as a failed HTTP exchange; a later attempt may succeed.
            self.emit(
                local_event(EventKind.SSE, f"The {stream.label} stream could not connect: {exc}")
            )
            return _StreamEnd.BROKEN
        if not exchange.ok:
            self._note_refused_get(exchange, stream)
            return _StreamEnd.REFUSED
        if media_type(exchange.response) != SSE_MEDIA_TYPE:
            await exchange.response.aclose()
            self.emit(
                local_event(
                    EventKind.ERROR,
                    f"The GET for the {stream.label} stream was answered with "
                    f"{exchange.response.headers.get('content-type') or 'no content type'}, "
                    "not an SSE stream.",
                )
            )
            return _StreamEnd.REFUSED
        return await self._consume(exchange, stream, stop_when_answered=stop_when_answered)

    def _note_refused_get(self, exchange: Exchange, stream: _Stream) -> None:
        status = exchange.status
        if stream.label == "GET" and not stream.last_event_id:
            # 405 is the normal way to say so; some servers wrongly use 404.
            text = f"The server offers no standalone SSE stream (GET answered {status})."
        else:
            text = f"The server refused to resume the {stream.label} stream (HTTP {status})."
        self.emit(local_event(EventKind.SSE, text, stream=stream.label, status=status))

    # --- Reading SSE -------------------------------------------------------------------

    async def _consume(
        self, exchange: Exchange, stream: _Stream, *, stop_when_answered: bool
    ) -> _StreamEnd:
        """Read one SSE response until it ends; always closes the response."""
        response = exchange.response
        started = time.monotonic()
        self.emit(
            sse_event(Direction.IN, f"SSE stream opened ({stream.label}).", stream=stream.label)
        )
        outcome = _StreamEnd.CLOSED
        error: str | None = None
        try:
            async for event in EventSource(response).aiter_sse():
                await self.wait_for_flow()
                self._on_event(event, stream)
                if stop_when_answered and not stream.pending:
                    outcome = _StreamEnd.DONE
                    break
        except httpx.HTTPError as exc:
            outcome, error = _StreamEnd.BROKEN, str(exc) or type(exc).__name__
        finally:
            await response.aclose()
        self._note_stream_end(stream, outcome, error, time.monotonic() - started)
        return outcome

    def _note_stream_end(
        self, stream: _Stream, outcome: _StreamEnd, error: str | None, elapsed: float
    ) -> None:
        texts = {
            _StreamEnd.CLOSED: f"The server closed the SSE stream ({stream.label}).",
            _StreamEnd.BROKEN: f"The SSE stream ({stream.label}) broke: {error}",
            _StreamEnd.DONE: f"Stopped reading the resumed SSE stream ({stream.label}): "
            "its response arrived.",
        }
        direction = Direction.IN if outcome is _StreamEnd.CLOSED else Direction.LOCAL
        self.emit(
            sse_event(
                direction,
                texts[outcome],
                stream=stream.label,
                outcome=outcome.value,
                duration_ms=round(elapsed * 1000, 3),
                last_event_id=stream.last_event_id or None,
            )
        )

    def _on_event(self, event: ServerSentEvent, stream: _Stream) -> None:
        if event.retry is not None:
            stream.retry_ms = max(0, event.retry)
            self.emit(
                sse_event(
                    Direction.IN,
                    f"retry: {event.retry} ms",
                    stream=stream.label,
                    retry_ms=event.retry,
                )
            )
        if event.id:
            stream.last_event_id = event.id
        if event.event != "message":
            self.emit(
                sse_event(
                    Direction.IN,
                    f"Ignored an SSE event of type {event.event!r}.",
                    stream=stream.label,
                    event_type=event.event,
                    sse_event_id=event.id or None,
                    data=preview(event.data),
                )
            )
            return
        if not event.data:
            # With an id it is a priming event (SEP-1699): a resumption point, no message.
            text = f"Priming event, id {event.id}." if event.id else "Empty SSE event (keep-alive)."
            self.emit(
                sse_event(Direction.IN, text, stream=stream.label, sse_event_id=event.id or None)
            )
            return
        stream.messages += 1
        detail: dict[str, Any] = {"via": "sse", "stream": stream.label}
        if event.id:
            detail["sse_event_id"] = event.id
        self.emit(inbound_frame(event.data, **detail))
        if stream.pending:
            stream.pending.difference_update(_answered_ids(event.data))

    # --- Closing -----------------------------------------------------------------------

    async def _delete_session(self) -> None:
        assert self._client is not None
        assert self._target is not None
        try:
            async with asyncio.timeout(min(self._timeout, DELETE_TIMEOUT_SECONDS)):
                exchange = await open_exchange(
                    self._client,
                    self.emit,
                    "DELETE",
                    self._target,
                    headers=self._headers(f"{JSON_MEDIA_TYPE}, {SSE_MEDIA_TYPE}"),
                    http_timeout=httpx.Timeout(self._timeout),
                    auth=self._auth,
                )
                await exchange.response.aclose()
        except (McpError, TimeoutError, httpx.HTTPError) as exc:
            self.emit(local_event(EventKind.ERROR, f"Ending the session with DELETE failed: {exc}"))
            return
        if exchange.status == 405:
            self.emit(
                local_event(EventKind.HTTP, "The server does not let clients end sessions (405).")
            )
        elif not exchange.ok:
            self.emit(
                local_event(
                    EventKind.ERROR,
                    f"The server answered DELETE of the session with HTTP {exchange.status}.",
                )
            )

    # --- Tasks -------------------------------------------------------------------------

    def _spawn(
        self, coroutine: Coroutine[Any, Any, None], *, report_failure: bool = True
    ) -> asyncio.Task[None]:
        task = asyncio.create_task(coroutine)
        self._tasks.add(task)
        task.add_done_callback(lambda done: self._task_done(done, report_failure))
        return task

    def _task_done(self, task: asyncio.Task[None], report_failure: bool) -> None:
        self._tasks.discard(task)
        for key in [key for key, running in self._exchanges.items() if running is task]:
            del self._exchanges[key]
        if task.cancelled():
            return
        # Retrieved here in every case, so asyncio never warns about it; send() re-raises
        # the failures of exchanges it still awaits.
        error = task.exception()
        if error is None or (not report_failure and task not in self._detached):
            return
        if isinstance(error, SessionExpired):
            # Nobody awaits this exchange any more; the listener is the only one to tell.
            self._report_closed(error)
            return
        self.emit(
            local_event(EventKind.ERROR, f"HTTP transport: {error}", error=type(error).__name__)
        )

    def _report_closed(self, error: TransportClosed) -> None:
        if self._closed_reported or self._closing:
            return
        self._closed_reported = True
        self.listener.transport_closed(error)


def _post_label(message: Outbound) -> str:
    if message.message_id is not None:
        return f"POST {message.method or message.message_type.value} (id {message.message_id})"
    return f"POST {message.method or message.message_type.value}"


def _is_modern(message: Outbound) -> bool:
    version = httpx.Headers(message.headers).get(PROTOCOL_VERSION_HEADER)
    return version is not None and era_of(version) is Era.MODERN


def _id_key(value: Any) -> str | None:
    # Servers sometimes echo a numeric id as a string; the transport only needs to know
    # that an answer came, so it matches leniently (the client flags the mismatch).
    if isinstance(value, bool) or not isinstance(value, str | int):
        return None
    return str(value)


def _expected_ids(message: Outbound) -> set[str]:
    """Ids of the requests in a message, whose responses its POST stream should carry."""
    if message.is_request:
        key = _id_key(message.message_id)
        return {key} if key is not None else set()
    if message.message_type is not MessageType.BATCH:
        return set()
    try:
        batch = json.loads(message.text)
    except ValueError:
        return set()
    if not isinstance(batch, list):
        return set()
    keys = (
        _id_key(item.get("id"))
        for item in batch
        if isinstance(item, dict) and "method" in item and "id" in item
    )
    return {key for key in keys if key is not None}


def _answered_ids(data: str) -> set[str]:
    """Ids of the responses carried by one SSE message (a light parse, never fatal)."""
    try:
        payload = json.loads(data)
    except ValueError:
        return set()
    items = payload if isinstance(payload, list) else [payload]
    keys = (
        _id_key(item.get("id"))
        for item in items
        if isinstance(item, dict) and "method" not in item and ("result" in item or "error" in item)
    )
    return {key for key in keys if key is not None}
