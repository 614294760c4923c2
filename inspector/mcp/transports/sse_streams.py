"""Reading SSE response streams that may be resumed, and the policy for reconnecting.

A stream of the Streamable HTTP transport is one logical stream across its connections:
when a connection ends before the responses it should carry, a GET with `Last-Event-ID`
resumes it, at the pace the server's `retry` field asks for, until the responses arrive
or reconnections stop bringing anything new.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

import httpx
from httpx_sse import EventSource, ServerSentEvent

from inspector.mcp.errors import ConnectError
from inspector.mcp.trace import Direction, EventKind, MessageType, TraceEvent, local_event
from inspector.mcp.transports.base import Outbound, inbound_frame
from inspector.mcp.transports.http import Exchange
from inspector.mcp.transports.http_wire import SSE_MEDIA_TYPE, media_type, preview, sse_event

LAST_EVENT_ID_HEADER = "Last-Event-ID"

# The SSE spec leaves the initial reconnection delay to the user agent; browsers use
# about a second, and so does this client until the server sends `retry`.
DEFAULT_RETRY_MS = 1000
# Reconnections in a row that bring nothing new before a stream is given up. A server
# that polls (closes after every event, as SEP-1699 allows) resets the count each time
# it delivers, so it can poll for as long as it likes.
MAX_RECONNECT_ATTEMPTS = 5
# `retry` is the server's to choose, but a hostile value must neither park a stream for
# hours nor, at zero, turn reconnection into a busy loop.
MAX_RETRY_MS = 60_000
MIN_RETRY_MS = 10


class StreamEnd(Enum):
    CLOSED = "closed"  # the server ended the stream
    BROKEN = "broken"  # the connection failed mid-stream
    DONE = "done"  # reading stopped: the awaited response arrived
    REFUSED = "refused"  # the server would not open (or reopen) the stream


@dataclass(eq=False, slots=True)
class SseStream:
    """What is known about one logical SSE stream across its reconnections."""

    label: str
    # Ids (normalised to strings) of the requests whose responses should arrive on it.
    pending: set[str] = field(default_factory=set)
    last_event_id: str = ""
    retry_ms: int = DEFAULT_RETRY_MS
    messages: int = 0  # JSON-RPC frames delivered so far, over all connections
    resumable: bool = True  # not in the modern era, which has no Last-Event-ID


# Sends one GET for a stream (resuming after its last event id, if it has one).
OpenGet = Callable[[SseStream], Awaitable[Exchange]]


class StreamReader:
    """Reads SSE responses into trace events, and resumes streams that end too early."""

    def __init__(
        self,
        emit: Callable[[TraceEvent], None],
        wait_for_flow: Callable[[], Awaitable[None]],
        open_get: OpenGet,
    ) -> None:
        self._emit = emit
        self._wait_for_flow = wait_for_flow
        self._open_get = open_get

    async def follow(self, exchange: Exchange, stream: SseStream) -> None:
        """Read the SSE response of a POST; if it ends before its responses, resume it."""
        outcome = await self.consume(exchange, stream, stop_when_answered=False)
        if not stream.pending or outcome is StreamEnd.DONE:
            return
        if not stream.resumable:
            # Modern streams are never resumed: the request has failed, and the
            # client must hear so rather than wait out its timeout.
            self._emit(
                local_event(
                    EventKind.ERROR,
                    f"The SSE stream of {stream.label} ended before its response.",
                    stream=stream.label,
                    lost_request_ids=sorted(stream.pending),
                )
            )
            return
        if not stream.last_event_id:
            self._emit(
                local_event(
                    EventKind.ERROR,
                    f"The SSE stream of {stream.label} ended before its response and "
                    "carried no event id, so it cannot be resumed; the response is lost.",
                    stream=stream.label,
                )
            )
            return
        await self.resume(stream)

    async def consume(
        self, exchange: Exchange, stream: SseStream, *, stop_when_answered: bool
    ) -> StreamEnd:
        """Read one SSE response until it ends; always closes the response."""
        response = exchange.response
        started = time.monotonic()
        self._emit(
            sse_event(Direction.IN, f"SSE stream opened ({stream.label}).", stream=stream.label)
        )
        outcome = StreamEnd.CLOSED
        error: str | None = None
        try:
            async for event in EventSource(response).aiter_sse():
                await self._wait_for_flow()
                self._on_event(event, stream)
                if stop_when_answered and not stream.pending:
                    outcome = StreamEnd.DONE
                    break
        except httpx.HTTPError as exc:
            outcome, error = StreamEnd.BROKEN, str(exc) or type(exc).__name__
        finally:
            await response.aclose()
        self._note_stream_end(stream, outcome, error, time.monotonic() - started)
        return outcome

    async def resume(self, stream: SseStream) -> None:
        """Reconnect until the pending responses arrive or reconnecting is given up.

        A reconnection that brings a new event id or a message is progress and resets the
        count: a server that polls (SEP-1699) may close the stream as often as it likes.
        Resumption also ends when the client cancels the request.
        """
        attempts = 0
        while stream.pending and attempts < MAX_RECONNECT_ATTEMPTS:
            attempts += 1
            await self.wait_before_reconnect(stream, attempts)
            if not stream.pending:
                break
            before = (stream.messages, stream.last_event_id)
            outcome = await self.reopen(stream, stop_when_answered=True)
            if outcome is StreamEnd.REFUSED:
                break
            if (stream.messages, stream.last_event_id) != before:
                attempts = 0
        if stream.pending:
            self._emit(
                local_event(
                    EventKind.ERROR,
                    f"Gave up resuming the SSE stream of {stream.label}; its response did "
                    "not arrive.",
                    stream=stream.label,
                    last_event_id=stream.last_event_id,
                )
            )

    async def keep_open(self, stream: SseStream, wanted: Callable[[], bool]) -> None:
        """Keep a stream open for as long as it is `wanted`.

        Only a delivered message counts as progress here: a server that keeps closing an
        idle stream is given up after a few reconnections rather than polled forever.
        """
        attempts = 0
        while wanted():
            before = stream.messages
            outcome = await self.reopen(stream, stop_when_answered=False)
            if outcome is StreamEnd.REFUSED:
                return
            attempts = 0 if stream.messages != before else attempts + 1
            if attempts >= MAX_RECONNECT_ATTEMPTS:
                self._emit(
                    local_event(
                        EventKind.SSE,
                        f"The standalone GET stream was not reopened: {attempts} connections "
                        "in a row brought no message.",
                        stream=stream.label,
                    )
                )
                return
            await self.wait_before_reconnect(stream, attempts + 1)

    async def reopen(self, stream: SseStream, *, stop_when_answered: bool) -> StreamEnd:
        """One GET for the stream, read until it ends."""
        try:
            exchange = await self._open_get(stream)
        except ConnectError as exc:
            # Already recorded as a failed HTTP exchange; a later attempt may succeed.
            self._emit(
                local_event(EventKind.SSE, f"The {stream.label} stream could not connect: {exc}")
            )
            return StreamEnd.BROKEN
        if not exchange.ok:
            self._note_refused_get(exchange, stream)
            return StreamEnd.REFUSED
        if media_type(exchange.response) != SSE_MEDIA_TYPE:
            await exchange.response.aclose()
            self._emit(
                local_event(
                    EventKind.ERROR,
                    f"The GET for the {stream.label} stream was answered with "
                    f"{exchange.response.headers.get('content-type') or 'no content type'}, "
                    "not an SSE stream.",
                )
            )
            return StreamEnd.REFUSED
        return await self.consume(exchange, stream, stop_when_answered=stop_when_answered)

    def _note_refused_get(self, exchange: Exchange, stream: SseStream) -> None:
        status = exchange.status
        if stream.label == "GET" and not stream.last_event_id:
            # 405 is the normal way to say so; some servers wrongly use 404.
            text = f"The server offers no standalone SSE stream (GET answered {status})."
        else:
            text = f"The server refused to resume the {stream.label} stream (HTTP {status})."
        self._emit(local_event(EventKind.SSE, text, stream=stream.label, status=status))

    async def wait_before_reconnect(self, stream: SseStream, attempt: int) -> None:
        delay_ms = min(max(stream.retry_ms, MIN_RETRY_MS), MAX_RETRY_MS)
        resume = f" with Last-Event-ID {stream.last_event_id}" if stream.last_event_id else ""
        self._emit(
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

    def _note_stream_end(
        self, stream: SseStream, outcome: StreamEnd, error: str | None, elapsed: float
    ) -> None:
        texts = {
            StreamEnd.CLOSED: f"The server closed the SSE stream ({stream.label}).",
            StreamEnd.BROKEN: f"The SSE stream ({stream.label}) broke: {error}",
            StreamEnd.DONE: f"Stopped reading the resumed SSE stream ({stream.label}): "
            "its response arrived.",
        }
        direction = Direction.IN if outcome is StreamEnd.CLOSED else Direction.LOCAL
        self._emit(
            sse_event(
                direction,
                texts[outcome],
                stream=stream.label,
                outcome=outcome.value,
                duration_ms=round(elapsed * 1000, 3),
                last_event_id=stream.last_event_id or None,
            )
        )

    def _on_event(self, event: ServerSentEvent, stream: SseStream) -> None:
        if event.retry is not None:
            stream.retry_ms = max(0, event.retry)
            self._emit(
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
            self._emit(
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
            self._emit(
                sse_event(Direction.IN, text, stream=stream.label, sse_event_id=event.id or None)
            )
            return
        stream.messages += 1
        detail: dict[str, Any] = {"via": "sse", "stream": stream.label}
        if event.id:
            detail["sse_event_id"] = event.id
        self._emit(inbound_frame(event.data, **detail))
        if stream.pending:
            stream.pending.difference_update(answered_ids(event.data))


def id_key(value: Any) -> str | None:
    """A request id as a stream tracks it.

    Servers sometimes echo a numeric id as a string; the transport only needs to know
    that an answer came, so it matches leniently (the client flags the mismatch).
    """
    if isinstance(value, bool) or not isinstance(value, str | int):
        return None
    return str(value)


def expected_ids(message: Outbound) -> set[str]:
    """Ids of the requests in a message, whose responses its POST stream should carry."""
    if message.is_request:
        key = id_key(message.message_id)
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
        id_key(item.get("id"))
        for item in batch
        if isinstance(item, dict) and "method" in item and "id" in item
    )
    return {key for key in keys if key is not None}


def answered_ids(data: str) -> set[str]:
    """Ids of the responses carried by one SSE message (a light parse, never fatal)."""
    try:
        payload = json.loads(data)
    except ValueError:
        return set()
    items = payload if isinstance(payload, list) else [payload]
    keys = (
        id_key(item.get("id"))
        for item in items
        if isinstance(item, dict) and "method" not in item and ("result" in item or "error" in item)
    )
    return {key for key in keys if key is not None}
