"""The contract between the client and a transport.

A transport reports everything through its listener, synchronously and in the order it
happened: frames it received (as MESSAGE events with `direction=IN` and the exact text,
undecoded), and every other observation (stderr, HTTP exchanges, SSE framing, process
exits). The client decodes frames; the transport never interprets JSON-RPC beyond what
its wire rules need (for instance, whether a POST carries a request).
"""

from __future__ import annotations

import contextlib
import logging
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from inspector.mcp.errors import TransportClosed
from inspector.mcp.trace import (
    Direction,
    EventKind,
    MessageType,
    RequestId,
    TraceEvent,
    local_event,
)

logger = logging.getLogger(__name__)


class TransportListener(Protocol):
    def transport_event(self, event: TraceEvent) -> None:
        """Called for every observation, including inbound frames, in order."""

    def transport_closed(self, error: TransportClosed) -> None:
        """Called once when the connection ends for any reason other than `close()`."""


@dataclass(frozen=True, slots=True)
class Outbound:
    """A message on its way out: its exact text and what kind of message it is."""

    text: str
    message_type: MessageType
    method: str | None = None
    message_id: RequestId | None = None
    # HTTP headers that mirror the body (modern era); other transports ignore them.
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def is_request(self) -> bool:
        return self.message_type is MessageType.REQUEST


def inbound_frame(text: str, **detail: Any) -> TraceEvent:
    """A frame as received, before the client decodes it."""
    return TraceEvent(kind=EventKind.MESSAGE, direction=Direction.IN, text=text, detail=detail)


class Transport(ABC):
    """One connection to one server. Used by one client, opened once, closed once."""

    kind: str

    def __init__(self) -> None:
        self._listener: TransportListener | None = None
        # Awaited before reading more from the server: whoever consumes the events can
        # hold the reading back while it catches up, so a flood pushes back on the server
        # (through the pipe or the socket) instead of piling up in memory.
        self.flow_gate: Callable[[], Awaitable[None]] | None = None

    def bind(self, listener: TransportListener) -> None:
        self._listener = listener

    @property
    def listener(self) -> TransportListener:
        if self._listener is None:
            raise RuntimeError("The transport has no listener; call bind() before open().")
        return self._listener

    def emit(self, event: TraceEvent) -> None:
        try:
            self.listener.transport_event(event)
        except Exception as exc:
            # A bug in processing one event must not end the reader that delivered it:
            # the connection would go deaf while still looking alive.
            logger.exception("Processing a %s event failed", event.kind.value)
            with contextlib.suppress(Exception):
                self.listener.transport_event(
                    local_event(
                        EventKind.ERROR, f"The inspector failed to process an event: {exc!r}"
                    )
                )

    async def wait_for_flow(self) -> None:
        if self.flow_gate is not None:
            await self.flow_gate()

    @abstractmethod
    async def open(self) -> None:
        """Start the process or reach the server; raise `ConnectError` naming the layer."""

    def stalled_send(self, seconds: float) -> str:
        """Why a message could not be sent within `seconds` (the request timeout), in
        the terms of this transport: a blocked pipe and an unanswered POST differ."""
        return f"The message could not be delivered within the request timeout of {seconds:g} s."

    @abstractmethod
    async def send(self, message: Outbound) -> None:
        """Deliver one message. Raise `HttpStatusError`, `SessionExpired` or
        `TransportClosed` when it cannot be delivered; the client fails the request."""

    async def negotiated(self, version: str) -> None:  # noqa: B027 - optional hook
        """Called once the lifecycle has settled the protocol version and is operational
        (for HTTP: send `MCP-Protocol-Version` from now on, open the GET stream)."""

    async def abandon(self, request_id: RequestId) -> bool:
        """Stop the exchange of one request (modern HTTP: close its response stream, the
        era's way to cancel). False when the transport has no such exchange open."""
        return False

    def peer_unresponsive(self) -> None:  # noqa: B027 - optional hook
        """The peer stopped answering (a connect timed out): closing need not give it
        time to leave by itself, which would stretch the connect past its budget."""

    @abstractmethod
    async def close(self) -> None:
        """End the connection politely, then firmly. Idempotent. Does not call
        `transport_closed`."""

    @abstractmethod
    def describe(self) -> dict[str, Any]:
        """What this transport connects to, for display (secrets masked)."""
