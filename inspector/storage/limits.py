"""What the limits are counted from: live sessions in the database (several processes
hold sessions, none knows all of them), and a workspace's own limits."""

from __future__ import annotations

from dataclasses import dataclass

from inspector.models import SessionRecord, Workspace
from inspector.sessions.status import SessionStatus

ACTIVE = [status.value for status in SessionStatus if status.is_active]


@dataclass(frozen=True, slots=True)
class WorkspaceLimits:
    """A workspace's own limits; None: the deployment's."""

    max_live_sessions: int | None
    max_requests_per_minute: int | None


def workspace_limits(workspace_id: int) -> WorkspaceLimits:
    row = (
        Workspace.objects.filter(pk=workspace_id)
        .values_list("max_live_sessions", "max_requests_per_minute")
        .first()
    )
    return WorkspaceLimits(*row) if row is not None else WorkspaceLimits(None, None)


def live_sessions(
    *, started_by: int | None = None, owner_id: int | None = None, excluding: str = ""
) -> int:
    """Sessions connecting or connected that this account opened, or that this owner holds."""
    records = SessionRecord.objects.filter(status__in=ACTIVE)
    if started_by is not None:
        records = records.filter(started_by_id=started_by)
    if owner_id is not None:
        records = records.filter(owner_id=owner_id)
    return records.exclude(id=excluding).count() if excluding else records.count()


def mark_started_by(session_id: str, user_id: int) -> None:
    SessionRecord.objects.filter(id=session_id, started_by__isnull=True).update(
        started_by_id=user_id
    )
