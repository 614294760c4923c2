"""What the session layer needs from the outside world, as protocols, and what it hands
over through them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from inspector.mcp.trace import TraceEvent
from inspector.sessions.spec import TransportKind
from inspector.sessions.status import SessionStatus


@dataclass(frozen=True, slots=True)
class SessionDescription:
    """A session at one moment, in plain values: no secrets, nothing live."""

    id: str
    owner_id: int | None
    created_at: datetime
    transport: TransportKind
    target: str
    spec: dict[str, Any]  # the connection settings, secrets masked
    status: SessionStatus
    error: str  # why it could not connect ("" when it could)
    error_layer: str  # where that failure happened (a `FailureLayer` value, or "")
    server: dict[str, Any] | None  # `ServerInfo.to_dict()` once connected
    last_seq: int
    client_capabilities: dict[str, Any]  # what the client declares on its next connection
    authorization: str  # the server's last refusal for want of authorization, in a sentence


class EventStore(Protocol):
    """Durable storage of a session's events (the web layer implements it on the ORM)."""

    async def save_events(
        self, session_id: str, events: Sequence[TraceEvent], *, read_seq: int = 0
    ) -> None:
        """Store `events` (one batch, in seq order). `read_seq` is the highest seq the
        session had read by then, which a durable store keeps with the batch: after a
        crash it tells how many events, at least, were read but never stored."""
        ...

    async def load_events(
        self, session_id: str, after_seq: int, limit: int
    ) -> list[TraceEvent]: ...

    async def save_session(self, description: SessionDescription) -> None:
        """Record the session's description and status (called on every status change)."""
        ...


class Watcher(Protocol):
    async def __call__(self, session_id: str, last_seq: int) -> None:
        """Told, a few times a second at most, that events up to `last_seq` are available."""
        ...
