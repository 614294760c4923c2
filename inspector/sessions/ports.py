"""What the session layer needs from the outside world, as protocols, and what it hands
over through them."""

from __future__ import annotations

from collections.abc import Callable, Sequence
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


# The highest seq a session has read so far; safe to call from a database thread (it
# reads one int).
ReadSeq = Callable[[], int]


class EventStore(Protocol):
    """Durable storage of a session's events (the web layer implements it on the ORM)."""

    async def save_events(
        self, session_id: str, events: Sequence[TraceEvent], *, reading: ReadSeq | None = None
    ) -> None:
        """Store `events` (one batch, in seq order). A durable store asks `reading` as it
        commits the batch, and keeps its answer with it: the highest seq the session has
        read by then (it reads on while the batch is written). After a crash, that seq
        beyond the last stored one is how many events, at least, were read but never
        stored."""
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
