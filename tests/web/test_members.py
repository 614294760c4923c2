"""Hosted mode: the members page of the workspace an account acts in. Everyone sees the
members and their roles; only an admin changes a role or removes a member, never the
last admin; a personal workspace is its owner's alone; any account makes a team
workspace and is its admin."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from channels.layers import get_channel_layer

from inspector.broadcast import user_group
from inspector.models import AuditEntry, Workspace
from tests.web.teams import (
    account,
    browser,
    hosted_mode,
    invite_link,
    members_heading,
    members_shown,
    new_team,
    role_in,
    text,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def hosted(settings: Any) -> None:
    hosted_mode(settings)


async def team_of_two() -> tuple[Any, int, Any, int]:
    """alice's team "Platform", which bob joined as a member through an invite link."""
    alice, alice_id = await account("alice")
    bob, bob_id = await account("bob")
    await new_team(alice, "Platform")
    joined = await bob.post(f"{await invite_link(alice)}accept")
    assert joined.status_code == 302, text(joined)[:2000]
    return alice, alice_id, bob, bob_id


async def test_a_new_account_acts_in_its_personal_workspace_which_cannot_be_shared() -> None:
    alice, _ = await account("alice")
    response = await alice.get("/workspace/members/")
    assert response.status_code == 200
    page = text(response)
    assert "Members of alice (personal)" in page
    assert "it cannot be shared" in page
    assert await members_shown(alice) == {"alice": "admin"}
    refused = await alice.post(
        "/workspace/invitations/link", {"role": "member", "expires_in": "1d"}
    )
    assert refused.status_code == 409
    assert "cannot be shared" in text(refused)
    assert "new-invite-link" not in text(refused)


async def test_any_account_makes_a_team_workspace_and_is_its_admin() -> None:
    bob, _ = await account("bob")
    form = await bob.get("/workspace/new")
    assert form.status_code == 200
    assert 'name="name"' in text(form)
    assert (await bob.post("/workspace/new", {"name": ""})).status_code == 422
    await new_team(bob, "Payments")
    assert await members_heading(bob) == "Members of Payments"
    assert await members_shown(bob) == {"bob": "admin"}
    page = text(await bob.get("/workspace/members/"))
    assert "Invite" in page
    assert "cannot be shared" not in page


async def test_every_member_sees_the_members_and_their_roles() -> None:
    alice, _, bob, _ = await team_of_two()
    assert await members_heading(bob) == "Members of Platform"
    assert await members_shown(bob) == {"alice": "admin", "bob": "member"}
    assert await members_shown(alice) == {"alice": "admin", "bob": "member"}
    # Only an admin is offered the changes, and the invitations still open.
    bobs_page = text(await bob.get("/workspace/members/"))
    assert "Change the role" not in bobs_page
    assert "Pending invitations" not in bobs_page
    assert "Pending invitations" in text(await alice.get("/workspace/members/"))


async def test_an_admin_changes_a_role_and_removes_a_member() -> None:
    alice, _, bob, bob_id = await team_of_two()
    changed = await alice.post(f"/workspace/members/{bob_id}/role", {"role": "viewer"})
    assert changed.status_code == 302
    assert await members_shown(bob) == {"alice": "admin", "bob": "viewer"}

    removed = await alice.post(f"/workspace/members/{bob_id}/remove")
    assert removed.status_code == 302
    assert await members_shown(alice) == {"alice": "admin"}
    # bob is back in his personal workspace at his next request.
    assert await members_heading(bob) == "Members of bob (personal)"
    assert await role_in("Platform", bob_id) is None


async def test_a_member_or_viewer_may_not_change_members() -> None:
    alice, alice_id, bob, bob_id = await team_of_two()
    attempts = [
        (f"/workspace/members/{alice_id}/role", {"role": "viewer"}),
        (f"/workspace/members/{bob_id}/role", {"role": "admin"}),
        (f"/workspace/members/{alice_id}/remove", {}),
        ("/workspace/invitations/link", {"role": "admin", "expires_in": "7d"}),
        (
            "/workspace/invitations/email",
            {"email": "x@example.com", "role": "admin", "expires_in": "7d"},
        ),
    ]
    for role in ("member", "viewer"):
        await alice.post(f"/workspace/members/{bob_id}/role", {"role": role})
        for url, data in attempts:
            assert (await bob.post(url, data)).status_code == 403, (role, url)
    assert await members_shown(alice) == {"alice": "admin", "bob": "viewer"}


async def test_the_last_admin_can_be_neither_removed_nor_demoted() -> None:
    alice, alice_id, bob, bob_id = await team_of_two()
    for url, data in (
        (f"/workspace/members/{alice_id}/remove", {}),
        (f"/workspace/members/{alice_id}/role", {"role": "member"}),
    ):
        refused = await alice.post(url, data)
        assert refused.status_code == 409
        assert "at least one admin" in text(refused)
    assert await members_shown(alice) == {"alice": "admin", "bob": "member"}

    # With a second admin, the first may step down, and leave.
    await alice.post(f"/workspace/members/{bob_id}/role", {"role": "admin"})
    assert (
        await alice.post(f"/workspace/members/{alice_id}/role", {"role": "viewer"})
    ).status_code == 302
    assert (await bob.post(f"/workspace/members/{alice_id}/remove")).status_code == 302
    assert await members_shown(bob) == {"bob": "admin"}
    refused = await bob.post(f"/workspace/members/{bob_id}/remove")
    assert refused.status_code == 409


async def test_members_of_another_workspace_are_out_of_reach() -> None:
    alice, _, _bob, bob_id = await team_of_two()
    carol, _ = await account("carol")
    await new_team(carol, "Elsewhere")
    # carol administers her own team: bob is not in it, as if he did not exist.
    assert (await carol.post(f"/workspace/members/{bob_id}/remove")).status_code == 404
    assert (
        await carol.post(f"/workspace/members/{bob_id}/role", {"role": "viewer"})
    ).status_code == 404
    assert await members_shown(alice) == {"alice": "admin", "bob": "member"}


async def test_a_removed_or_changed_member_s_open_pages_are_told() -> None:
    alice, _, _bob, bob_id = await team_of_two()
    layer = get_channel_layer()
    assert layer is not None
    page = await layer.new_channel()
    await layer.group_add(user_group(bob_id), page)
    await alice.post(f"/workspace/members/{bob_id}/role", {"role": "viewer"})
    assert (await asyncio.wait_for(layer.receive(page), 5))["type"] == "access.changed"
    await alice.post(f"/workspace/members/{bob_id}/remove")
    assert (await asyncio.wait_for(layer.receive(page), 5))["type"] == "access.changed"


async def test_signed_out_visitors_are_asked_to_sign_in() -> None:
    response = await browser().get("/workspace/members/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


async def test_local_mode_has_no_members_page(settings: Any) -> None:
    settings.LOCAL_MODE = True
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if "LoginRequired" not in m]
    local = browser()
    local.cookies[settings.INSPECTOR_TOKEN_COOKIE] = settings.INSPECTOR_TOKEN
    assert (await local.get("/workspace/members/")).status_code == 404
    assert (await local.get("/workspace/new")).status_code == 404


async def test_membership_changes_are_in_the_teams_audit_log() -> None:
    """Who invited, who joined, whose role changed and who was removed, in the log of the
    team they happened in, each under the person who did it."""
    alice, _, _, bob_id = await team_of_two()
    assert (
        await alice.post(f"/workspace/members/{bob_id}/role", {"role": "viewer"})
    ).status_code == 302
    assert (await alice.post(f"/workspace/members/{bob_id}/remove")).status_code == 302

    team = await Workspace.objects.aget(name="Platform")
    entries = [
        (entry.actor_name, entry.action)
        async for entry in AuditEntry.objects.filter(workspace=team)
        .exclude(action__startswith="sign_in")
        .order_by("at", "id")
    ]
    assert entries == [
        ("alice", "member.invited"),
        ("bob", "member.joined"),
        ("alice", "member.role_changed"),
        ("alice", "member.removed"),
    ]
