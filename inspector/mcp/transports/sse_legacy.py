"""The legacy HTTP+SSE transport (protocol version 2024-11-05).

The client opens one long GET stream. The server's first event, `endpoint`, names the URL
to POST every client message to; the server's messages all arrive on the stream as
`message` events. The transport refuses an endpoint on another origin: a server must not
be able to redirect the client's messages (and custom headers, such as credentials) to a
third party. There is no session header, no protocol version header and no resumption.
"""

from __future__ import annotations

import asyncio
from typing import Any, Unpack

import httpx
from httpx_sse import EventSource, ServerSentEvent

from inspector.mcp.errors import ConnectError, FailureLayer, TransportClosed
from inspector.mcp.trace import Direction, EventKind, local_event
from inspector.mcp.transports.base import Outbound, inbound_frame
from inspector.mcp.transports.http import (
    Exchange,
    HttpOptions,
    HttpTransport,
    read_limited,
    status_error,
)
from inspector.mcp.transports.http_wire import (
    JSON_MEDIA_TYPE,
    SSE_MEDIA_TYPE,
    display_url,
    media_type,
    parse_http_url,
    preview,
    same_origin,
    sse_event,
)


class LegacySseTransport(HttpTransport):
    kind = "sse"

    def __init__(self, url: str, **options: Unpack[HttpOptions]) -> None:
        super().__init__(url, **options)
        self._endpoint: httpx.URL | None = None
        self._endpoint_ready: asyncio.Future[httpx.URL] | None = None
        self._reader: asyncio.Task[None] | None = None
        self._stream_ended = False
        self._closing = False
        self._closed_reported = False

    @property
    def endpoint(self) -> str | None:
        """The URL the server named for the client's POSTs, once known."""
        return str(self._endpoint) if self._endpoint is not None else None

    # --- Opening -----------------------------------------------------------------------

    async def open(self) -> None:
        target = parse_http_url(self.url)
        self._open_client()
        try:
            async with asyncio.timeout(self._timeout):
                exchange = await self._open_stream(target)
                self._endpoint_ready = asyncio.get_running_loop().create_future()
                self._reader = asyncio.create_task(self._read(exchange))
                await self._endpoint_ready
        except TimeoutError as exc:
            await self._abandon_open()
            raise ConnectError(
                FailureLayer.TIMEOUT,
                f"No endpoint event from {display_url(target)} within {self._timeout:g} s.",
            ) from exc
        except BaseException:
            await self._abandon_open()
            raise

    async def _open_stream(self, target: httpx.URL) -> Exchange:
        headers = self._custom_request_headers()
        headers["Accept"] = SSE_MEDIA_TYPE
        headers["Cache-Control"] = "no-store"
        exchange = await self._exchange(
            "GET",
            target,
            headers=headers,
            # The stream may stay silent between messages for as long as the server likes.
            http_timeout=httpx.Timeout(self._timeout, read=None),
        )
        if not exchange.ok:
            body = (exchange.error_body or "").strip()
            hint = f": {body[:300]}" if body else "."
            raise ConnectError(
                FailureLayer.HTTP,
                f"GET {display_url(target)} answered HTTP {exchange.status}{hint}",
                status=exchange.status,
            ) from status_error(exchange)
        kind = media_type(exchange.response)
        if kind != SSE_MEDIA_TYPE:
            await exchange.response.aclose()
            raise ConnectError(
                FailureLayer.PROTOCOL,
                f"GET {display_url(target)} answered {kind or 'without a content type'}, "
                "not an SSE stream: this is not a legacy HTTP+SSE endpoint.",
                status=exchange.status,
            )
        return exchange

    async def _abandon_open(self) -> None:
        """Undo a failed open: nothing may outlive it."""
        await self._stop_reader()
        await self._close_client()

    # --- Reading the stream ------------------------------------------------------------

    async def _read(self, exchange: Exchange) -> None:
        response = exchange.response
        base = response.request.url  # after redirects: relative endpoints resolve against it
        self.emit(sse_event(Direction.IN, "SSE stream opened.", url=display_url(base)))
        error: str | None = None
        try:
            async for event in EventSource(response).aiter_sse():
                await self.wait_for_flow()
                if not self._on_event(event, base):
                    return
        except httpx.HTTPError as exc:
            error = str(exc) or type(exc).__name__
        except Exception as exc:
            # A fault in this transport must neither leave open() waiting nor the session silent.
            error = f"{type(exc).__name__}: {exc}"
        finally:
            await response.aclose()
        self._stream_over(error)

    def _stream_over(self, error: str | None) -> None:
        self._stream_ended = True
        if error is None:
            self.emit(sse_event(Direction.IN, "The server closed the SSE stream."))
        else:
            self.emit(sse_event(Direction.LOCAL, f"The SSE stream broke: {error}", error=error))
        ready = self._endpoint_ready
        if ready is not None and not ready.done():
            ready.set_exception(
                ConnectError(
                    FailureLayer.PROTOCOL, "The SSE stream ended before the endpoint event."
                )
            )
            return
        if self._endpoint is not None and not self._closing and not self._closed_reported:
            self._closed_reported = True
            reason = (
                f"The SSE stream broke: {error}" if error else "The server closed the SSE stream."
            )
            self.listener.transport_closed(TransportClosed(reason))

    def _on_event(self, event: ServerSentEvent, base: httpx.URL) -> bool:
        """Handle one event; False stops reading (the endpoint was refused)."""
        if event.retry is not None:
            # No resumption in this transport: the value is recorded, not used.
            self.emit(sse_event(Direction.IN, f"retry: {event.retry} ms", retry_ms=event.retry))
        if event.event == "endpoint":
            return self._on_endpoint(event.data, base)
        if event.event != "message":
            self.emit(
                sse_event(
                    Direction.IN,
                    f"Ignored an SSE event of type {event.event!r}.",
                    event_type=event.event,
                    data=preview(event.data),
                )
            )
        elif not event.data.strip():
            self.emit(sse_event(Direction.IN, "Empty SSE event (keep-alive)."))
        else:
            self._on_message(event)
        return True

    def _on_message(self, event: ServerSentEvent) -> None:
        if self._endpoint is None:
            self.emit(
                local_event(EventKind.ERROR, "The server sent a message before the endpoint event.")
            )
        detail: dict[str, Any] = {"via": "sse"}
        if event.id:
            detail["sse_event_id"] = event.id
        self.emit(inbound_frame(event.data, **detail))

    def _on_endpoint(self, data: str, base: httpx.URL) -> bool:
        if self._endpoint is not None:
            self.emit(
                local_event(
                    EventKind.ERROR,
                    f"Ignored a second endpoint event ({data!r}); messages still go to "
                    f"{display_url(self._endpoint)}.",
                )
            )
            return True
        refusal, endpoint = _resolve_endpoint(data.strip(), base)
        ready = self._endpoint_ready
        if endpoint is None:
            self.emit(local_event(EventKind.ERROR, refusal, endpoint=data))
            if ready is not None and not ready.done():
                ready.set_exception(ConnectError(FailureLayer.PROTOCOL, refusal))
            return False
        self._endpoint = endpoint
        self.emit(
            sse_event(
                Direction.IN, f"Endpoint: {display_url(endpoint)}", endpoint=display_url(endpoint)
            )
        )
        if ready is not None and not ready.done():
            ready.set_result(endpoint)
        return True

    # --- Sending -----------------------------------------------------------------------

    def stalled_send(self, seconds: float) -> str:
        # The POST is only acknowledged (202); the response comes on the SSE stream.
        return (
            f"The server did not acknowledge the HTTP POST within the request timeout of "
            f"{seconds:g} s."
        )

    async def send(self, message: Outbound) -> None:
        endpoint = self._endpoint
        if self._closing or self._client is None or endpoint is None:
            raise TransportClosed("The transport is not open.")
        if self._stream_ended:
            raise TransportClosed("The SSE stream has ended; no response could arrive.")
        headers = self._custom_request_headers()
        headers["Content-Type"] = JSON_MEDIA_TYPE
        exchange = await self._exchange(
            "POST",
            endpoint,
            headers=headers,
            content=message.text.encode(),
            # The answer is only an acknowledgement (202); the response comes on the stream.
            http_timeout=httpx.Timeout(self._timeout),
        )
        if not exchange.ok:
            raise status_error(exchange)
        body = await read_limited(exchange.response, seconds=self._timeout)
        if body.lstrip().startswith(("{", "[")):
            # Not how this transport works, but whatever the server sent is shown.
            self.emit(
                local_event(
                    EventKind.ERROR,
                    "The server answered a POST with a JSON body; in HTTP+SSE, messages "
                    "belong on the SSE stream.",
                )
            )
            self.emit(inbound_frame(body, via="http", http_status=exchange.status))

    # --- Closing -----------------------------------------------------------------------

    async def close(self) -> None:
        if self._closing:
            return
        self._closing = True
        await self._stop_reader()
        await self._close_client()

    async def _stop_reader(self) -> None:
        reader = self._reader
        if reader is None:
            return
        reader.cancel()
        # gather() collects the reader's own cancellation without swallowing the caller's.
        await asyncio.gather(reader, return_exceptions=True)

    def describe(self) -> dict[str, Any]:
        return self._description(
            endpoint=display_url(self._endpoint) if self._endpoint is not None else None
        )


def _resolve_endpoint(data: str, base: httpx.URL) -> tuple[str, httpx.URL | None]:
    """The endpoint URL, or why it is refused."""
    if not data:
        return "The endpoint event carried no URL.", None
    try:
        endpoint = base.join(data)
    except httpx.InvalidURL as exc:
        return f"The endpoint {data!r} is not a valid URL: {exc}", None
    if not same_origin(endpoint, base):
        return (
            f"Refused cross-origin endpoint {display_url(endpoint)}: the SSE stream is at "
            f"{display_url(base)}, and messages must go to the same origin.",
            None,
        )
    return "", endpoint
