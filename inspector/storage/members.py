"""Who belongs to a workspace, as rows: listing members, changing a role, removing one,
and making a team workspace. Every function runs in the database thread and is given
the workspace it acts in, so nothing reaches another workspace's members."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.models import User
from django.db import transaction

from inspector.models import Membership, Role, Workspace

WORKSPACE_NAME_MAX_LENGTH = Workspace._meta.get_field("name").max_length or 200


class MemberNotFound(Exception):
    """No member with that account belongs to this workspace."""


class LastAdmin(Exception):
    """The change would leave the workspace without an admin."""

    def __init__(self) -> None:
        super().__init__("A workspace keeps at least one admin: make someone else an admin first.")


class PersonalWorkspace(Exception):
    """A personal workspace is its owner's alone."""

    def __init__(self) -> None:
        super().__init__(
            "This is a personal workspace: only its owner belongs to it, and it cannot be "
            "shared. Create a team workspace to work with others."
        )


@dataclass(frozen=True, slots=True)
class Member:
    user_id: int
    username: str
    email: str
    role: Role
    joined_at: datetime


@dataclass(frozen=True, slots=True)
class WorkspaceSummary:
    id: int
    name: str
    personal: bool


def _member(membership: Membership) -> Member:
    return Member(
        user_id=membership.user_id,
        username=membership.user.get_username(),
        email=membership.user.email,
        role=Role(membership.role),
        joined_at=membership.joined_at,
    )


def workspace_summary(workspace_id: int) -> WorkspaceSummary:
    workspace = Workspace.objects.get(pk=workspace_id)
    return WorkspaceSummary(
        id=workspace.pk, name=workspace.name, personal=workspace.personal_of_id is not None
    )


def list_members(workspace_id: int) -> list[Member]:
    memberships = Membership.objects.filter(workspace_id=workspace_id).select_related("user")
    return [_member(m) for m in memberships.order_by("user__username")]


def is_member(workspace_id: int, user_id: int) -> bool:
    return Membership.objects.filter(workspace_id=workspace_id, user_id=user_id).exists()


def _locked_membership(workspace_id: int, user_id: int) -> Membership:
    """The membership, with the workspace's memberships locked until the transaction
    ends: two admins demoting each other at once must not both succeed."""
    memberships = list(
        Membership.objects.select_for_update().filter(workspace_id=workspace_id).order_by("id")
    )
    for membership in memberships:
        if membership.user_id == user_id:
            return membership
    raise MemberNotFound


def _admins_besides(workspace_id: int, user_id: int) -> int:
    return (
        Membership.objects.filter(workspace_id=workspace_id, role=Role.ADMIN)
        .exclude(user_id=user_id)
        .count()
    )


def change_role(workspace_id: int, user_id: int, role: Role) -> None:
    with transaction.atomic():
        membership = _locked_membership(workspace_id, user_id)
        if membership.role == role:
            return
        if membership.role == Role.ADMIN and not _admins_besides(workspace_id, user_id):
            raise LastAdmin
        membership.role = role
        membership.save(update_fields=["role"])


def remove_member(workspace_id: int, user_id: int) -> None:
    with transaction.atomic():
        if Workspace.objects.filter(pk=workspace_id, personal_of__isnull=False).exists():
            raise PersonalWorkspace
        membership = _locked_membership(workspace_id, user_id)
        if membership.role == Role.ADMIN and not _admins_besides(workspace_id, user_id):
            raise LastAdmin
        membership.delete()


def create_team_workspace(name: str, admin_id: int) -> WorkspaceSummary:
    """A workspace for a team, with the account that made it as its first admin."""
    with transaction.atomic():
        workspace = Workspace.objects.create(name=name)
        Membership.objects.create(workspace=workspace, user_id=admin_id, role=Role.ADMIN)
    return WorkspaceSummary(id=workspace.pk, name=workspace.name, personal=False)


def create_admin_account(
    username: str, email: str, password: str, workspace_name: str | None
) -> tuple[User, WorkspaceSummary | None]:
    """The first admin: a superuser (its personal workspace comes with it) and, if named,
    a team workspace it administers. `ValueError` when the username is taken."""
    with transaction.atomic():
        if User.objects.filter(username=username).exists():
            raise ValueError(f"An account named {username!r} exists already.")
        user = User.objects.create_superuser(username=username, email=email, password=password)
        team = create_team_workspace(workspace_name, user.pk) if workspace_name else None
    return user, team
