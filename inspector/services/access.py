"""Who is asking, in which workspace, with which role: what every hosted request acts as.

Local mode has one person, who may do everything: no account, no workspace (None), no role.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from asgiref.sync import sync_to_async

from inspector.storage.workspaces import (
    Role,
    acting_membership,
    membership_role,
    memberships_of,
    workspace_name,
)


@dataclass(frozen=True)
class Access:
    user_id: int | None
    user_name: str
    # The workspace the request acts in; what it reaches belongs to this one.
    workspace_id: int | None
    role: Role | None
    workspace_name: str = ""

    @property
    def may_act(self) -> bool:
        """Connect, call, send, answer the inbox: everything but watching."""
        return self.role is None or self.role in (Role.ADMIN, Role.MEMBER)

    @property
    def may_administer(self) -> bool:
        """Members, invitations, the workspace's settings and its audit log."""
        return self.role is None or self.role == Role.ADMIN

    @property
    def viewer_refusal(self) -> str:
        """What a viewer is told when refused: why, and who can change it."""
        return (
            f"Viewers of {self.workspace_name} watch sessions and read history; "
            "an admin can make you a member."
        )


LOCAL_ACCESS = Access(user_id=None, user_name="", workspace_id=None, role=None)


async def access_get(*, user_id: int, chosen_workspace_id: int | None) -> Access:
    """What a signed-in account acts as: its chosen workspace, if it still belongs to it,
    else its personal one; read afresh on every request, so a removed member loses access
    at once."""
    membership = await sync_to_async(acting_membership)(user_id, chosen_workspace_id)
    return Access(
        user_id=user_id,
        user_name=membership.user.get_username(),
        workspace_id=membership.workspace_id,
        role=Role(membership.role),
        workspace_name=membership.workspace.name,
    )


async def access_reaching(*, access: Access, owner_id: int | None) -> Access | None:
    """What a request acts as to reach something `owner_id` owns: its own Access when that
    is the workspace it acts in; the account's membership there when the thing belongs to
    another of its workspaces (a teammate's link opens); None when the account is not a
    member, and then the thing is answered as missing."""
    if owner_id == access.workspace_id:
        return access
    if access.user_id is None or owner_id is None:
        return None
    role = await sync_to_async(membership_role)(access.user_id, owner_id)
    if role is None:
        return None
    name = await sync_to_async(workspace_name)(owner_id)
    return replace(access, workspace_id=owner_id, role=role, workspace_name=name)


async def is_member(*, user_id: int, workspace_id: int | None) -> bool:
    if workspace_id is None:
        return False
    return await sync_to_async(membership_role)(user_id, workspace_id) is not None


@dataclass(frozen=True)
class WorkspaceChoice:
    id: int
    name: str
    role: Role


async def workspace_choices(*, user_id: int) -> list[WorkspaceChoice]:
    """The workspaces an account may act in, with its role in each."""
    rows = await sync_to_async(memberships_of)(user_id)
    return [WorkspaceChoice(id=id_, name=name, role=role) for id_, name, role in rows]
