"""Hosted mode: a workspace's audit log records who signed in, connected, called a tool,
answered the inbox and exported, with when; its admins read it through filters and take
it away as JSON Lines; nobody else sees it; local mode records nothing."""

from __future__ import annotations

import html
import json
import sys
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import pytest
from django.contrib.auth import get_user_model
from django.test import AsyncClient

from inspector.middleware import CHOSEN_WORKSPACE_KEY
from inspector.models import AuditEntry, Membership, Role, SessionRecord, Workspace
from tests.conftest import REPO_ROOT
from tests.web.support import (
    HTMX,
    LOGIN_REQUIRED,
    OWNER_CHECK,
    answer_url,
    connect,
    listed,
    page,
    signed_in,
    start_tool,
    text_reply,
    tool_text,
    waiting,
)

pytestmark = pytest.mark.django_db(transaction=True)

AUDIT = "/workspace/audit/"
EXPORT = "/workspace/audit/export.jsonl"


@pytest.fixture
def hosted(settings: Any) -> None:
    """Hosted mode as `INSPECTOR_MODE=hosted` sets it up: accounts, login required."""
    settings.LOCAL_MODE = False
    settings.INSPECTOR_STDIO_ALLOWLIST = [sys.executable]
    settings.INSPECTOR_OUTBOUND_ALLOW = ["127.0.0.1"]
    middleware = list(settings.MIDDLEWARE)
    middleware.insert(middleware.index(OWNER_CHECK), LOGIN_REQUIRED)
    settings.MIDDLEWARE = middleware


@pytest.fixture
async def alice(hosted: None) -> AsyncClient:
    return await signed_in("alice")


def rows(text: str) -> list[list[str]]:
    """The audit table as a person reads it: one list of cell texts per entry."""
    if 'class="audit-entries"' not in text:
        return []
    table = text.split('class="audit-entries"', 1)[1]
    body = table.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    found = []
    for row in body.split("<tr>")[1:]:
        cells = [cell.split("</td>", 1)[0] for cell in row.split("<td")[1:]]
        found.append([_text(cell.split(">", 1)[1]) for cell in cells])
    return found


def _text(fragment: str) -> str:
    plain, inside = [], False
    for char in fragment:
        if char == "<":
            inside = True
        elif char == ">":
            inside = False
        elif not inside:
            plain.append(char)
    return " ".join(html.unescape("".join(plain)).split())


async def audit_rows(browser: AsyncClient, **filters: str) -> list[list[str]]:
    return rows(await page(browser, AUDIT + _query(filters)))


def _query(filters: dict[str, str]) -> str:
    return f"?{urlencode(filters)}" if filters else ""


async def streamed(response: Any) -> bytes:
    """The body of a streamed download, as the browser receives it."""
    return b"".join([chunk async for chunk in response.streaming_content])


async def export_lines(browser: AsyncClient, **filters: str) -> list[dict[str, Any]]:
    response = await browser.get(EXPORT + _query(filters))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/jsonl")
    text = (await streamed(response)).decode()
    assert text == "" or text.endswith("\n")
    return [json.loads(line) for line in text.splitlines()]


async def exported(browser: AsyncClient, **filters: str) -> list[dict[str, Any]]:
    """The export's lines, but the entry of this very export (the newest, when the
    filters let it through)."""
    lines = await export_lines(browser, **filters)
    return lines[1:] if lines and lines[0]["action"] == "export.audit" else lines


def just_now(at: str) -> bool:
    return abs(datetime.fromisoformat(at) - datetime.now(UTC)) < timedelta(minutes=1)


async def test_a_connect_and_a_tool_call_are_recorded_with_who_when_and_the_tool(
    alice: AsyncClient,
) -> None:
    session_id = await connect(alice)
    await page(alice, f"/sessions/{session_id}/list/tools")
    called = await alice.post(
        f"/sessions/{session_id}/tools/call",
        {"tool": "echo", "source": "form", "arg/message": "hello"},
    )
    assert "hello" in called.content.decode()
    # A call its form blocks (a required argument missing) sends nothing: no entry.
    blocked = await alice.post(f"/sessions/{session_id}/tools/call", {"tool": "echo"})
    assert blocked["HX-Reswap"] == "none"

    shown = await audit_rows(alice)
    assert [row[1:4] for row in shown] == [
        ["alice", "Called a tool", "echo"],
        ["alice", "Connected", session_id],
        ["alice", "Signed in", "—"],
    ]
    assert f"session {session_id}" in shown[0][4]
    call, connected, _ = await exported(alice)
    assert call["action"] == "tool.call"
    assert call["actor"] == "alice"
    assert call["detail"] == {"session": session_id}
    assert just_now(call["at"])
    assert connected["detail"]["transport"] == "stdio"
    assert connected["detail"]["server"] == sys.executable


async def test_tool_calls_from_compose_and_from_an_apps_view_are_recorded(
    alice: AsyncClient,
) -> None:
    session_id = await connect(alice)
    composed = {"kind": "request", "method": "tools/call"}
    arguments = {"name": "echo", "arguments": {"message": "hi"}}
    sent = await alice.post(
        f"/sessions/{session_id}/compose/send",
        {**composed, "params": json.dumps(arguments)},
        headers=HTMX,
    )
    assert sent.status_code == 200
    pinged = await alice.post(
        f"/sessions/{session_id}/compose/send",
        {"kind": "request", "method": "ping", "params": ""},
        headers=HTMX,
    )
    assert pinged.status_code == 200

    apps = await connect(alice, arguments=str(REPO_ROOT / "tests" / "servers" / "apps_server.py"))
    await page(alice, f"/sessions/{apps}/list/tools")
    for body in (
        {"method": "tools/call", "params": {"name": "greet_from_app", "arguments": {"name": "V"}}},
        {"method": "resources/list"},  # not a tool call: not recorded
    ):
        answer = await alice.post(
            f"/sessions/{apps}/apps/request", json.dumps(body), content_type="application/json"
        )
        assert answer.status_code == 200

    entries = [
        (entry["action"], entry["target"], entry["detail"])
        for entry in await exported(alice)
        if entry["action"] != "session.connect"
    ]
    assert entries[:3] == [
        ("tool.call", "greet_from_app", {"from": "app", "session": apps}),
        ("request.send", "ping", {"from": "compose", "session": session_id}),
        ("tool.call", "echo", {"from": "compose", "session": session_id}),
    ]


async def test_a_saved_servers_connect_and_a_reconnect_are_recorded(alice: AsyncClient) -> None:
    first = await connect(alice, save_as="kept")
    server = (await listed(alice))["kept"]
    clicked = await alice.post(f"/servers/{server['id']}/connect", headers=HTMX)
    second = clicked["HX-Redirect"].split("/")[2]
    assert (await alice.post(f"/sessions/{second}/reconnect")).status_code in (200, 302)

    entries = [
        (entry["action"], entry["target"], entry["detail"]) for entry in await exported(alice)
    ]
    assert entries[:3] == [
        ("session.reconnect", second, {"session": second}),
        ("session.connect", second, {"saved_server": server["id"]}),
        ("session.connect", first, {"server": sys.executable, "transport": "stdio"}),
    ]
    # Both sessions count as Alice's own (the live-session limit per person).
    alice_id = (await get_user_model().objects.aget(username="alice")).pk
    started = SessionRecord.objects.filter(started_by_id=alice_id).values_list("id", flat=True)
    assert {session_id async for session_id in started} == {first, second}


async def test_an_inbox_answer_is_recorded_with_its_decision(alice: AsyncClient) -> None:
    session_id = await connect(alice, arguments="-m tests.servers.consent_server")
    await page(alice, f"/sessions/{session_id}/list/tools")
    running = start_tool(session_id, "ask_llm")
    approval = await waiting(session_id)
    answered = await page(alice, answer_url(session_id, approval), text_reply("Yes.", "m"))
    assert "Approved by user alice." in answered
    assert "Yes." in tool_text(await running)
    # A second answer to the settled request changes nothing, and records nothing.
    await page(alice, answer_url(session_id, approval), text_reply("No.", "m"))

    (entry,) = await exported(alice, action="consent.answer")
    assert entry["actor"] == "alice"
    assert entry["target"] == "sampling/createMessage"
    assert entry["detail"] == {"decision": "approved", "kind": "sampling", "session": session_id}

    # A consent switch is a decision too.
    switched = await alice.post(
        f"/sessions/{session_id}/client/switch", {"switch": "confirm_tool_calls", "on": "true"}
    )
    assert switched.status_code == 200
    unknown = await alice.post(f"/sessions/{session_id}/client/switch", {"switch": "nonsense"})
    assert unknown.status_code == 400, "refused, and not recorded"
    (switch,) = await exported(alice, action="consent.switch")
    assert (switch["target"], switch["detail"]) == (
        "confirm_tool_calls",
        {"on": True, "session": session_id},
    )


async def test_exports_are_recorded(alice: AsyncClient) -> None:
    session_id = await connect(alice)
    download = await alice.get(f"/sessions/{session_id}/export")
    assert download.status_code == 200
    assert await streamed(download)
    assert (await alice.get(f"/sessions/{session_id}/export.har")).status_code == 200
    assert (await alice.post("/servers/export", {})).status_code == 200

    actions = [(entry["action"], entry["target"]) for entry in await exported(alice)]
    assert actions[:3] == [
        ("export.servers", ""),
        ("export.har", session_id),
        ("export.session", session_id),
    ]
    # Exporting the log is an export too, recorded once its answer went out.
    assert (await exported(alice, action="export.audit"))[0]["actor"] == "alice"


async def test_sign_ins_and_failed_sign_ins_are_recorded(hosted: None) -> None:
    await get_user_model().objects.acreate_user("carol", password="right-password")
    browser = AsyncClient(headers={"host": "127.0.0.1"})
    failed = await browser.post(
        "/accounts/login/", {"username": "carol", "password": "wrong-password"}
    )
    assert failed.status_code == 200, "the form again, with its error"
    signed = await browser.post(
        "/accounts/login/", {"username": "carol", "password": "right-password"}
    )
    assert signed.status_code == 302

    shown = await audit_rows(browser)
    assert [row[1:3] for row in shown] == [["carol", "Signed in"], ["carol", "Sign-in failed"]]
    assert "address 127.0.0.1" in shown[1][4]
    assert "wrong-password" not in json.dumps(await exported(browser))
    # A failed sign-in under a name nobody has is kept, but in no workspace's log.
    await AsyncClient(headers={"host": "127.0.0.1"}).post(
        "/accounts/login/", {"username": "mallory", "password": "guess"}
    )
    assert await AuditEntry.objects.filter(actor_name="mallory", workspace=None).acount() == 1
    assert len(await audit_rows(browser, q="")) == 3, "the two sign-ins, and the export"


async def seed(workspace: Workspace, *entries: tuple[str, str, str, datetime]) -> None:
    for actor, action, target, at in entries:
        await AuditEntry.objects.acreate(
            workspace=workspace, actor_name=actor, action=action, target=target, at=at
        )


async def test_filters_narrow_the_page_and_the_export_alike(alice: AsyncClient) -> None:
    workspace = await Workspace.objects.aget(personal_of__username="alice")
    day = datetime(2026, 11, 2, 12, tzinfo=UTC)
    await seed(
        workspace,
        ("alice", "tool.call", "delete_files", day),
        ("bob", "tool.call", "list_files", day + timedelta(days=1)),
        ("bob", "export.har", "f00d", day + timedelta(days=2)),
        ("alice", "tool.call", "read_files", day + timedelta(days=3)),
    )
    filters = {
        "action": "tool.call",
        "since": "2026-11-02",
        "until": "2026-11-04",
        "q": "FILES",
    }
    assert [row[1:4] for row in await audit_rows(alice, **filters)] == [
        ["bob", "Called a tool", "list_files"],
        ["alice", "Called a tool", "delete_files"],
    ]
    lines = await exported(alice, **filters)
    assert [(line["actor"], line["target"]) for line in lines] == [
        ("bob", "list_files"),
        ("alice", "delete_files"),
    ]
    assert lines[0] == {
        "at": "2026-11-03T12:00:00+00:00",
        "actor": "bob",
        "action": "tool.call",
        "target": "list_files",
        "detail": {},
    }
    assert [row[3] for row in await audit_rows(alice, person="bob")] == ["f00d", "list_files"]
    # The page offers the export of what it shows.
    assert "/workspace/audit/export.jsonl?action=tool.call" in await page(
        alice, AUDIT + _query(filters)
    )


async def test_the_log_is_paged_newest_first(alice: AsyncClient) -> None:
    workspace = await Workspace.objects.aget(personal_of__username="alice")
    start = datetime(2026, 1, 1, tzinfo=UTC)
    await seed(
        workspace,
        *(("alice", "tool.call", f"tool-{n:03}", start + timedelta(minutes=n)) for n in range(60)),
    )
    first = await page(alice, AUDIT + "?action=tool.call")
    assert "Entries 1\N{EN DASH}50 of 60" in first
    assert rows(first)[0][3] == "tool-059"
    second = await page(alice, AUDIT + "?action=tool.call&page=2")
    assert [row[3] for row in rows(second)] == [f"tool-{n:03}" for n in range(9, -1, -1)]
    assert len(await exported(alice, action="tool.call")) == 60


async def test_only_the_workspaces_admins_see_its_log(alice: AsyncClient) -> None:
    team = await Workspace.objects.acreate(name="Team")
    alice_user = await get_user_model().objects.aget(username="alice")
    await Membership.objects.acreate(workspace=team, user=alice_user, role=Role.ADMIN)
    bob = await signed_in("bob")
    bob_user = await get_user_model().objects.aget(username="bob")
    await Membership.objects.acreate(workspace=team, user=bob_user, role=Role.MEMBER)
    for browser in (alice, bob):
        session = await browser.asession()
        await session.aset(CHOSEN_WORKSPACE_KEY, team.pk)
        await session.asave()
    await seed(team, ("alice", "tool.call", "in-the-team", datetime.now(UTC)))

    assert [row[3] for row in await audit_rows(alice, action="tool.call")] == ["in-the-team"]
    for url in (AUDIT, EXPORT):
        refused = await bob.get(url)
        assert refused.status_code == 403
        assert "in-the-team" not in refused.content.decode()
    assert "Audit log" in await page(alice, "/")
    assert "Audit log" not in await page(bob, "/")


async def test_local_mode_records_nothing_and_has_no_log(client: AsyncClient) -> None:
    session_id = await connect(client)
    await page(client, f"/sessions/{session_id}/list/tools")
    await client.post(
        f"/sessions/{session_id}/tools/call",
        {"tool": "echo", "source": "form", "arg/message": "hello"},
    )
    assert (await client.get(f"/sessions/{session_id}/export")).status_code == 200
    assert await AuditEntry.objects.acount() == 0
    assert (await client.get(AUDIT)).status_code == 404
