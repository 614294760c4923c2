"""The registry owns every live session of this process: creates, limits, reaps them."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from inspector.mcp.auth.store import TokenStore
from inspector.sessions.ports import EventStore, Watcher
from inspector.sessions.session import LiveSession
from inspector.sessions.spec import ConnectionSpec

# A bound on the processes one inspector starts, not on what it can hold: a live stdio
# session costs this process about 0.2 MB and its page's websocket (benchmarks/
# bench_sessions.py), so a few hundred fit.
DEFAULT_MAX_SESSIONS = 256
# Ended sessions leave memory after this long; their history stays in the store.
ENDED_RETENTION_SECONDS = 15 * 60


class TooManySessions(Exception):
    pass


class SessionRegistry:
    def __init__(
        self,
        *,
        store: EventStore | None = None,
        watchers: list[Watcher] | None = None,
        max_sessions: int = DEFAULT_MAX_SESSIONS,
        token_stores: Callable[[int | None], TokenStore] | None = None,
    ) -> None:
        """`token_stores` gives each owner's OAuth token store (default: one in memory
        per session)."""
        self.store = store
        self.token_stores = token_stores
        self.watchers = list(watchers or [])
        self.max_sessions = max_sessions
        self._sessions: dict[str, LiveSession] = {}

    def get(self, session_id: str) -> LiveSession | None:
        return self._sessions.get(session_id)

    def all(self) -> list[LiveSession]:
        return sorted(self._sessions.values(), key=lambda session: session.created_at, reverse=True)

    async def create(
        self,
        spec: ConnectionSpec,
        *,
        owner_id: int | None = None,
        session_id: str | None = None,
        first_seq: int = 1,
    ) -> LiveSession:
        """Register a session; the caller starts it with `await session.start()`. With
        `session_id` and `first_seq`, it continues a recorded one (see `LiveSession`)."""
        await self.reap()
        active = sum(1 for session in self._sessions.values() if session.status.is_active)
        if active >= self.max_sessions:
            raise TooManySessions(
                f"{active} session{' is' if active == 1 else 's are'} live, "
                f"the limit is {self.max_sessions}: "
                "disconnect one first."
            )
        session = LiveSession(
            spec,
            store=self.store,
            watchers=self.watchers,
            owner_id=owner_id,
            answered_by_people=True,
            token_store=self.token_stores(owner_id) if self.token_stores is not None else None,
            session_id=session_id,
            first_seq=first_seq,
        )
        self._sessions[session.id] = session
        return session

    async def reap(self, now: float | None = None) -> list[str]:
        """Close and forget ended sessions that nobody has touched for a while."""
        now = time.time() if now is None else now
        stale = [
            session_id
            for session_id, session in self._sessions.items()
            if not session.status.is_active
            and now - session.last_activity > ENDED_RETENTION_SECONDS
        ]
        for session_id in stale:
            await self._sessions.pop(session_id).close()
        return stale

    async def remove(self, session_id: str) -> None:
        """Close a session (its log flushed to the store) and forget it."""
        session = self._sessions.get(session_id)
        if session is not None:
            await session.close()
            self._sessions.pop(session_id, None)

    async def close_all(self) -> None:
        await asyncio.gather(
            *(session.close() for session in self._sessions.values()), return_exceptions=True
        )
