"""What the session layer needs from the outside world, as protocols."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol

from inspector.mcp.trace import TraceEvent

if TYPE_CHECKING:
    from inspector.sessions.live import LiveSession


class EventStore(Protocol):
    """Durable storage of a session's events (the web layer implements it on the ORM)."""

    async def save_events(self, session_id: str, events: Sequence[TraceEvent]) -> None: ...

    async def load_events(
        self, session_id: str, after_seq: int, limit: int
    ) -> list[TraceEvent]: ...

    async def save_session(self, session: LiveSession) -> None:
        """Record the session's description and status (called on every status change)."""
        ...


class Watcher(Protocol):
    async def __call__(self, session_id: str, last_seq: int) -> None:
        """Told, a few times a second at most, that events up to `last_seq` are available."""
        ...
