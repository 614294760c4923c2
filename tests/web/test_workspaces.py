"""Hosted mode: a team shares a workspace. Its members see and open what it holds (one
link opens for every member), its viewers watch but change nothing, an outsider is told
nothing exists, and a member removed loses the page they are watching at once."""

from __future__ import annotations

import json
import sys
import time
from datetime import UTC, datetime

import pytest
from channels.testing import WebsocketCommunicator
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import AsyncClient

from inspector import services
from inspector.asgi import application
from inspector.broadcast import announce_access_changed
from inspector.models import (
    Membership,
    ModelEndpointSetting,
    Role,
    SavedServer,
    SessionRecord,
    Workspace,
)
from tests.web.support import answer_url, page, signed_in, start_tool, text_reply, waiting
from tests.web.test_owners import (  # noqa: F401  # `hosted` is an autouse fixture
    ATTEMPTS,
    NOBODYS,
    connect,
    hosted,
    listed,
    refusal,
    session_routes,
    session_url,
    websocket,
)

pytestmark = pytest.mark.django_db(transaction=True)

VIEWERS_SAY = "watch sessions and read history; an admin can make you a member."


async def team_of(**roles: Role) -> Workspace:
    """A team workspace whose members are the named accounts, in the given roles."""
    team = await Workspace.objects.acreate(name="Platform team")
    for name, role in roles.items():
        user = await get_user_model().objects.aget(username=name)
        await Membership.objects.acreate(workspace=team, user=user, role=role)
    return team


async def act_in(browser: AsyncClient, workspace: Workspace) -> None:
    """Choose the workspace in the top bar's switcher, as a person does."""
    response = await browser.post("/workspace", {"workspace": workspace.pk})
    assert response.status_code == 302, response.content.decode()[:500]


@pytest.fixture
async def alice() -> AsyncClient:
    return await signed_in("alice")


@pytest.fixture
async def bob() -> AsyncClient:
    return await signed_in("bob")


@pytest.fixture
async def carol() -> AsyncClient:
    return await signed_in("carol")


@pytest.fixture
async def dave() -> AsyncClient:
    return await signed_in("dave")


async def test_two_members_see_and_open_each_others_sessions_and_saved_servers(
    alice: AsyncClient, bob: AsyncClient
) -> None:
    team = await team_of(alice=Role.ADMIN, bob=Role.MEMBER)
    await act_in(alice, team)
    await act_in(bob, team)
    alices = await connect(alice)
    bobs = await connect(bob)
    assert await listed(alice) == await listed(bob) == [bobs, alices]
    for browser in (alice, bob):
        for session_id in (alices, bobs):
            assert "initialize" in await page(browser, f"/sessions/{session_id}/events?before=5")

    config = {"mcpServers": {"shared": {"command": sys.executable, "args": ["-V"]}}}
    await alice.post("/servers/import", {"text": json.dumps(config)})
    (server,) = (await bob.get("/servers.json")).json()["servers"]
    assert server["name"] == "shared"
    assert "shared" in await page(bob, f"/servers/{server['id']}/edit")

    # A teammate's link opens even from another workspace, in the session's own one.
    await act_in(bob, await Workspace.objects.aget(personal_of__username="bob"))
    assert await listed(bob) == []
    assert (await bob.get(f"/sessions/{alices}/")).status_code == 200
    assert await websocket(bob, alices) == (True, None)


async def test_an_outsider_gets_404_on_every_route_and_the_websocket_refused(
    alice: AsyncClient, dave: AsyncClient
) -> None:
    team = await team_of(alice=Role.ADMIN)
    await act_in(alice, team)
    session_id = await connect(alice, "consent_server")
    await page(alice, f"/sessions/{session_id}/list/tools")
    running = start_tool(session_id, "ask_llm")
    approval = await waiting(session_id)
    before = (await services.session_get(session_id=session_id)).last_seq

    for route in session_routes():
        data = ATTEMPTS.get(route, {})
        for method in ("GET", "POST"):
            theirs = await refusal(dave, method, session_url(route, session_id, approval.id), data)
            nobodys = await refusal(dave, method, session_url(route, NOBODYS, approval.id), data)
            assert theirs.replace(session_id, NOBODYS) == nobodys, f"{method} {route}"
    assert await websocket(dave, session_id) == (False, 4404)
    assert (await dave.post("/workspace", {"workspace": team.pk})).status_code == 400

    assert (await services.session_get(session_id=session_id)).last_seq == before
    assert approval.pending
    assert not running.done()
    running.cancel()


async def test_a_viewer_watches_but_calls_connects_and_answers_nothing(
    alice: AsyncClient, carol: AsyncClient
) -> None:
    team = await team_of(alice=Role.ADMIN, carol=Role.VIEWER)
    await act_in(alice, team)
    await act_in(carol, team)
    session_id = await connect(alice, "consent_server")
    await page(alice, f"/sessions/{session_id}/list/tools")
    running = start_tool(session_id, "ask_llm")
    approval = await waiting(session_id)
    before = (await services.session_get(session_id=session_id)).last_seq

    call = await carol.post(
        f"/sessions/{session_id}/tools/call", {"tool": "echo"}, headers={"hx-request": "true"}
    )
    answer = await carol.post(answer_url(session_id, approval), text_reply("No.", "m"))
    connecting = await carol.post("/connect", {"transport": "stdio"})
    # A GET, but one that asks the server for something.
    reading = await carol.get(
        f"/sessions/{session_id}/resources/read?uri=file:///etc/hostname",
        headers={"hx-request": "true"},
    )
    for refused in (call, answer, connecting, reading):
        assert refused.status_code == 403
        assert f"Viewers of Platform team {VIEWERS_SAY}" in refused.content.decode()
    # Lists and the palette show what the session listed,
    # and ask the server for nothing.
    assert "ask_llm" in await page(carol, f"/sessions/{session_id}/list/tools")
    assert "Not listed yet" in await page(carol, f"/sessions/{session_id}/list/prompts")
    palette = await carol.get(f"/sessions/{session_id}/palette.json")
    assert "ask_llm" in json.dumps(palette.json()["entries"])
    assert (await services.session_get(session_id=session_id)).last_seq == before
    assert approval.pending
    assert await listed(alice) == [session_id], "no session was connected"

    watched = await page(carol, f"/sessions/{session_id}/")
    assert ">Viewer<" in watched
    assert VIEWERS_SAY in watched
    assert "initialize" in await page(carol, f"/sessions/{session_id}/events?before=5")
    assert await websocket(carol, session_id) == (True, None)

    answered = await page(alice, answer_url(session_id, approval), text_reply("Yes.", "m"))
    assert "Approved by user alice." in answered
    await running
    # Choosing another workspace changes nothing a workspace holds: a viewer may.
    await act_in(carol, await Workspace.objects.aget(personal_of__username="carol"))
    home = await page(carol, "/")
    assert "carol (personal) · Admin" in home
    assert ">Viewer<" not in home


async def test_a_member_removed_loses_the_open_page_at_once_and_then_every_route(
    alice: AsyncClient, bob: AsyncClient
) -> None:
    team = await team_of(alice=Role.ADMIN, bob=Role.MEMBER)
    await act_in(alice, team)
    session_id = await connect(alice)
    cookie = "; ".join(f"{name}={morsel.value}" for name, morsel in bob.cookies.items())
    watching = WebsocketCommunicator(
        application,
        f"/ws/sessions/{session_id}/?after=0",
        headers=[
            (b"host", b"127.0.0.1"),
            (b"origin", b"http://127.0.0.1"),
            (b"cookie", cookie.encode()),
        ],
    )
    assert (await watching.connect())[0]
    assert "initialize" in (await watching.receive_json_from(timeout=5))["html"]

    bob_id = (await get_user_model().objects.aget(username="bob")).pk
    await Membership.objects.filter(workspace=team, user_id=bob_id).adelete()
    removed_at = time.monotonic()
    await announce_access_changed(bob_id)
    closed = await watching.receive_output(timeout=2)
    assert closed == {"type": "websocket.close", "code": 4403}
    assert time.monotonic() - removed_at < 1
    await watching.wait()

    assert (await bob.get(f"/sessions/{session_id}/")).status_code == 404
    assert await websocket(bob, session_id) == (False, 4404)
    assert await websocket(alice, session_id) == (True, None), "the others still watch"


async def test_switching_workspace_changes_the_sessions_list(alice: AsyncClient) -> None:
    team = await team_of(alice=Role.ADMIN)
    personal = await connect(alice)
    await act_in(alice, team)
    teams = await connect(alice)
    assert await listed(alice) == [teams]
    home = await page(alice, "/")
    assert teams in home
    assert personal not in home
    assert "Platform team · Admin" in home
    await act_in(alice, await Workspace.objects.aget(personal_of__username="alice"))
    assert await listed(alice) == [personal]


def test_what_accounts_owned_before_workspaces_moves_to_their_personal_workspaces() -> None:
    """An inspector upgraded from per-account ownership keeps every account's sessions,
    saved servers and model endpoint, now in its personal workspace."""
    before = [("inspector", "0015_workspaces")]
    after = MigrationExecutor(connection).loader.graph.leaf_nodes("inspector")
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    erin = old.get_model("auth", "User").objects.create(username="erin", password="!")
    frank = old.get_model("auth", "User").objects.create(username="frank", password="!")
    workspaces = old.get_model("inspector", "Workspace").objects
    # So that no workspace's id happens to be its account's.
    workspaces.create(name="A team made first")
    for user in (frank, erin):
        workspaces.create(name=f"{user.username} (personal)", personal_of=user)
    old.get_model("inspector", "SessionRecord").objects.create(
        id="e" * 32,
        owner_id=erin.pk,
        created_at=datetime.now(UTC),
        transport="stdio",
        target="erin's server",
        spec={},
        status="closed",
    )
    old.get_model("inspector", "SavedServer").objects.create(
        owner_id=frank.pk, name="frank's", transport="stdio", protocol_version="2025-11-25"
    )
    old.get_model("inspector", "ModelEndpointSetting").objects.create(
        owner_id=frank.pk, base_url="http://127.0.0.1:1/v1", model="m"
    )

    MigrationExecutor(connection).migrate(after)
    erins = Workspace.objects.get(personal_of__username="erin")
    franks = Workspace.objects.get(personal_of__username="frank")
    assert SessionRecord.objects.get(id="e" * 32).owner == erins
    assert SavedServer.objects.get(name="frank's").owner == franks
    assert ModelEndpointSetting.objects.get().owner == franks


async def test_a_team_shares_its_model_endpoint_and_palette_apart_from_personal_ones(
    alice: AsyncClient, bob: AsyncClient
) -> None:
    team = await team_of(alice=Role.ADMIN, bob=Role.MEMBER)
    await act_in(alice, team)
    saved = await alice.post(
        "/model/", {"base_url": "http://127.0.0.1:9/team/v1", "model": "team-model"}
    )
    assert saved.status_code == 200
    config = {"mcpServers": {"team-server": {"command": sys.executable, "args": ["-V"]}}}
    await alice.post("/servers/import", {"text": json.dumps(config)})

    await act_in(bob, team)
    assert "http://127.0.0.1:9/team/v1" in await page(bob, "/model/")
    palette = json.dumps((await bob.get("/palette.json")).json())
    assert "team-server" in palette

    await act_in(bob, await Workspace.objects.aget(personal_of__username="bob"))
    assert "http://127.0.0.1:9/team/v1" not in await page(bob, "/model/")
    assert "team-server" not in json.dumps((await bob.get("/palette.json")).json())


def test_an_upgrade_keeps_each_accounts_objects_when_workspace_ids_are_other_accounts_ids() -> None:
    """User ids and workspace ids share one range: erin's personal workspace may have
    frank's id, and frank's gina's. Every row still lands in its own account's workspace,
    never in the next one along the chain."""
    before = [("inspector", "0015_workspaces")]
    after = MigrationExecutor(connection).loader.graph.leaf_nodes("inspector")
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    users = old.get_model("auth", "User").objects
    erin, frank, gina = (
        users.create(username=name, password="!") for name in ("erin", "frank", "gina")
    )
    workspaces = old.get_model("inspector", "Workspace").objects
    chain = {erin: frank.pk, frank: gina.pk, gina: gina.pk + 1000}
    for user, workspace_id in chain.items():
        workspaces.create(id=workspace_id, name=f"{user.username} (personal)", personal_of=user)
    servers = old.get_model("inspector", "SavedServer").objects
    for user in chain:
        servers.create(
            owner_id=user.pk,
            name=f"{user.username}'s",
            transport="stdio",
            protocol_version="2025-11-25",
        )

    MigrationExecutor(connection).migrate(after)
    owners = dict(SavedServer.objects.values_list("name", "owner__personal_of__username"))
    assert owners == {"erin's": "erin", "frank's": "frank", "gina's": "gina"}
