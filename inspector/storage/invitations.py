"""Invitations into a workspace, as rows. The link's secret is never stored: only its
SHA-256 digest, so that reading the database does not let anyone in."""

from __future__ import annotations

import enum
import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils import timezone

from inspector.models import Invitation, Membership, Role, Workspace
from inspector.storage.members import PersonalWorkspace


class InvitationNotFound(Exception):
    """No invitation has this secret (or, for an admin, this id in their workspace)."""


class InvitationState(enum.StrEnum):
    OPEN = "open"
    EXPIRED = "expired"
    USED = "used"
    REVOKED = "revoked"


class InvitationClosed(Exception):
    """The invitation can no longer be accepted; `state` says why."""

    def __init__(self, state: InvitationState) -> None:
        super().__init__(state.value)
        self.state = state


class WrongAccount(Exception):
    """An invitation to an email address, offered to an account with another one."""


class AlreadyMember(Exception):
    def __init__(self, workspace_id: int) -> None:
        super().__init__(workspace_id)
        self.workspace_id = workspace_id


class UsernameTaken(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class InvitationSummary:
    id: int
    workspace_id: int
    workspace_name: str
    email: str  # blank for a link anyone holding it may accept
    role: Role
    invited_by: str
    created_at: datetime
    expires_at: datetime
    state: InvitationState


@dataclass(frozen=True, slots=True)
class IssuedInvitation:
    """A new invitation and the secret of its link, which exists only here."""

    token: str
    invitation: InvitationSummary


def digest_of(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _state(invitation: Invitation, now: datetime) -> InvitationState:
    # A used or revoked invitation says so even after it would have expired.
    if invitation.accepted_at is not None:
        return InvitationState.USED
    if invitation.revoked_at is not None:
        return InvitationState.REVOKED
    if invitation.expires_at <= now:
        return InvitationState.EXPIRED
    return InvitationState.OPEN


def _summary(invitation: Invitation) -> InvitationSummary:
    inviter = invitation.invited_by
    return InvitationSummary(
        id=invitation.pk,
        workspace_id=invitation.workspace_id,
        workspace_name=invitation.workspace.name,
        email=invitation.email,
        role=Role(invitation.role),
        invited_by=inviter.get_username() if inviter is not None else "",
        created_at=invitation.created_at,
        expires_at=invitation.expires_at,
        state=_state(invitation, timezone.now()),
    )


def issue(
    workspace_id: int, invited_by_id: int, email: str, role: Role, lifetime: timedelta
) -> IssuedInvitation:
    if Workspace.objects.filter(pk=workspace_id, personal_of__isnull=False).exists():
        raise PersonalWorkspace
    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        workspace_id=workspace_id,
        token_digest=digest_of(token),
        email=email,
        role=role,
        invited_by_id=invited_by_id,
        expires_at=timezone.now() + lifetime,
    )
    invitation = Invitation.objects.select_related("workspace", "invited_by").get(pk=invitation.pk)
    return IssuedInvitation(token=token, invitation=_summary(invitation))


def pending(workspace_id: int) -> list[InvitationSummary]:
    """The invitations still open: not accepted, not revoked, not expired."""
    rows = Invitation.objects.select_related("workspace", "invited_by").filter(
        workspace_id=workspace_id,
        accepted_at__isnull=True,
        revoked_at__isnull=True,
        expires_at__gt=timezone.now(),
    )
    return [_summary(row) for row in rows]


def revoke(workspace_id: int, invitation_id: int) -> None:
    revoked = Invitation.objects.filter(
        pk=invitation_id, workspace_id=workspace_id, accepted_at__isnull=True
    ).update(revoked_at=timezone.now())
    if not revoked:
        raise InvitationNotFound


def discard(invitation_id: int) -> None:
    """Forget an invitation that never reached anyone."""
    Invitation.objects.filter(pk=invitation_id).delete()


def find(token: str) -> InvitationSummary:
    row = (
        Invitation.objects.select_related("workspace", "invited_by")
        .filter(token_digest=digest_of(token))
        .first()
    )
    if row is None:
        raise InvitationNotFound
    return _summary(row)


def _open_for_update(token: str) -> Invitation:
    """The invitation, locked until the transaction ends, so that it is used once."""
    row = (
        Invitation.objects.select_for_update()
        .filter(token_digest=digest_of(token))
        .select_related("workspace")
        .first()
    )
    if row is None:
        raise InvitationNotFound
    state = _state(row, timezone.now())
    if state is not InvitationState.OPEN:
        raise InvitationClosed(state)
    return row


def _join(invitation: Invitation, user: User) -> int:
    if invitation.email and invitation.email.casefold() != user.email.casefold():
        raise WrongAccount
    if Membership.objects.filter(workspace_id=invitation.workspace_id, user=user).exists():
        raise AlreadyMember(invitation.workspace_id)
    Membership.objects.create(workspace_id=invitation.workspace_id, user=user, role=invitation.role)
    invitation.accepted_by = user
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_by", "accepted_at"])
    return invitation.workspace_id


def accept(token: str, user_id: int) -> int:
    """Join the invitation's workspace with its role; the workspace's id."""
    with transaction.atomic():
        return _join(_open_for_update(token), User.objects.get(pk=user_id))


def accept_with_new_account(
    token: str, username: str, password: str, email: str
) -> tuple[int, int]:
    """Make an account and join with it, or neither: an account is made only for an
    invitation that can still be accepted. The account's and the workspace's ids. An
    email invitation gives the account its address."""
    with transaction.atomic():
        invitation = _open_for_update(token)
        try:
            with transaction.atomic():
                user = User.objects.create_user(
                    username=username, email=invitation.email or email, password=password
                )
        except IntegrityError as exc:
            raise UsernameTaken(f"An account named {username!r} exists already.") from exc
        return user.pk, _join(invitation, user)
