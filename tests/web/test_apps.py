"""MCP Apps through the web layer, against the Apps fixture server: the extension
declared, app-only tools kept from the person, a View read and judged under a tool's
result, a View's requests sent through the session marked as the app's, and the bridge's
messages in the session's "app" lane."""

from __future__ import annotations

import html
import json
import sys
from pathlib import Path
from typing import Any

import pytest
from django.test import AsyncClient, override_settings

from inspector import services
from inspector.mcp.trace import EventKind, MessageType
from inspector.mcp.versions import EraChoice
from inspector.sessions.spec import ConnectionSpec, TransportKind
from inspector.sessions.status import SessionStatus
from tests.web.support import answer_url, beside, page, waiting

pytestmark = pytest.mark.django_db(transaction=True)

APPS_SERVER = Path(__file__).resolve().parents[1] / "servers" / "apps_server.py"
SANDBOX = "http://127.0.0.1:49999"


async def open_session(client: AsyncClient, era: EraChoice = EraChoice.LEGACY) -> str:
    spec = ConnectionSpec(
        TransportKind.STDIO, command=sys.executable, args=(str(APPS_SERVER),), era=era
    )
    snapshot = await services.session_connect(spec=spec)
    assert snapshot.status is SessionStatus.CONNECTED, snapshot.error
    response = await client.get(f"/sessions/{snapshot.id}/list/tools")
    assert response.status_code == 200
    return snapshot.id


async def events(session_id: str) -> list[services.TraceEvent]:
    return await services.event_list_after(session_id=session_id, after_seq=0, limit=10_000)


def text(response: Any) -> str:
    return html.unescape(response.content.decode())


async def call(client: AsyncClient, session_id: str, tool: str) -> str:
    response = await client.post(
        f"/sessions/{session_id}/tools/call", {"tool": tool, "source": "form"}
    )
    assert response.status_code == 200
    return text(response)


async def app_post(client: AsyncClient, session_id: str, what: str, body: Any) -> Any:
    return await client.post(
        f"/sessions/{session_id}/apps/{what}", json.dumps(body), content_type="application/json"
    )


async def test_the_handshake_declares_the_apps_extension(client: AsyncClient) -> None:
    session_id = await open_session(client)
    initialize = next(e for e in await events(session_id) if e.method == "initialize")
    extensions = initialize.payload["params"]["capabilities"]["extensions"]
    assert extensions == {
        "io.modelcontextprotocol/ui": {"mimeTypes": ["text/html;profile=mcp-app"]}
    }
    # Extensions are declared alike in every version: no finding on our own handshake.
    assert initialize.findings == []


async def test_an_app_only_tool_is_not_listed_nor_callable_from_the_page(
    client: AsyncClient,
) -> None:
    session_id = await open_session(client)
    listing = text(await client.get(f"/sessions/{session_id}/list/tools"))
    assert "show_panel" in listing
    assert "greet_from_app" not in listing
    answer = await call(client, session_id, "greet_from_app")
    assert "visible only to apps" in answer
    sent = [e for e in await events(session_id) if e.method == "tools/call"]
    assert sent == []


@override_settings(INSPECTOR_APPS_ORIGIN=SANDBOX)
async def test_a_tools_view_is_read_and_configured_under_its_result(client: AsyncClient) -> None:
    session_id = await open_session(client)
    page = await call(client, session_id, "show_panel")
    assert 'aria-label="App: show_panel"' in page
    config_json = page.split('data-app-config="', 1)[1].split('"></div>', 1)[0]
    config = json.loads(config_json)
    assert config["sandboxOrigin"] == SANDBOX
    assert config["sandbox"].startswith(f"{SANDBOX}/sandbox/?host=")
    assert "Fixture panel" in config["html"]
    assert config["csp"]["connectDomains"] == ["https://declared.example"]
    assert config["result"]["content"][0]["text"] == "show_panel ran for someone"
    # The policy shown says what the View may reach, and nothing it did not declare.
    assert "connect-src https://declared.example" in page
    assert "undeclared.example" not in page.replace(config_json, "")


@override_settings(INSPECTOR_APPS_ORIGIN=SANDBOX)
async def test_the_deprecated_flat_key_names_a_view_too(client: AsyncClient) -> None:
    session_id = await open_session(client)
    assert 'aria-label="App: deprecated_key"' in await call(client, session_id, "deprecated_key")


@override_settings(INSPECTOR_APPS_ORIGIN=SANDBOX)
@pytest.mark.parametrize(
    ("tool", "message"),
    [
        ("not_html", "is not an MCP App: its type is text/plain"),
        ("too_big", "is too large to show: 5,242,896 bytes, over the limit of 5,242,880"),
        ("missing_view", "could not be read: JSON-RPC error -32002"),
    ],
)
async def test_a_view_that_cannot_be_shown_says_why(
    client: AsyncClient, tool: str, message: str
) -> None:
    session_id = await open_session(client)
    page = await call(client, session_id, tool)
    assert message in page
    assert "data-app-config" not in page


async def test_without_the_sandbox_listener_the_view_is_not_shown(client: AsyncClient) -> None:
    session_id = await open_session(client)
    page = await call(client, session_id, "show_panel")
    assert "MCP Apps need the sandbox listener" in page


async def test_a_views_tool_call_goes_through_the_session_marked_as_the_apps(
    client: AsyncClient,
) -> None:
    session_id = await open_session(client)
    answer = await app_post(
        client,
        session_id,
        "request",
        {"method": "tools/call", "params": {"name": "greet_from_app", "arguments": {"name": "V"}}},
    )
    assert answer.json()["result"]["content"][0]["text"] == "Hello, V, from the server"
    request = next(
        e
        for e in await events(session_id)
        if e.method == "tools/call" and e.message_type is MessageType.REQUEST
    )
    assert request.detail["origin"] == "app"
    protocol = text(await client.get(f"/sessions/{session_id}/"))
    assert "from app" in protocol


async def test_a_view_may_not_send_other_methods(client: AsyncClient) -> None:
    session_id = await open_session(client)
    answer = await app_post(client, session_id, "request", {"method": "prompts/list"})
    assert answer.json()["error"]["code"] == -32601
    unknown = await app_post(
        client, session_id, "request", {"method": "tools/call", "params": {"name": "nope"}}
    )
    assert "No listed tool" in unknown.json()["error"]["message"]


async def test_a_view_calling_tools_in_a_loop_is_refused_past_the_limit(
    client: AsyncClient,
) -> None:
    session_id = await open_session(client)
    params = {"name": "greet_from_app", "arguments": {}}
    answers = [
        (
            await app_post(
                client, session_id, "request", {"method": "tools/call", "params": params}
            )
        ).json()
        for _ in range(21)
    ]
    assert all("result" in answer for answer in answers[:20])
    assert "more than 20 requests in 10 seconds" in answers[20]["error"]["message"]
    sent = [
        e
        for e in await events(session_id)
        if e.method == "tools/call" and e.message_type is MessageType.REQUEST
    ]
    assert len(sent) == 20


async def test_bridge_messages_are_recorded_in_the_app_lane(client: AsyncClient) -> None:
    session_id = await open_session(client)
    messages = [
        {"lane": "from-view", "message": {"jsonrpc": "2.0", "id": 1, "method": "ui/initialize"}},
        {"lane": "to-view", "message": {"jsonrpc": "2.0", "id": 1, "result": {}}},
        {"lane": "sideways", "message": {"jsonrpc": "2.0", "method": "ignored"}},
    ]
    answer = await app_post(client, session_id, "log", {"messages": messages})
    assert answer.json() == {"kept": 2}
    lane = [e for e in await events(session_id) if e.kind is EventKind.APP]
    assert [e.detail["app_lane"] for e in lane] == ["from-view", "to-view"]
    page = text(await client.get(f"/sessions/{session_id}/"))
    assert "app: View → host" in page
    assert "app: host → View" in page
    assert "result (id 1)" in page


async def test_consent_mode_holds_a_views_tool_call_until_confirmed(client: AsyncClient) -> None:
    session_id = await open_session(client)
    await page(
        client,
        f"/sessions/{session_id}/client/switch",
        {"switch": "confirm_tool_calls", "on": "true"},
    )
    params = {"name": "greet_from_app", "arguments": {"name": "held"}}
    held = beside(
        app_post(client, session_id, "request", {"method": "tools/call", "params": params})
    )
    approval = await waiting(session_id)
    assert not held.done()
    await page(client, answer_url(session_id, approval), {"decision": "approve"})
    answer = (await held).json()
    assert answer["result"]["content"][0]["text"] == "Hello, held, from the server"

    refused = beside(
        app_post(client, session_id, "request", {"method": "tools/call", "params": params})
    )
    approval = await waiting(session_id)
    await page(client, answer_url(session_id, approval), {"decision": "refuse"})
    assert "refused the call" in (await refused).json()["error"]["message"]


@override_settings(INSPECTOR_APPS_ORIGIN=SANDBOX)
async def test_the_modern_era_declares_reads_and_forwards_alike(client: AsyncClient) -> None:
    session_id = await open_session(client, EraChoice.MODERN)
    listing = next(
        e
        for e in await events(session_id)
        if e.method == "tools/list" and e.message_type is MessageType.REQUEST
    )
    declared = listing.payload["params"]["_meta"]["io.modelcontextprotocol/clientCapabilities"]
    assert "io.modelcontextprotocol/ui" in declared["extensions"]
    assert 'aria-label="App: show_panel"' in await call(client, session_id, "show_panel")
    answer = await app_post(
        client,
        session_id,
        "request",
        {"method": "tools/call", "params": {"name": "greet_from_app", "arguments": {}}},
    )
    assert answer.json()["result"]["content"][0]["text"] == "Hello, someone, from the server"
