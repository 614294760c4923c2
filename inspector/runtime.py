"""The process-wide session registry, wired to the database and the channel layer."""

from __future__ import annotations

from functools import cache

from channels.layers import get_channel_layer

from inspector.sessions.registry import SessionRegistry
from inspector.storage.events import DatabaseEventStore
from inspector.storage.tokens import DatabaseTokenStore


def session_group(session_id: str) -> str:
    return f"session-{session_id}"


async def announce_events(session_id: str, last_seq: int) -> None:
    """Tell every page watching the session that events up to `last_seq` are stored.

    The notice is tiny on purpose: the in-memory layer drops messages when a channel is
    full and Redis limits their size, so pages fetch the events themselves.
    """
    layer = get_channel_layer()
    if layer is not None:
        await layer.group_send(
            session_group(session_id), {"type": "session.events", "last_seq": last_seq}
        )


@cache
def event_store() -> DatabaseEventStore:
    return DatabaseEventStore()


@cache
def registry() -> SessionRegistry:
    return SessionRegistry(
        store=event_store(), watchers=[announce_events], token_stores=DatabaseTokenStore
    )
