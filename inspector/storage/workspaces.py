"""Workspaces and who belongs to them: the rows behind hosted mode's sharing."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.db import transaction

from inspector.models import Membership, Role, Workspace

__all__ = ["Role", "ensure_personal_workspace", "on_user_saved"]


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
