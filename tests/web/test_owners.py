"""Hosted mode: each account reaches only what its workspaces hold, sessions live or
recorded, over HTTP and the websocket; what belongs to a workspace it is not a member of is
answered exactly as something that does not exist. Here each account has only its personal
workspace, so another account is an outsider (tests/web/test_workspaces.py shares one)."""

from __future__ import annotations

import asyncio
import json
import re
import sys
from collections.abc import Iterator
from typing import Any

import pytest
from channels.testing import WebsocketCommunicator
from django.test import AsyncClient
from django.urls import URLPattern, URLResolver, reverse

from inspector import services, urls
from inspector.asgi import application
from inspector.models import Workspace
from inspector.services import runtime
from inspector.sessions.calls import CallOutcome
from tests.web.support import (
    LOGIN_REQUIRED,
    OWNER_CHECK,
    answer_url,
    connect_form,
    page,
    signed_in,
    start_tool,
    text_reply,
    tool_text,
    waiting,
)

pytestmark = pytest.mark.django_db(transaction=True)

NOBODYS = "0" * 32
# A page's masked CSRF token, which differs on every response.
CSRF_TOKEN = re.compile(r"\b[A-Za-z0-9]{64}\b")
# Routes that name no session, report or saved server; a new route is either listed here or
# takes `session_id`, `report_id` or `server_id` (each checked by the owner check).
NOT_SESSION_ROUTES = {
    "home",
    # Chooses which of the account's own workspaces it acts in.
    "workspace-switch",
    "connect",
    "sessions-json",
    "sessions-card",
    "sessions-delete",
    "sessions-import",
    "servers-json",
    "servers-save",
    "servers-import",
    "servers-export",
    # The current user's own: the palette lists their saved servers, the Model page their
    # endpoint; reading a pasted command line touches nothing stored.
    "palette",
    "connect-paste",
    "model-settings",
    "model-test",
    # OAuth: an authorization server fetches the document; the callback only forwards the
    # browser to `complete`, which finds the session through the flow its own browser
    # session began, and checks its owner.
    "oauth-client-metadata",
    "oauth-callback",
    "oauth-complete",
    # Signing in with the identity provider: before anyone is signed in; `complete` finds
    # the sign-in through the flow its own browser session began.
    "oidc-start",
    "oidc-callback",
    "oidc-complete",
    # Workspaces: the members and invitations of the workspace the request acts in (its
    # own check of the role), a new team workspace, and an invitation's page, which its
    # secret opens.
    "workspace-members",
    "workspace-member-role",
    "workspace-member-remove",
    "workspace-invite-link",
    "workspace-invite-email",
    "workspace-invitation-revoke",
    "workspace-create",
    "invitation",
    "invitation-accept",
    "invitation-join",
    # The audit log of the workspace the person acts in, for its admins only.
    "workspace-audit",
    "workspace-audit-export",
}
# Values for the other parts of a session route's path.
PATH_VALUES = {
    "seq": 1,
    "listing": "tools",
    "kind": "prompt",
    "rule": "tools.name",
    "output": "json",
    "load_id": "0" * 32,
    "run_id": "0" * 32,
}
# What another user tries on each route, as a query (GET) and a form (POST): requests that
# the owner could make, so that a refusal is the owner check's and nothing else's.
ATTEMPTS: dict[str, dict[str, str]] = {
    "session-approval-answer": text_reply("A protocol.", "a-model"),
    "session-tool": {"name": "delete_everything"},
    "session-tool-arguments": {"tool": "delete_everything"},
    "session-tool-call": {"tool": "delete_everything"},
    "session-call-cancel": {"call_key": "key-ask_llm"},
    "session-client-switch": {"switch": "confirm_tool_calls", "on": "true"},
    "session-root-add": {"location": "/srv/bob", "name": "Bob's"},
    "session-log-level": {"level": "debug"},
    "session-resource-read": {"uri": "file:///etc/passwd"},
    "session-prompt-get": {"prompt": "greeting"},
    "session-event-part": {"at": "params", "field": "text"},
}


@pytest.fixture(autouse=True)
def hosted(settings: Any) -> None:
    """Hosted mode as `INSPECTOR_MODE=hosted` sets it up: accounts, login required."""
    settings.LOCAL_MODE = False
    settings.INSPECTOR_STDIO_ALLOWLIST = [sys.executable]
    # The fixture servers listen on loopback, which hosted mode otherwise refuses.
    settings.INSPECTOR_OUTBOUND_ALLOW = ["127.0.0.1"]
    middleware = list(settings.MIDDLEWARE)
    middleware.insert(middleware.index(OWNER_CHECK), LOGIN_REQUIRED)
    settings.MIDDLEWARE = middleware


@pytest.fixture
async def alice() -> AsyncClient:
    return await signed_in("alice")


@pytest.fixture
async def bob() -> AsyncClient:
    return await signed_in("bob")


async def connect(browser: AsyncClient, module: str = "everything_py") -> str:
    """Connect as a user does, through the connect form; the session's id."""
    form = connect_form(arguments=f"-m tests.servers.{module}")
    response = await browser.post("/connect", form)
    assert response.status_code == 302, response.content.decode()[:2000]
    match = re.fullmatch(r"/sessions/([0-9a-f]{32})/", response["Location"])
    assert match, response["Location"]
    return match.group(1)


def named_routes() -> Iterator[tuple[str, set[str]]]:
    """Every named route, with the names its whole path captures (through includes)."""
    yield from _routes(list(urls.urlpatterns), set())


def _routes(patterns: list[Any], captured: set[str]) -> Iterator[tuple[str, set[str]]]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            if not isinstance(entry.urlconf_name, list):
                continue  # the accounts' pages (login, logout...) name no session
            inner = captured | set(entry.pattern.converters)
            yield from _routes(entry.urlconf_name, inner)
            continue
        assert isinstance(entry, URLPattern)
        assert entry.name, f"the route {entry.pattern} needs a name"
        yield entry.name, captured | set(entry.pattern.converters)


def session_routes() -> list[str]:
    return [name for name, captured in named_routes() if "session_id" in captured]


def report_routes() -> list[str]:
    return [name for name, captured in named_routes() if "report_id" in captured]


def server_routes() -> list[str]:
    return [name for name, captured in named_routes() if "server_id" in captured]


def test_every_route_either_names_its_session_or_report_or_names_none() -> None:
    """The owner check finds a session by the `session_id` in the path, a report by its
    `report_id` and a saved server by its `server_id`: a route naming one any other way
    would escape it."""
    others = {
        name
        for name, captured in named_routes()
        if not captured & {"session_id", "report_id", "server_id"}
    }
    assert others == NOT_SESSION_ROUTES
    assert {"report", "report-again", "report-download"} <= set(report_routes())
    assert {"server-connect", "server-edit", "server-delete"} <= set(server_routes())


def session_url(route: str, session_id: str, approval_id: str) -> str:
    captured = dict(named_routes())[route]
    values: dict[str, Any] = {**PATH_VALUES, "approval_id": approval_id}
    missing = captured - {"session_id", *values}
    assert not missing, f"give the test a value for {missing} in {route}"
    kwargs = {name: values[name] for name in captured if name != "session_id"}
    return reverse(route, kwargs={"session_id": session_id, **kwargs})


async def refusal(browser: AsyncClient, method: str, url: str, data: dict[str, str]) -> str:
    response = await (browser.post(url, data) if method == "POST" else browser.get(url, data))
    assert response.status_code == 404, f"{method} {url}: {response.status_code}"
    return CSRF_TOKEN.sub("csrf-token", response.content.decode())


async def test_another_user_gets_404_on_every_route_of_a_session(
    alice: AsyncClient, bob: AsyncClient
) -> None:
    session_id = await connect(alice, "consent_server")
    await page(alice, f"/sessions/{session_id}/list/tools")
    running = start_tool(session_id, "ask_llm")
    approval = await waiting(session_id)
    before = (await services.session_get(session_id=session_id)).last_seq

    routes = session_routes()
    assert "session-approval-answer" in routes
    assert "session-tool-call" in routes
    for route in routes:
        data = ATTEMPTS.get(route, {})
        for method in ("GET", "POST"):
            url = session_url(route, session_id, approval.id)
            theirs = await refusal(bob, method, url, data)
            nobodys_url = session_url(route, NOBODYS, approval.id)
            nobodys = await refusal(bob, method, nobodys_url, data)
            assert theirs.replace(session_id, NOBODYS) == nobodys, f"{method} {route}"

    await nothing_changed(session_id, approval, running, before)
    answered = await page(
        alice, answer_url(session_id, approval), {**ATTEMPTS["session-approval-answer"]}
    )
    assert "Approved by user alice." in answered
    assert "A protocol." in tool_text(await running)


async def nothing_changed(
    session_id: str,
    approval: services.ApprovalSnapshot,
    running: asyncio.Task[CallOutcome],
    before: int,
) -> None:
    """Whatever the other user posted, the session is as its owner left it."""
    snapshot = await services.session_get(session_id=session_id)
    assert snapshot.connected, "still connected: not disconnected, not reconnected"
    assert snapshot.last_seq == before, "nothing was sent, answered or recorded"
    assert approval.pending
    assert not running.done()
    assert [request.method for request in await services.request_list(session_id=session_id)] == [
        "tools/call"
    ]
    consent = await services.consent_get(session_id=session_id)
    assert consent.roots == ()
    assert not any(switch.on for switch in consent.switches if switch.name == "confirm_tool_calls")


async def websocket(browser: AsyncClient, session_id: str) -> tuple[bool, int | None]:
    cookie = "; ".join(f"{name}={morsel.value}" for name, morsel in browser.cookies.items())
    communicator = WebsocketCommunicator(
        application,
        f"/ws/sessions/{session_id}/?after=0",
        headers=[
            (b"host", b"127.0.0.1"),
            (b"origin", b"http://127.0.0.1"),
            (b"cookie", cookie.encode()),
        ],
    )
    connected, code = await communicator.connect()
    if connected:
        assert "initialize" in (await communicator.receive_json_from(timeout=5))["html"]
    await communicator.disconnect()
    return connected, code


async def test_the_websocket_refuses_another_users_session(
    alice: AsyncClient, bob: AsyncClient
) -> None:
    session_id = await connect(alice)
    assert await websocket(alice, session_id) == (True, None)
    assert await websocket(bob, session_id) == (False, 4404)
    assert await websocket(bob, NOBODYS) == (False, 4404), "as for a session that does not exist"


async def listed(browser: AsyncClient) -> list[str]:
    return [session["id"] for session in (await browser.get("/sessions.json")).json()["sessions"]]


async def test_each_user_lists_and_opens_only_their_own_sessions_live_or_recorded(
    alice: AsyncClient, bob: AsyncClient
) -> None:
    alices = await connect(alice)
    bobs = await connect(bob)
    assert await listed(alice) == [alices]
    assert await listed(bob) == [bobs]
    assert alices not in (await bob.get("/")).content.decode()
    assert bobs in (await bob.get("/")).content.decode()

    # The inspector restarts: the sessions are only recorded now.
    await runtime.registry().close_all()
    runtime.registry.cache_clear()
    assert await listed(alice) == [alices]
    assert await listed(bob) == [bobs]
    for path in ("/", ".json", "/events?before=5", "/events/1/raw"):
        assert (await alice.get(f"/sessions/{alices}{path}")).status_code == 200, path
        assert (await bob.get(f"/sessions/{alices}{path}")).status_code == 404, path


async def test_someone_signed_out_is_asked_to_log_in(alice: AsyncClient) -> None:
    session_id = await connect(alice)
    for target in (session_id, NOBODYS):
        response = await AsyncClient(headers={"host": "127.0.0.1"}).get(f"/sessions/{target}/")
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/?next=")


async def test_another_user_gets_404_on_every_route_of_a_report(
    alice: AsyncClient, bob: AsyncClient
) -> None:
    session_id = await connect(alice, "doctor_faults plain")
    checked = await alice.post(f"/sessions/{session_id}/check")
    assert checked.status_code == 302, checked.content.decode()[:2000]
    report_id = checked["Location"].split("/")[2]
    await runtime.doctor_runs().wait(report_id)
    assert (await alice.get(f"/reports/{report_id}/")).status_code == 200

    for route in report_routes():
        captured = dict(named_routes())[route]
        kwargs = {name: PATH_VALUES[name] for name in captured if name != "report_id"}
        for method in ("GET", "POST"):
            url = reverse(route, kwargs={"report_id": report_id, **kwargs})
            theirs = await refusal(bob, method, url, {})
            nobodys_url = reverse(route, kwargs={"report_id": NOBODYS, **kwargs})
            nobodys = await refusal(bob, method, nobodys_url, {})
            assert theirs.replace(report_id, NOBODYS) == nobodys, f"{method} {route}"

    # Bob's "again" ran nothing: Alice's session has its one report.
    alices = await services.report_list_for_session(
        session_id=session_id, owner_id=await personal_workspace_id("alice")
    )
    assert [report.id for report in alices] == [report_id]


async def test_another_users_saved_server_cannot_be_checked(
    alice: AsyncClient, bob: AsyncClient
) -> None:
    config = {"mcpServers": {"plain": {"command": sys.executable, "args": ["-V"]}}}
    imported = await alice.post("/servers/import", {"text": json.dumps(config)})
    assert imported.status_code in (200, 302)
    server_id = (await alice.get("/servers.json")).json()["servers"][0]["id"]
    response = await bob.post(f"/servers/{server_id}/check")
    assert response.status_code == 404
    assert (
        await services.report_list_for_servers(owner_id=await personal_workspace_id("alice")) == {}
    )
    assert await services.report_list_for_servers(owner_id=await personal_workspace_id("bob")) == {}


async def test_another_user_gets_404_on_every_route_of_a_saved_server(
    alice: AsyncClient, bob: AsyncClient
) -> None:
    config = {"mcpServers": {"plain": {"command": sys.executable, "args": ["-V"]}}}
    await alice.post("/servers/import", {"text": json.dumps(config)})
    (server,) = (await alice.get("/servers.json")).json()["servers"]
    for route in server_routes():
        theirs_url = reverse(route, kwargs={"server_id": server["id"]})
        nobodys_url = reverse(route, kwargs={"server_id": server["id"] + 1000})
        for method in ("GET", "POST"):
            theirs = await refusal(bob, method, theirs_url, {})
            assert theirs == await refusal(bob, method, nobodys_url, {}), f"{method} {route}"
    assert (await alice.get("/servers.json")).json()["servers"] == [server], "unchanged"
    assert await listed(alice) == [], "nothing connected"


async def personal_workspace_id(name: str) -> int:
    workspace = await Workspace.objects.aget(personal_of__username=name)
    return int(workspace.pk)


async def test_a_comparison_reaches_only_the_users_own_sessions(
    alice: AsyncClient, bob: AsyncClient
) -> None:
    """The session in the query is checked as the one in the path is."""
    alices = await connect(alice)
    bobs = await connect(bob)
    picker = (await bob.get(f"/sessions/{bobs}/compare")).content.decode()
    assert alices not in picker, "another user's session is not offered"
    theirs = await bob.get(f"/sessions/{bobs}/compare", {"with": alices})
    nobodys = await bob.get(f"/sessions/{bobs}/compare", {"with": NOBODYS})
    assert theirs.status_code == nobodys.status_code == 404
    assert (await alice.get(f"/sessions/{alices}/compare", {"with": alices})).status_code == 200


async def test_a_replay_goes_only_through_the_users_own_live_sessions(
    alice: AsyncClient, bob: AsyncClient
) -> None:
    alices = await connect(alice)
    bobs = await connect(bob)
    bobs_other = await connect(bob)
    await page(bob, f"/sessions/{bobs}/list/tools")
    offered = (await bob.get(f"/sessions/{bobs}/replay/")).content.decode()
    assert alices not in offered, "another user's session is not offered"
    assert bobs_other in offered
    before = (await services.session_get(session_id=alices)).last_seq
    refused = await bob.post(f"/sessions/{bobs}/replay/", {"target": alices})
    assert refused.status_code == 400
    assert "Select a valid choice" in refused.content.decode()
    assert (await services.session_get(session_id=alices)).last_seq == before, "nothing sent"
    # The service checks it again, whoever calls it.
    bob_id = (await services.session_get(session_id=bobs)).owner_id
    with pytest.raises(services.SessionNotFound):
        await services.replay_start(
            session_id=bobs, target_id=alices, owner_id=bob_id, tool_call_seqs=(), ignored=()
        )
