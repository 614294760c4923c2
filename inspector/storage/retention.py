"""Retention on the ORM: ended sessions older than a cut-off go, with their events; an
ended session's events beyond a cap lose their oldest.

Only ended sessions are touched: a record whose status is connecting or connected is
never deleted nor trimmed, and neither is any session the caller names as live (those
its process holds). Work is done in batches, each a short statement of its own, so the
sessions writing meanwhile wait for the database no more than a batch's time.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from django.db.models import F, OuterRef, QuerySet, Subquery

from inspector.models import EventRecord, SessionRecord
from inspector.storage.db import in_db_thread
from inspector.storage.session_records import ACTIVE, delete_events, delete_now

SESSION_BATCH = 200


@dataclass(frozen=True, slots=True)
class Pruned:
    sessions: int = 0
    events: int = 0  # trimmed from sessions that stay (a deleted session's are not counted)


async def delete_ended_before(cutoff: datetime, *, live: Collection[str]) -> int:
    """Delete sessions that ended before `cutoff` (the last change to their record), with
    their events; how many."""
    return await in_db_thread(_delete_ended_before)(cutoff, list(live))


async def trim_events(max_events: int, *, live: Collection[str]) -> int:
    """Keep only the newest `max_events` events of each ended session; how many went."""
    return await in_db_thread(_trim_events)(max_events, list(live))


def _ended(live: list[str]) -> QuerySet[SessionRecord]:
    return SessionRecord.objects.exclude(status__in=ACTIVE).exclude(id__in=live)


def _delete_ended_before(cutoff: datetime, live: list[str]) -> int:
    expired = _ended(live).filter(updated_at__lt=cutoff).order_by().values_list("id", flat=True)
    deleted = 0
    while batch := list(expired[:SESSION_BATCH]):
        deleted += delete_now(batch)
    return deleted


def _trim_events(max_events: int, live: list[str]) -> int:
    """A session's seqs only grow, so its newest `max_events` events are those above the
    seq found `max_events` places below its newest. Sessions within the cap are told apart
    by two index look-ups each (first and last seq), in one query, without counting."""
    events = EventRecord.objects.filter(session_id=OuterRef("pk")).order_by()
    over_cap = (
        _ended(live)
        .annotate(
            first=Subquery(events.order_by("seq").values("seq")[:1]),
            last=Subquery(events.order_by("-seq").values("seq")[:1]),
        )
        .filter(last__gte=F("first") + max_events)
        .values_list("id", flat=True)
    )
    trimmed = 0
    # Read whole before deleting: SQLite cannot delete under a cursor still reading.
    for session_id in list(over_cap):
        kept_from = _newest_seqs(session_id, max_events)
        if kept_from is not None:
            older = EventRecord.objects.filter(session_id=session_id, seq__lt=kept_from)
            trimmed += delete_events(older)
    return trimmed


def _newest_seqs(session_id: str, count: int) -> int | None:
    """The lowest seq among the session's newest `count` events; None if it has fewer."""
    newest = EventRecord.objects.filter(session_id=session_id).order_by("-seq")
    seqs = list(newest.values_list("seq", flat=True)[count - 1 : count])
    return seqs[0] if seqs else None
