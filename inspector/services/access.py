"""Who is asking, in which workspace, with which role: what every hosted request acts as.

Local mode has one person, who may do everything: no account, no workspace (None), no role.
"""

from __future__ import annotations

from dataclasses import dataclass

from asgiref.sync import sync_to_async

from inspector.storage.workspaces import Role, acting_membership


@dataclass(frozen=True)
class Access:
    user_id: int | None
    user_name: str
    # The workspace the request acts in; what it reaches belongs to this one.
    workspace_id: int | None
    role: Role | None

    @property
    def may_act(self) -> bool:
        """Connect, call, send, answer the inbox: everything but watching."""
        return self.role is None or self.role in (Role.ADMIN, Role.MEMBER)

    @property
    def may_administer(self) -> bool:
        """Members, invitations, the workspace's settings and its audit log."""
        return self.role is None or self.role == Role.ADMIN


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
    )
