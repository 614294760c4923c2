"""Telling the pages that watch a session that it has new events, over the channel layer."""

from __future__ import annotations

from channels.layers import get_channel_layer


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


def user_group(user_id: int) -> str:
    return f"user-{user_id}"


async def announce_access_changed(user_id: int) -> None:
    """Tell every page the account has open that its memberships changed: each checks
    again whether it may still watch what it shows, and closes if not."""
    layer = get_channel_layer()
    if layer is not None:
        await layer.group_send(user_group(user_id), {"type": "access.changed"})
