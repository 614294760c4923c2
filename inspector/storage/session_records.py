"""The sessions list on the ORM: one page of an owner's sessions matching a search, and
deleting sessions with their events.

"Live" is known only to the process holding a session: callers pass the ids of the
sessions resident there. A record that says connecting or connected while no process
holds it was left so by a restart, and is shown (and searched) as disconnected.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone

from inspector.models import EventRecord, SessionRecord
from inspector.sessions.status import SessionStatus
from inspector.storage.db import in_db_thread

# Events are deleted this many at a time: a statement of its own each, so that a session
# of millions of events never holds the database (SQLite's one writer lock) for long.
DELETE_BATCH = 5000
ACTIVE = [status.value for status in SessionStatus if status.is_active]


@dataclass(frozen=True, slots=True)
class SessionSearch:
    """What the sessions list is narrowed to; empty fields narrow nothing."""

    text: str = ""  # in the server's name or title, or the target (command line, URL)
    status: SessionStatus | None = None
    since: date | None = None  # started on or after this day
    until: date | None = None  # started on or before this day

    @property
    def narrowed(self) -> bool:
        return bool(self.text or self.status or self.since or self.until)


@dataclass(frozen=True, slots=True)
class RecordPage:
    records: list[SessionRecord]
    total: int


async def owner_of(session_id: str) -> int | None:
    """The workspace the recorded session belongs to; `SessionRecord.DoesNotExist` when
    there is no such record."""
    owner_id: int | None = await SessionRecord.objects.values_list("owner_id", flat=True).aget(
        id=session_id
    )
    return owner_id


async def search_sessions(
    search: SessionSearch,
    *,
    owner_id: int | None,
    resident: Collection[str],
    offset: int,
    limit: int,
) -> RecordPage:
    """The owner's sessions matching `search`, newest first, from `offset`."""
    return await in_db_thread(_search)(search, owner_id, list(resident), offset, limit)


async def matching_ids(
    search: SessionSearch, *, owner_id: int | None, resident: Collection[str]
) -> list[str]:
    return await in_db_thread(_matching_ids)(search, owner_id, list(resident))


async def delete_sessions(session_ids: Collection[str]) -> int:
    """Delete these sessions and every event of theirs; how many sessions went."""
    return await in_db_thread(delete_now)(list(session_ids))


def delete_now(session_ids: list[str]) -> int:
    """`delete_sessions` for callers already in a database thread."""
    deleted = 0
    for start in range(0, len(session_ids), 500):
        batch = session_ids[start : start + 500]
        delete_events(EventRecord.objects.filter(session_id__in=batch))
        # The events went first, in batches: the cascade finds none left to delete.
        deleted += (
            SessionRecord.objects.filter(id__in=batch).delete()[1].get(SessionRecord._meta.label, 0)
        )
    return deleted


def delete_events(events: QuerySet[EventRecord]) -> int:
    """Delete the events a query selects, `DELETE_BATCH` at a time."""
    deleted = 0
    while True:
        batch = list(events.order_by().values_list("pk", flat=True)[:DELETE_BATCH])
        if not batch:
            return deleted
        # Nothing refers to an event: Django deletes them in one statement, unread.
        deleted += EventRecord.objects.filter(pk__in=batch).delete()[0]


def _matching(
    search: SessionSearch, owner_id: int | None, resident: list[str]
) -> QuerySet[SessionRecord]:
    records = SessionRecord.objects.filter(owner_id=owner_id)
    if search.text:
        text = search.text
        records = records.filter(
            Q(target__icontains=text)
            | Q(server__server_info__name__icontains=text)
            | Q(server__server_info__title__icontains=text)
        )
    if search.status is not None:
        records = records.filter(_status_is(search.status, resident))
    if search.since is not None:
        records = records.filter(created_at__gte=_day_start(search.since))
    if search.until is not None:
        records = records.filter(created_at__lt=_day_start(search.until + timedelta(days=1)))
    return records


def _status_is(status: SessionStatus, resident: list[str]) -> Q:
    if status.is_active:
        return Q(status=status.value, id__in=resident)
    if status is SessionStatus.DISCONNECTED:
        left_by_restart = Q(status__in=ACTIVE) & ~Q(id__in=resident)
        return Q(status=status.value) | left_by_restart
    return Q(status=status.value)


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _search(
    search: SessionSearch, owner_id: int | None, resident: list[str], offset: int, limit: int
) -> RecordPage:
    records = _matching(search, owner_id, resident)
    page = list(records.order_by("-created_at", "-id")[offset : offset + limit])
    return RecordPage(records=page, total=records.count())


def _matching_ids(search: SessionSearch, owner_id: int | None, resident: list[str]) -> list[str]:
    return list(_matching(search, owner_id, resident).values_list("id", flat=True))
