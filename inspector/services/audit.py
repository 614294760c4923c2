"""The audit log of a workspace: recording what somebody did, and reading it back.

Hosted mode only: local mode has one person, and records nothing. Most entries are
written by `inspector.audit_middleware` from a table of routes, and sign-ins by Django's
signals (`inspector.storage.audit`); whatever else must be recorded (membership changes)
calls `audit_record` with an `AuditAction`.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings

from inspector.models import AuditEntry
from inspector.services.access import Access
from inspector.storage import audit as rows
from inspector.storage.audit import AuditAction, AuditFilter
from inspector.storage.db import in_db_thread

__all__ = [
    "AuditAction",
    "AuditEntryView",
    "AuditFilter",
    "AuditPage",
    "audit_account_name",
    "audit_export",
    "audit_page",
    "audit_people",
    "audit_record",
]

PER_PAGE = 50


async def audit_record(
    *, access: Access, action: str, target: str = "", detail: dict[str, Any] | None = None
) -> None:
    """Record that the person behind `access` did `action` (an `AuditAction` value) to
    `target`, in the workspace they act in. One INSERT; nothing in local mode."""
    if settings.LOCAL_MODE or access.user_id is None:
        return
    await rows.add_entry(
        workspace_id=access.workspace_id,
        actor_id=access.user_id,
        actor_name=access.user_name,
        action=action,
        target=target,
        detail=detail or {},
    )


@dataclass(frozen=True, slots=True)
class AuditEntryView:
    at: datetime
    actor: str
    action: str
    action_label: str
    target: str
    detail: dict[str, Any]

    @classmethod
    def of(cls, entry: AuditEntry) -> AuditEntryView:
        return cls(
            at=entry.at,
            actor=entry.actor_name,
            action=entry.action,
            action_label=_label(entry.action),
            target=entry.target,
            # In a steady order (PostgreSQL's jsonb keeps none): the session, the
            # longest, last.
            detail=dict(sorted((entry.detail or {}).items(), key=_session_last)),
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "at": self.at.isoformat(),
            "actor": self.actor,
            "action": self.action,
            "target": self.target,
            "detail": self.detail,
        }


def _session_last(item: tuple[str, Any]) -> tuple[bool, str]:
    return item[0] == "session", item[0]


def _label(action: str) -> str:
    try:
        return str(AuditAction(action).label)
    except ValueError:
        return action


@dataclass(frozen=True, slots=True)
class AuditPage:
    entries: list[AuditEntryView]
    total: int
    number: int  # 1 for the newest entries
    per_page: int

    @property
    def first_shown(self) -> int:
        return (self.number - 1) * self.per_page + 1 if self.entries else 0

    @property
    def last_shown(self) -> int:
        return (self.number - 1) * self.per_page + len(self.entries)

    @property
    def has_newer(self) -> bool:
        return self.number > 1

    @property
    def has_older(self) -> bool:
        return self.last_shown < self.total


async def audit_page(
    *, workspace_id: int, narrowed: AuditFilter, number: int = 1, per_page: int = PER_PAGE
) -> AuditPage:
    """One page of the workspace's entries matching the filter, newest first."""
    number = max(1, number)
    found = await in_db_thread(rows.entry_page)(
        workspace_id, narrowed, offset=(number - 1) * per_page, limit=per_page
    )
    return AuditPage(
        entries=[AuditEntryView.of(entry) for entry in found.entries],
        total=found.total,
        number=number,
        per_page=per_page,
    )


async def audit_account_name(*, user_id: int) -> str:
    return await in_db_thread(rows.account_name)(user_id)


async def audit_people(*, workspace_id: int) -> list[str]:
    return await in_db_thread(rows.people)(workspace_id)


async def audit_export(*, workspace_id: int, narrowed: AuditFilter) -> AsyncIterator[str]:
    """Every matching entry as JSON Lines, newest first, read a batch at a time."""
    after: AuditEntry | None = None
    while True:
        batch = await in_db_thread(rows.entry_batch)(workspace_id, narrowed, after)
        if not batch:
            return
        yield "".join(
            json.dumps(AuditEntryView.of(entry).to_json(), ensure_ascii=False) + "\n"
            for entry in batch
        )
        after = batch[-1]
