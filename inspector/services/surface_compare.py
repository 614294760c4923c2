"""Surfaces of sessions, in the browser: what a session's stored events show of its
server, and two sessions' surfaces compared as `inspector diff` compares them."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from inspector.mcp.trace import EventKind
from inspector.services.runtime import registry
from inspector.services.sessions import session_get, session_owned
from inspector.services.snapshots import SessionSnapshot
from inspector.storage.archive import stored_event_data
from inspector.surface.diff import SurfaceDiff, diff_surfaces
from inspector.surface.from_events import SurfaceReader
from inspector.surface.model import Surface

__all__ = ["SurfaceComparison", "session_surface", "stored_messages", "surface_compare"]


@dataclass(frozen=True, slots=True)
class SurfaceComparison:
    before: SessionSnapshot
    after: SessionSnapshot
    diff: SurfaceDiff


async def stored_messages(session_id: str) -> AsyncIterator[dict[str, Any]]:
    """The session's protocol messages stored so far (a live one's log flushed first),
    read a page at a time."""
    live = registry().get(session_id)
    if live is not None:
        await live.log.flush()
        last_seq = live.log.saved_seq
    else:
        last_seq = (await session_get(session_id=session_id)).last_seq
    async for data in stored_event_data(session_id, last_seq, [EventKind.MESSAGE.value]):
        yield data


async def session_surface(*, session_id: str) -> Surface:
    """What the session saw of its server: its identity as recorded, each list as its
    last complete listing."""
    snapshot = await session_get(session_id=session_id)
    reader = SurfaceReader(server=snapshot.server, target=snapshot.target)
    async for data in stored_messages(session_id):
        reader.add(data)
    return reader.surface()


async def surface_compare(
    *, session_id: str, other_id: str, owner_id: int | None
) -> SurfaceComparison:
    """The other session's surface (before) against this one's (after); the other session
    must be the same owner's (`SessionNotFound` otherwise, as for one that does not exist)."""
    this = await session_owned(session_id=session_id, owner_id=owner_id)
    other = await session_owned(session_id=other_id, owner_id=owner_id)
    diff = diff_surfaces(
        await session_surface(session_id=other_id), await session_surface(session_id=session_id)
    )
    return SurfaceComparison(before=other, after=this, diff=diff)
