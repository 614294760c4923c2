"""The Streamable HTTP transport (protocol versions 2025-03-26 to 2025-11-25, and the
modern era's 2026-07-28).

Every client message is a new POST to one endpoint. The server answers a request with
one JSON body or with an SSE stream that may carry its own requests and notifications
before the response; it answers anything else with 202. After negotiation a standalone
GET stream carries what the server sends unprompted. SSE streams that end before their
response are resumed with GET and `Last-Event-ID` (see `sse_streams`). The modern era
has no session, no GET stream and no resumption; a request is cancelled there by
closing its response stream.

`send()` returns once the server has answered the POST with a status, so HTTP errors
(and session expiry) reach the caller. It never blocks the client longer than `timeout`
seconds, though: a server that answers with JSON holds the headers back until the
result is ready, and waiting for a slow tool is the client's business (its request
timeouts), not the transport's. Such an exchange finishes in the background.
"""

from __future__ import annotations

import asyncio
import json
import re
import weakref
from collections.abc import Coroutine
from typing import Any, NoReturn, Unpack

import httpx

from inspector.mcp.errors import (
    McpError,
    SessionExpired,
    TransportClosed,
)
from inspector.mcp.trace import EventKind, RequestId, local_event
from inspector.mcp.transports.base import Outbound
from inspector.mcp.transports.http import (
    Exchange,
    HttpOptions,
    HttpTransport,
    post_body_events,
    status_error,
)
from inspector.mcp.transports.http_wire import (
    JSON_MEDIA_TYPE,
    SSE_MEDIA_TYPE,
    display_url,
    media_type,
    parse_http_url,
)
from inspector.mcp.transports.sse_streams import (
    LAST_EVENT_ID_HEADER,
    SseStream,
    StreamReader,
    expected_ids,
    id_key,
)
from inspector.mcp.versions import (
    PROTOCOL_VERSION_HEADER,
    Era,
    era_of,
    sends_protocol_version_header,
)

SESSION_HEADER = "Mcp-Session-Id"
POST_ACCEPT = f"{JSON_MEDIA_TYPE}, {SSE_MEDIA_TYPE}"
DELETE_TIMEOUT_SECONDS = 5.0
_SESSION_ID = re.compile(r"^[\x21-\x7e]+$")


class StreamableHttpTransport(HttpTransport):
    kind = "http"

    def __init__(self, url: str, **options: Unpack[HttpOptions]) -> None:
        super().__init__(url, **options)
        self._streams = StreamReader(self.emit, self.wait_for_flow, self._open_get)
        self._target: httpx.URL | None = None
        self._session_id: str | None = None
        self._protocol_version: str | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        # Exchanges that outlived `send()`; their failures are reported as events.
        self._detached: set[asyncio.Task[None]] = set()
        self._standalone: asyncio.Task[None] | None = None
        # POST streams still being read or resumed, so a cancellation can end their wait.
        self._post_streams: set[SseStream] = set()
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
        self._open_client(timeout=self._http_timeout())

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
        await self._close_client()

    def describe(self) -> dict[str, Any]:
        return self._description()

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
        key = id_key(message.message_id) if message.is_request else None
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
        exchange = await self._exchange(
            "POST",
            self._target,
            headers=headers,
            content=message.text.encode(),
            http_timeout=self._http_timeout(),
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
            stream = SseStream(
                label=_post_label(message),
                pending=expected_ids(message),
                resumable=not _is_modern(message),
            )
            # The reader owns the response from here and closes it.
            reader = self._spawn(self._read_post_stream(exchange, stream))
            key = id_key(message.message_id)
            if key is not None and key in self._exchanges:
                self._exchanges[key] = reader
            return
        try:
            body = (await response.aread()).decode(response.encoding or "utf-8", errors="replace")
        finally:
            await response.aclose()
        events = post_body_events(
            _post_label(message),
            exchange.status,
            kind,
            body,
            expects_response=bool(expected_ids(message)),
        )
        for event in events:
            self.emit(event)

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
        headers = self._custom_request_headers()
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

    async def _read_post_stream(self, exchange: Exchange, stream: SseStream) -> None:
        # Registered while read or resumed, so that a cancellation can end its wait.
        self._post_streams.add(stream)
        try:
            await self._streams.follow(exchange, stream)
        finally:
            self._post_streams.discard(stream)

    async def abandon(self, request_id: RequestId) -> bool:
        key = id_key(request_id)
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
            key = id_key(params.get("requestId"))
        except (ValueError, AttributeError):
            return
        if key is not None:
            for stream in self._post_streams:
                stream.pending.discard(key)

    # --- The standalone GET stream -----------------------------------------------------

    async def _run_standalone_stream(self) -> None:
        """Keep the server's GET stream open while the session lives."""
        await self._streams.keep_open(
            SseStream(label="GET"), lambda: not self._closing and not self._expired
        )

    async def _open_get(self, stream: SseStream) -> Exchange:
        """One GET for a stream, resuming after its last event id if it has one."""
        assert self._target is not None
        headers = self._headers(SSE_MEDIA_TYPE)
        if stream.last_event_id:
            headers[LAST_EVENT_ID_HEADER] = stream.last_event_id
        return await self._exchange(
            "GET", self._target, headers=headers, http_timeout=self._http_timeout()
        )

    # --- Closing -----------------------------------------------------------------------

    async def _delete_session(self) -> None:
        assert self._client is not None
        assert self._target is not None
        try:
            async with asyncio.timeout(min(self._timeout, DELETE_TIMEOUT_SECONDS)):
                exchange = await self._exchange(
                    "DELETE",
                    self._target,
                    headers=self._headers(f"{JSON_MEDIA_TYPE}, {SSE_MEDIA_TYPE}"),
                    http_timeout=httpx.Timeout(self._timeout),
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
