"""Workspaces and their members: the members page, roles, removals, team workspaces,
invitations (by email or by a one-time link) and the first admin account.

Every function acting on a workspace's members is given the workspace the request acts
in; the views decide who may call which (an admin, for changes). After a role changes or
a member is removed, the pages that account has open are told to check again, so the
change reaches them at once, websockets included.
"""

from __future__ import annotations

import smtplib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from asgiref.sync import sync_to_async
from django.core.mail import send_mail

from inspector.broadcast import announce_access_changed
from inspector.services.access import Access
from inspector.services.audit import AuditAction, audit_account_name, audit_record
from inspector.storage import invitations as invitation_rows
from inspector.storage import members as member_rows
from inspector.storage.db import in_db_thread
from inspector.storage.invitations import (
    AlreadyMember,
    InvitationClosed,
    InvitationNotFound,
    InvitationState,
    InvitationSummary,
    IssuedInvitation,
    UsernameTaken,
    WrongAccount,
)
from inspector.storage.members import (
    WORKSPACE_NAME_MAX_LENGTH,
    LastAdmin,
    Member,
    MemberNotFound,
    PersonalWorkspace,
    WorkspaceSummary,
)
from inspector.storage.workspaces import Role

__all__ = [
    "INVITATION_LIFETIMES",
    "WORKSPACE_NAME_MAX_LENGTH",
    "AlreadyMember",
    "InvitationClosed",
    "InvitationNotFound",
    "InvitationNotSent",
    "InvitationState",
    "InvitationSummary",
    "IssuedInvitation",
    "LastAdmin",
    "Member",
    "MemberNotFound",
    "MembersPage",
    "PersonalWorkspace",
    "Role",
    "UsernameTaken",
    "WorkspaceSummary",
    "WrongAccount",
    "admin_account_create",
    "invitation_accept",
    "invitation_accept_new_account",
    "invitation_email_send",
    "invitation_get",
    "invitation_link_create",
    "invitation_revoke",
    "workspace_create",
    "workspace_has_member",
    "workspace_member_remove",
    "workspace_member_role_set",
    "workspace_members_get",
]

# How long an invitation may wait for its answer, as the invite forms offer it.
INVITATION_LIFETIMES = {
    "1h": ("1 hour", timedelta(hours=1)),
    "1d": ("1 day", timedelta(days=1)),
    "7d": ("7 days", timedelta(days=7)),
}


class InvitationNotSent(Exception):
    """The mail server refused or could not be reached; the invitation was dropped."""


@dataclass(frozen=True, slots=True)
class MembersPage:
    """What the members page shows: the workspace, its members with their roles and,
    to an admin, the invitations still open."""

    workspace: WorkspaceSummary
    members: tuple[Member, ...]
    invitations: tuple[InvitationSummary, ...]

    @property
    def admin_count(self) -> int:
        return sum(1 for member in self.members if member.role == Role.ADMIN)


async def workspace_members_get(*, workspace_id: int, with_invitations: bool) -> MembersPage:
    workspace = await in_db_thread(member_rows.workspace_summary)(workspace_id)
    members = await in_db_thread(member_rows.list_members)(workspace_id)
    invitations = (
        await in_db_thread(invitation_rows.pending)(workspace_id) if with_invitations else []
    )
    return MembersPage(workspace=workspace, members=tuple(members), invitations=tuple(invitations))


async def workspace_has_member(*, workspace_id: int, user_id: int) -> bool:
    return await in_db_thread(member_rows.is_member)(workspace_id, user_id)


async def workspace_member_role_set(*, workspace_id: int, user_id: int, role: Role) -> None:
    """`LastAdmin` when it would leave the workspace without one; `MemberNotFound`."""
    await in_db_thread(member_rows.change_role)(workspace_id, user_id, role)
    await announce_access_changed(user_id)


async def workspace_member_remove(*, workspace_id: int, user_id: int) -> None:
    """`LastAdmin`, `PersonalWorkspace` or `MemberNotFound` when refused."""
    await in_db_thread(member_rows.remove_member)(workspace_id, user_id)
    await announce_access_changed(user_id)


async def workspace_create(*, name: str, admin_id: int) -> WorkspaceSummary:
    return await in_db_thread(member_rows.create_team_workspace)(name.strip(), admin_id)


async def invitation_link_create(
    *, workspace_id: int, invited_by_id: int, role: Role, lifetime: timedelta
) -> IssuedInvitation:
    """A one-time link anyone holding it may accept; its secret is returned once."""
    return await in_db_thread(invitation_rows.issue)(
        workspace_id, invited_by_id, "", role, lifetime
    )


async def invitation_email_send(
    *,
    workspace_id: int,
    invited_by_id: int,
    email: str,
    role: Role,
    lifetime: timedelta,
    link_for: Callable[[str], str],
) -> InvitationSummary:
    """Invite an address: only an account with that address may accept. The mail
    carries the link (`link_for` makes it from the secret), which nobody else sees."""
    issued = await in_db_thread(invitation_rows.issue)(
        workspace_id, invited_by_id, email.strip(), role, lifetime
    )
    invitation = issued.invitation
    body = (
        f"{invitation.invited_by} invites you to the workspace “{invitation.workspace_name}” "
        f"of an MCP Inspector, as {invitation.role.label.lower()}.\n\n"
        f"Open this link to accept (it works once, until "
        f"{invitation.expires_at:%Y-%m-%d %H:%M} UTC):\n\n{link_for(issued.token)}\n\n"
        f"You may sign in, or create an account, with this address ({invitation.email}).\n"
    )
    try:
        # Off the event loop: an SMTP server may take its time to answer.
        await sync_to_async(send_mail, thread_sensitive=False)(
            f"Join “{invitation.workspace_name}” on the MCP Inspector",
            body,
            None,
            [invitation.email],
        )
    except (OSError, smtplib.SMTPException) as exc:
        # Never delivered: it must not wait in the pending list as if it had been.
        await in_db_thread(invitation_rows.discard)(invitation.id)
        raise InvitationNotSent(
            f"The invitation could not be sent to {invitation.email} ({exc}); nothing is "
            "pending. Check the mail settings (INSPECTOR_EMAIL_*), or create an invite link."
        ) from exc
    return invitation


async def invitation_revoke(*, workspace_id: int, invitation_id: int) -> None:
    await in_db_thread(invitation_rows.revoke)(workspace_id, invitation_id)


async def invitation_get(*, token: str) -> InvitationSummary:
    """`InvitationNotFound` when no invitation has this secret."""
    return await in_db_thread(invitation_rows.find)(token)


async def invitation_accept(*, token: str, user_id: int) -> int:
    """Join with the invitation's role; the workspace's id. Refused with
    `InvitationClosed`, `WrongAccount`, `AlreadyMember` or `InvitationNotFound`."""
    workspace_id = await in_db_thread(invitation_rows.accept)(token, user_id)
    await announce_access_changed(user_id)
    await _record_joined(user_id, workspace_id)
    return workspace_id


async def invitation_accept_new_account(
    *, token: str, username: str, password: str, email: str
) -> tuple[int, int]:
    """Make an account and join with it (or neither); the account's and workspace's ids."""
    user_id, workspace_id = await in_db_thread(invitation_rows.accept_with_new_account)(
        token, username, password, email
    )
    await _record_joined(user_id, workspace_id)
    return user_id, workspace_id


async def _record_joined(user_id: int, workspace_id: int) -> None:
    """In the log of the workspace joined: the request that joined still acts in the
    account's own, so the route table cannot record it."""
    joined = Access(
        user_id=user_id,
        user_name=await audit_account_name(user_id=user_id),
        workspace_id=workspace_id,
        role=None,
    )
    await audit_record(access=joined, action=AuditAction.MEMBER_JOINED)


async def admin_account_create(
    *, username: str, email: str, password: str, workspace_name: str | None
) -> WorkspaceSummary | None:
    """The first admin: a superuser account and, if named, a team workspace it
    administers (the team's, returned). `ValueError` when the username is taken."""
    _, team = await in_db_thread(member_rows.create_admin_account)(
        username, email, password, workspace_name
    )
    return team
