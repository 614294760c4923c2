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
