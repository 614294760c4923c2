"""The sessions list: a page of the owner's sessions matching a search, and deleting them.

A session live in this process is shown as it is now (its live snapshot); deleting it
closes it first, so nothing it still writes outlives its record.
"""

from __future__ import annotations

from dataclasses import dataclass

from inspector.services.runtime import registry
from inspector.services.sessions import session_owned
from inspector.services.snapshots import SessionSnapshot, from_live, from_record, held_by_hosts
from inspector.storage import session_records
from inspector.storage.session_records import SessionSearch

PAGE_SIZE = 25


@dataclass(frozen=True, slots=True)
class SessionPage:
    sessions: list[SessionSnapshot]
    total: int
    page: int  # 1-based
    page_size: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))

    @property
    def first_index(self) -> int:
        return (self.page - 1) * self.page_size + 1 if self.sessions else 0

    @property
    def last_index(self) -> int:
        return (self.page - 1) * self.page_size + len(self.sessions)

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def _resident(owner_id: int | None) -> dict[str, SessionSnapshot]:
    return {
        session.id: from_live(session)
        for session in registry().all()
        if session.owner_id == owner_id
    }


async def session_page(
    *, owner_id: int | None, search: SessionSearch, page: int = 1, page_size: int = PAGE_SIZE
) -> SessionPage:
    """The owner's sessions matching `search`, newest first; a page past the last is
    the last."""
    resident = _resident(owner_id)
    held = await held_by_hosts(owner_id)
    page = max(1, page)
    found = await session_records.search_sessions(
        search,
        owner_id=owner_id,
        resident=[*resident, *held],
        offset=(page - 1) * page_size,
        limit=page_size,
    )
    last_page = max(1, -(-found.total // page_size))
    if page > last_page:
        return await session_page(
            owner_id=owner_id, search=search, page=last_page, page_size=page_size
        )
    sessions = [
        resident.get(record.id) or from_record(record, held_by_host=record.id in held)
        for record in found.records
    ]
    return SessionPage(sessions=sessions, total=found.total, page=page, page_size=page_size)


async def session_delete(*, session_id: str, owner_id: int | None) -> SessionSnapshot:
    """Delete one of the owner's sessions and its events, closing it first if it is live
    here; what it was."""
    snapshot = await session_owned(session_id=session_id, owner_id=owner_id)
    await registry().remove(session_id)
    await session_records.delete_sessions([session_id])
    return snapshot


async def session_delete_matching(*, owner_id: int | None, search: SessionSearch) -> int:
    """Delete every one of the owner's sessions that matches `search` and has ended (live
    ones stay: ending them is a decision of its own); how many went."""
    resident = _resident(owner_id)
    held = await held_by_hosts(owner_id)
    live = {session_id for session_id, snapshot in resident.items() if snapshot.status.is_active}
    live |= held
    ids = await session_records.matching_ids(search, owner_id=owner_id, resident=[*resident, *held])
    ended = [session_id for session_id in ids if session_id not in live]
    for session_id in ended:
        await registry().remove(session_id)
    return await session_records.delete_sessions(ended)
