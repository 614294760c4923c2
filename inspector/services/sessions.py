"""Sessions: connecting, finding (only the owner's), listing, and their lifecycle."""

from __future__ import annotations

from inspector.models import SessionRecord
from inspector.services.limits import session_started_by
from inspector.services.runtime import doctor_runs, event_store, registry, replay_runs
from inspector.services.snapshots import (
    SessionNotFound,
    SessionSnapshot,
    from_live,
    from_record,
    held_by_hosts,
    open_session,
    resident_session,
)
from inspector.sessions.spec import ConnectionSpec
from inspector.storage import session_records as session_rows


async def session_connect(
    *, spec: ConnectionSpec, owner_id: int | None = None, started_by: int | None = None
) -> SessionSnapshot:
    """Create a session and connect it; a failed connection still returns its snapshot.
    `started_by`: the account that asked (its live sessions are counted by it)."""
    snapshot = await open_session(spec, owner_id)
    await session_started_by(session_id=snapshot.id, user_id=started_by)
    return snapshot


async def session_get(*, session_id: str) -> SessionSnapshot:
    session = registry().get(session_id)
    if session is not None:
        return from_live(session)
    found = await event_store().load_session(session_id)
    if found is None:
        raise SessionNotFound(session_id)
    record, last_seq = found
    return from_record(record, last_seq)


async def session_owner(*, session_id: str) -> int | None:
    """The workspace a session belongs to: what a URL or a page naming it acts in. Read
    from its record wherever the session is live (`hosting` never forwards it), so that
    every request naming a session does not cost a trip to its host."""
    session = registry().get(session_id)
    if session is not None:
        return session.owner_id
    try:
        return await session_rows.owner_of(session_id)
    except SessionRecord.DoesNotExist as exc:
        raise SessionNotFound(session_id) from exc


async def session_owned(*, session_id: str, owner_id: int | None) -> SessionSnapshot:
    """The session, if it belongs to `owner_id` (a workspace; None: local mode's one
    person). Another owner's session is not found, exactly as one that does not exist, so
    that its id cannot be probed; every request naming a session goes through here."""
    snapshot = await session_get(session_id=session_id)
    if snapshot.owner_id != owner_id:
        raise SessionNotFound(session_id)
    return snapshot


async def session_list(*, owner_id: int | None, limit: int = 50) -> list[SessionSnapshot]:
    """The owner's sessions, newest first."""
    resident = {
        session.id: from_live(session)
        for session in registry().all()
        if session.owner_id == owner_id
    }
    records = await event_store().list_sessions(
        exclude=list(resident), owner_id=owner_id, limit=limit
    )
    held = await held_by_hosts(owner_id)
    recorded = [from_record(record, held_by_host=record.id in held) for record in records]
    newest_first = sorted([*resident.values(), *recorded], key=lambda s: s.created_at, reverse=True)
    return newest_first[:limit]


async def session_disconnect(*, session_id: str) -> SessionSnapshot:
    session = resident_session(session_id)
    await session.disconnect()
    return from_live(session)


async def session_reconnect(*, session_id: str) -> SessionSnapshot:
    session = resident_session(session_id)
    await session.reconnect()
    return from_live(session)


async def session_close_all() -> None:
    # The checks and replays first: each then records that it was stopped, while its
    # session exists.
    await doctor_runs().close()
    await replay_runs().close()
    await registry().close_all()
