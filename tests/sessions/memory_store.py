"""An EventStore kept in a dict: the session layer's own seam, not a protocol peer."""

from __future__ import annotations

from collections.abc import Sequence

from inspector.mcp.trace import TraceEvent
from inspector.sessions.ports import ReadSeq, SessionDescription


class MemoryStore:
    def __init__(self) -> None:
        self.events: dict[str, list[TraceEvent]] = {}
        self.sessions: dict[str, list[str]] = {}
        self.failures_left = 0
        self.batches = 0

    async def save_events(
        self, session_id: str, events: Sequence[TraceEvent], *, reading: ReadSeq | None = None
    ) -> None:
        if self.failures_left:
            self.failures_left -= 1
            raise OSError("disk full")
        self.batches += 1
        self.events.setdefault(session_id, []).extend(events)

    async def load_events(self, session_id: str, after_seq: int, limit: int) -> list[TraceEvent]:
        stored = self.events.get(session_id, [])
        return [e for e in stored if e.seq is not None and e.seq > after_seq][:limit]

    async def save_session(self, description: SessionDescription) -> None:
        self.sessions.setdefault(description.id, []).append(description.status.value)
