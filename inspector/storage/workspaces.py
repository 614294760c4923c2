"""Workspaces and who belongs to them: the rows behind hosted mode's sharing."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.db import transaction

from inspector.models import Membership, Role, Workspace

__all__ = [
    "Role",
    "acting_membership",
    "ensure_personal_workspace",
    "membership_role",
    "memberships_of",
    "on_user_saved",
    "workspace_name",
]


def personal_workspace_name(user: User) -> str:
    return f"{user.get_username()} (personal)"


def ensure_personal_workspace(user: User) -> Workspace:
    """The account's personal workspace, made (with the account as its admin) if missing."""
    with transaction.atomic():
        workspace, created = Workspace.objects.get_or_create(
            personal_of=user, defaults={"name": personal_workspace_name(user)}
        )
        if created:
            Membership.objects.get_or_create(
                workspace=workspace, user=user, defaults={"role": Role.ADMIN}
            )
    return workspace


def on_user_saved(sender: Any, instance: User, created: bool, **_: Any) -> None:
    """Every account has a personal workspace from the moment it exists."""
    if created:
        ensure_personal_workspace(instance)


def acting_membership(user_id: int, chosen_workspace_id: int | None) -> Membership:
    """The membership a request acts through: the chosen workspace's if the account
    belongs to it, else the account's personal workspace's."""
    memberships = Membership.objects.select_related("workspace", "user")
    if chosen_workspace_id is not None:
        chosen = memberships.filter(user_id=user_id, workspace_id=chosen_workspace_id).first()
        if chosen is not None:
            return chosen
    personal = memberships.filter(user_id=user_id, workspace__personal_of_id=user_id).first()
    if personal is not None:
        return personal
    user = User.objects.get(pk=user_id)
    return memberships.get(user=user, workspace=ensure_personal_workspace(user))


def membership_role(user_id: int, workspace_id: int) -> Role | None:
    """The account's role in the workspace, None if it is not a member."""
    role = (
        Membership.objects.filter(user_id=user_id, workspace_id=workspace_id)
        .values_list("role", flat=True)
        .first()
    )
    return Role(role) if role is not None else None


def memberships_of(user_id: int) -> list[tuple[int, str, Role]]:
    """(workspace id, name, role) of every workspace the account belongs to, its
    personal one first."""
    rows = Membership.objects.filter(user_id=user_id).select_related("workspace")
    ordered = sorted(rows, key=lambda m: (m.workspace.personal_of_id != user_id, m.workspace.name))
    return [(m.workspace_id, m.workspace.name, Role(m.role)) for m in ordered]


def workspace_name(workspace_id: int) -> str:
    return Workspace.objects.filter(pk=workspace_id).values_list("name", flat=True).first() or ""
