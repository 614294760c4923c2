"""The audit log's rows: writing an entry (one INSERT), the sign-in signals, and reading
a workspace's entries through a filter, a page at a time or all of them in batches.

A sign-in is written once per workspace the account belongs to at that moment, so each
team's log keeps it even after the account leaves. A failed sign-in belongs to no
workspace (nobody signed in); it names the account it tried, when there is one, and is
shown in the logs of the workspaces that account belongs to.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import models
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone

from inspector.models import AuditEntry, Membership


class AuditAction(models.TextChoices):
    """What an entry says happened. The values are what the log stores and exports."""

    SIGN_IN = "sign_in", "Signed in"
    SIGN_IN_FAILED = "sign_in.failed", "Sign-in failed"
    CONNECT = "session.connect", "Connected"
    RECONNECT = "session.reconnect", "Reconnected"
    DISCONNECT = "session.disconnect", "Disconnected"
    TOOL_CALL = "tool.call", "Called a tool"
    REQUEST_SEND = "request.send", "Sent a request"
    CONSENT_ANSWER = "consent.answer", "Answered the inbox"
    CONSENT_SWITCH = "consent.switch", "Set a consent switch"
    ROOT_ADD = "consent.root_add", "Added a root"
    ROOT_REMOVE = "consent.root_remove", "Removed a root"
    EXPORT_SESSION = "export.session", "Exported a session"
    EXPORT_HAR = "export.har", "Exported a HAR file"
    EXPORT_REPORT = "export.report", "Downloaded a report"
    EXPORT_LOAD_TEST = "export.load_test", "Downloaded a load test"
    EXPORT_SERVERS = "export.servers", "Exported saved servers"
    EXPORT_AUDIT = "export.audit", "Exported the audit log"
    MEMBER_INVITED = "member.invited", "Invited someone"
    MEMBER_INVITATION_REVOKED = "member.invitation_revoked", "Revoked an invitation"
    MEMBER_JOINED = "member.joined", "Joined"
    MEMBER_ROLE_CHANGED = "member.role_changed", "Changed a role"
    MEMBER_REMOVED = "member.removed", "Removed a member"


SIGN_IN = AuditAction.SIGN_IN.value
SIGN_IN_FAILED = AuditAction.SIGN_IN_FAILED.value
# Rows read per query by the export: memory stays flat however long the log.
EXPORT_BATCH = 500


@dataclass(frozen=True, slots=True)
class AuditFilter:
    """What a log is narrowed to; empty fields narrow nothing."""

    action: str = ""
    person: str = ""  # the actor's name, exactly as recorded
    since: date | None = None  # on or after this day (UTC)
    until: date | None = None  # on or before this day (UTC)
    text: str = ""  # in the target

    @property
    def narrowed(self) -> bool:
        return bool(self.action or self.person or self.since or self.until or self.text)


@dataclass(frozen=True, slots=True)
class EntryPage:
    entries: list[AuditEntry]
    total: int


async def add_entry(
    *,
    workspace_id: int | None,
    actor_id: int | None,
    actor_name: str,
    action: str,
    target: str,
    detail: dict[str, Any],
) -> None:
    """One INSERT, through the ORM's own async call: it runs on the request's database
    connection, already open for the access check, rather than opening one in a thread
    of its own."""
    await AuditEntry.objects.acreate(
        workspace_id=workspace_id,
        actor_id=actor_id,
        actor_name=actor_name[:200],
        at=timezone.now(),
        action=action,
        target=target[:500],
        detail=detail,
    )


def write_entry(
    *,
    workspace_id: int | None,
    actor_id: int | None,
    actor_name: str,
    action: str,
    target: str,
    detail: dict[str, Any],
) -> None:
    AuditEntry.objects.create(
        workspace_id=workspace_id,
        actor_id=actor_id,
        actor_name=actor_name[:200],
        at=timezone.now(),
        action=action,
        target=target[:500],
        detail=detail,
    )


def on_signed_in(sender: Any, request: HttpRequest | None, user: Any, **_: Any) -> None:
    if settings.LOCAL_MODE:
        return
    now = timezone.now()
    detail = _client_address(request)
    workspace_ids = Membership.objects.filter(user=user).values_list("workspace_id", flat=True)
    AuditEntry.objects.bulk_create(
        AuditEntry(
            workspace_id=workspace_id,
            actor=user,
            actor_name=user.get_username(),
            at=now,
            action=SIGN_IN,
            detail=detail,
        )
        for workspace_id in workspace_ids
    )


def on_sign_in_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **_: Any
) -> None:
    """Only the name tried is kept: Django hands the password over masked, and it is
    never written anyway."""
    if settings.LOCAL_MODE:
        return
    user_model = get_user_model()
    name = str(credentials.get(user_model.USERNAME_FIELD, ""))
    account = user_model._default_manager.filter(**{user_model.USERNAME_FIELD: name}).first()
    write_entry(
        workspace_id=None,
        actor_id=account.pk if account is not None else None,
        actor_name=name,
        action=SIGN_IN_FAILED,
        target="",
        detail=_client_address(request),
    )


def account_name(user_id: int) -> str:
    """An account's name, for an entry about it; "" when there is no such account."""
    user_model = get_user_model()
    account = user_model._default_manager.filter(pk=user_id).first()
    return account.get_username() if account is not None else ""


def _client_address(request: HttpRequest | None) -> dict[str, Any]:
    address = request.META.get("REMOTE_ADDR") if request is not None else None
    return {"address": address} if address else {}


def _of_workspace(workspace_id: int) -> QuerySet[AuditEntry]:
    members = Membership.objects.filter(workspace_id=workspace_id).values("user_id")
    failed_for_members = Q(workspace__isnull=True, action=SIGN_IN_FAILED, actor_id__in=members)
    return AuditEntry.objects.filter(Q(workspace_id=workspace_id) | failed_for_members)


def _matching(workspace_id: int, narrowed: AuditFilter) -> QuerySet[AuditEntry]:
    entries = _of_workspace(workspace_id)
    if narrowed.action:
        entries = entries.filter(action=narrowed.action)
    if narrowed.person:
        entries = entries.filter(actor_name=narrowed.person)
    if narrowed.since is not None:
        entries = entries.filter(at__gte=_day_start(narrowed.since))
    if narrowed.until is not None:
        entries = entries.filter(at__lt=_day_start(narrowed.until + timedelta(days=1)))
    if narrowed.text:
        entries = entries.filter(target__icontains=narrowed.text)
    return entries.order_by("-at", "-id")


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def entry_page(workspace_id: int, narrowed: AuditFilter, *, offset: int, limit: int) -> EntryPage:
    entries = _matching(workspace_id, narrowed)
    return EntryPage(entries=list(entries[offset : offset + limit]), total=entries.count())


def people(workspace_id: int) -> list[str]:
    """Everyone the workspace's log names, for the person filter."""
    names = _of_workspace(workspace_id).exclude(actor_name="").values_list("actor_name", flat=True)
    return sorted(set(names.order_by()))


def entry_batch(
    workspace_id: int, narrowed: AuditFilter, after: AuditEntry | None
) -> list[AuditEntry]:
    """The next `EXPORT_BATCH` matching entries, newest first, after the entry `after`
    (keyset paging on (at, id): entries written meanwhile shift nothing)."""
    entries = _matching(workspace_id, narrowed)
    if after is not None:
        entries = entries.filter(Q(at__lt=after.at) | Q(at=after.at, id__lt=after.id))
    return list(entries[:EXPORT_BATCH])
