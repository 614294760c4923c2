"""The approvals inbox, the Client tab and -32042 in the browser's views, against the real
fixture server `tests/servers/consent_server.py`."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import AsyncClient

from inspector import services
from inspector.mcp.trace import EventKind, TraceEvent, local_event
from inspector.presenters.signals import event_signals
from inspector.services import runtime
from inspector.sessions.status import SessionStatus
from tests.conftest import fixture_spec
from tests.web.support import (
    answer_url,
    beside,
    form_fields,
    page,
    start_tool,
    text_reply,
    tool_text,
    waiting,
)

pytestmark = pytest.mark.django_db(transaction=True)
PNG_1PX = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\xdac\xfc\xcf\xc0P\x0f\x00\x04\x85\x01\x80\x84\xa9"
    b"\x8c!\x00\x00\x00\x00IEND\xaeB`\x82"
)


async def open_session(**options: Any) -> str:
    snapshot = await services.session_connect(spec=fixture_spec("consent_server", **options))
    assert snapshot.status is SessionStatus.CONNECTED, snapshot.error
    return snapshot.id


async def audit(session_id: str) -> list[TraceEvent]:
    events = await services.event_list_after(session_id=session_id, after_seq=0, limit=10_000)
    return [event for event in events if event.kind is EventKind.APPROVAL]


async def test_sampling_is_shown_whole_and_answered_once(client: AsyncClient) -> None:
    session_id = await open_session()
    running = start_tool(session_id, "ask_llm", question="What is MCP?")
    approval = await waiting(session_id)
    inbox = await page(client, f"/sessions/{session_id}/inbox")
    assert "1 request waits in the inbox." in inbox
    assert "from <strong>Fixture Consent</strong>" in inbox
    assert "You are a careful assistant." in inbox
    assert "What is MCP?" in inbox
    assert "<dt>Max tokens</dt><dd>200</dd>" in inbox
    assert "<dt>Include context</dt><dd>thisServer</dd>" in inbox
    assert "<code>END</code>" in inbox
    assert "<dt>Model hints</dt><dd>claude-sonnet</dd>" in inbox
    assert "<dt>Intelligence priority</dt><dd>0.8</dd>" in inbox
    image = f"/events/{approval.request_seq}/part?at=params.messages.1.content&field=data"
    assert image in inbox
    assert 'name="model" value="claude-sonnet"' in inbox

    answered = await page(
        client,
        answer_url(session_id, approval),
        text_reply("A protocol.", "typed-by-hand"),
    )
    assert "Approved by the local user." in answered
    assert tool_text(await running) == (
        "assistant said 'A protocol.' (model typed-by-hand, stop endTurn)"
    )
    again = await page(client, answer_url(session_id, approval), {"decision": "refuse"})
    assert "Already approved by the local user." in again
    last = (await audit(session_id))[-1]
    assert (last.detail["change"], last.detail["by"]) == ("answered", "the local user")
    assert "waits in the inbox" not in await page(client, f"/sessions/{session_id}/inbox")


async def test_a_rejected_sampling_is_a_jsonrpc_error(client: AsyncClient) -> None:
    session_id = await open_session()
    running = start_tool(session_id, "ask_llm")
    approval = await waiting(session_id)
    await page(client, answer_url(session_id, approval), {"decision": "refuse"})
    assert tool_text(await running) == (
        "sampling refused (-1): The user rejected the sampling request."
    )


async def test_a_sampling_answer_with_an_image_or_json_content(client: AsyncClient) -> None:
    session_id = await open_session(sampling_tools=True)
    running = start_tool(session_id, "ask_llm_with_tools")
    approval = await waiting(session_id)
    inbox = await page(client, f"/sessions/{session_id}/inbox")
    assert "1 tool offered to the model" in inbox
    assert "get_weather" in inbox
    assert "Call <strong>get_weather</strong>" in inbox  # the tool_use block
    assert 'Answers <span class="mono">call-1</span>' in inbox  # the tool_result block
    assert "18°C, clear" in inbox
    form = {"decision": "approve", "role": "assistant", "model": "m", "stop_reason": "toolUse"}
    broken = await page(
        client,
        answer_url(session_id, approval),
        {**form, "content_kind": "json", "content_json": "[{"},
    )
    assert "content json: Not JSON" in broken
    blocks = [
        {"type": "tool_use", "id": "call-2", "name": "get_weather", "input": {"city": "Oslo"}}
    ]
    await page(
        client,
        answer_url(session_id, approval),
        {**form, "content_kind": "json", "content_json": json.dumps(blocks)},
    )
    assert tool_text(await running) == "assistant said '<tool_use>' (model m, stop toolUse)"

    running = start_tool(session_id, "ask_llm")
    approval = await waiting(session_id)
    upload = SimpleUploadedFile("dot.png", PNG_1PX, content_type="image/png")
    await page(
        client,
        answer_url(session_id, approval),
        {**form, "stop_reason": "", "content_kind": "image", "image": upload},
    )
    assert tool_text(await running) == "assistant said '<image>' (model m, stop None)"


async def test_a_form_elicitation_prefilled_validated_and_accepted(client: AsyncClient) -> None:
    session_id = await open_session()
    running = start_tool(session_id, "collect_profile")
    approval = await waiting(session_id)
    prefix = f"elicit-{approval.id[:12]}"
    inbox = await page(client, f"/sessions/{session_id}/inbox")
    assert "<strong>Fixture Consent</strong> asks: Tell us about yourself." in inbox
    assert f'name="{prefix}/name" value="Ada"' in inbox
    assert f'name="{prefix}/age" value="36"' in inbox
    assert '<option value=""green"" selected>green</option>' in inbox  # the default, unescaped
    for label in ("Free plan", "Pro plan", "Small", "Medium", "Topics", "Newsletter"):
        assert label in inbox

    raw = await client.get(f"/sessions/{session_id}/inbox")
    fields = dict(form_fields(raw.content.decode(), "elicitation-answer"))
    fields[f"{prefix}/email"] = "not an email"
    refused = await page(client, answer_url(session_id, approval), {**fields, "decision": "accept"})
    assert "is not a 'email'" in refused
    assert approval.pending
    fields[f"{prefix}/email"] = "ada@example.com"
    accepted = await page(
        client, answer_url(session_id, approval), {**fields, "decision": "accept"}
    )
    assert "Accepted by the local user." in accepted
    answer = json.loads(tool_text(await running))
    assert answer["action"] == "accept"
    assert answer["content"]["email"] == "ada@example.com"
    assert answer["content"]["age"] == 36
    assert answer["content"]["topics"] == ["mcp"]  # defaults, as prefilled
    assert answer["content"]["plan"] == "free"
    assert answer["content"]["newsletter"] is True


async def test_decline_and_cancel_send_no_content(client: AsyncClient) -> None:
    session_id = await open_session()
    for decision in ("decline", "cancel"):
        running = start_tool(session_id, "collect_profile")
        approval = await waiting(session_id)
        await page(client, answer_url(session_id, approval), {"decision": decision})
        assert json.loads(tool_text(await running)) == {"action": decision, "content": None}


async def test_a_url_elicitation_is_shown_not_fetched_then_followed(client: AsyncClient) -> None:
    session_id = await open_session()
    running = start_tool(session_id, "connect_account")
    approval = await waiting(session_id)
    inbox = await page(client, f"/sessions/{session_id}/inbox")
    assert (
        '<mark class="url-host" title="The host this link goes to">auth.example.com</mark>' in inbox
    )
    assert "https://" in inbox
    assert "/connect?account=42" in inbox
    assert 'href="https://auth.example.com' not in inbox  # nothing to click before consent
    await page(client, answer_url(session_id, approval), {"decision": "accept"})
    assert tool_text(await running) == "connect: accept"
    for _ in range(100):
        after = await page(client, f"/sessions/{session_id}/inbox")
        if "The server reports it done." in after:
            break
        await asyncio.sleep(0.05)
    assert 'href="https://auth.example.com/connect?account=42"' in after
    assert 'rel="noopener noreferrer"' in after
    assert "The server reports it done." in after


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://xn--pple-43d.com/login", "it reads as “\u0430pple.com”"),
        ("http://example.com/login", "Plain http: is accepted only for this machine"),
        ("https://bank.com@evil.example/", "carries a user name before the host"),
        ("javascript:alert(1)", "The URL has no host."),
        ("javascript://x/%0aalert(1)", "Only https: links are opened, not javascript: links."),
        ("https://evil.example\\@good.example/", "has a backslash"),
        ("https://good.example%2Eevil.example/", "The host is percent-encoded"),
        ("HTTPS://Example.COM/ok", "Accept to tell the server"),
    ],
)
async def test_misleading_links_are_called_out(
    client: AsyncClient, url: str, expected: str
) -> None:
    session_id = await open_session()
    running = start_tool(session_id, "odd_link", url=url)
    approval = await waiting(session_id)
    inbox = await page(client, f"/sessions/{session_id}/inbox")
    assert expected in inbox
    refused = not expected.startswith(("Accept", "it reads", "carries"))
    assert ('value="accept"' in inbox) is not refused
    await page(client, answer_url(session_id, approval), {"decision": "decline"})
    assert tool_text(await running) == "odd link: decline"


async def test_url_elicitation_required_is_explained_with_a_retry(client: AsyncClient) -> None:
    session_id = await open_session()
    await page(client, f"/sessions/{session_id}/list/tools")
    call = {"tool": "needs_authorization", "source": "form"}
    first = await page(client, f"/sessions/{session_id}/tools/call", call)
    assert "JSON-RPC error -32042" in first
    assert "The server needs you to visit a page first" in first
    assert "Authorise access to your files first." in first
    assert 'href="https://auth.example.com/authorize?scope=files"' in first
    assert "Retry the call" in first
    second = await page(client, f"/sessions/{session_id}/tools/call", call)
    assert "authorised: here are your files" in second


async def test_a_request_that_went_away_cannot_be_answered(client: AsyncClient) -> None:
    session_id = await open_session()
    running = start_tool(session_id, "ask_briefly")
    approval = await waiting(session_id)
    assert tool_text(await running) == "the server stopped waiting"
    for _ in range(100):
        if not approval.pending:
            break
        await asyncio.sleep(0.02)
    late = await page(client, answer_url(session_id, approval), {"decision": "refuse"})
    assert "No longer waiting: The server cancelled its request" in late
    gone = await client.post(f"/sessions/{session_id}/inbox/nope/answer", {"decision": "refuse"})
    assert gone.status_code == 404


async def test_the_client_tab_edits_roots_that_the_server_is_given(client: AsyncClient) -> None:
    session_id = await open_session()
    tab = await page(client, f"/sessions/{session_id}/client/")
    assert '"listChanged": true' in tab
    assert "Ask before sharing roots" in tab
    bad = await page(client, f"/sessions/{session_id}/client/roots/add", {"location": "/a/../b"})
    assert "may not contain '..' segments" in bad
    assert 'value="/a/../b"' in bad
    added = await page(
        client, f"/sessions/{session_id}/client/roots/add", {"location": "/srv/app", "name": "App"}
    )
    assert "<code>file:///srv/app</code> <span>App</span>" in added
    relisting = await waiting(session_id)  # the server re-lists after the change
    assert "<code>file:///srv/app</code> App" in await page(client, f"/sessions/{session_id}/inbox")
    await page(client, answer_url(session_id, relisting), {"decision": "approve"})

    await page(
        client, f"/sessions/{session_id}/client/switch", {"switch": "ask_before_sharing_roots"}
    )
    running = start_tool(session_id, "show_roots")
    assert json.loads(tool_text(await running)) == ["file:///srv/app"]
    removed = await page(
        client, f"/sessions/{session_id}/client/roots/remove", {"uri": "file:///srv/app"}
    )
    assert "No roots shared." in removed
    switches = [e.text for e in await audit(session_id) if "switch" in e.detail]
    assert switches == ["Ask before sharing roots: off"]


async def test_consent_mode_holds_a_destructive_call_until_confirmed(client: AsyncClient) -> None:
    session_id = await open_session()
    await page(client, f"/sessions/{session_id}/list/tools")
    await page(
        client,
        f"/sessions/{session_id}/client/switch",
        {"switch": "confirm_tool_calls", "on": "true"},
    )
    destructive = {"tool": "delete_everything", "source": "form"}
    call = beside(page(client, f"/sessions/{session_id}/tools/call", destructive))
    approval = await waiting(session_id)
    inbox = await page(client, f"/sessions/{session_id}/inbox")
    assert "Tool call awaiting confirmation" in inbox
    assert "<strong>Destructive.</strong>" in inbox
    assert "Run the tool" in inbox
    assert not call.done()
    await page(client, answer_url(session_id, approval), {"decision": "approve"})
    assert "deleted everything" in await call

    call = beside(page(client, f"/sessions/{session_id}/tools/call", destructive))
    approval = await waiting(session_id)
    await page(client, answer_url(session_id, approval), {"decision": "refuse"})
    refused = await call
    assert "Not sent: the local user refused the call." in refused


def test_every_inbox_change_signals_the_pages() -> None:
    opened = local_event(EventKind.APPROVAL, "opened", change="opened")
    switched = local_event(EventKind.APPROVAL, "switched", switch="confirm_tool_calls")
    assert event_signals([opened, opened]) == [{"type": "inbox"}]
    assert event_signals([switched]) == []


async def test_the_session_page_has_an_inbox_and_a_client_tab(client: AsyncClient) -> None:
    session_id = await open_session()
    session_page = await page(client, f"/sessions/{session_id}/")
    assert (
        f'hx-get="/sessions/{session_id}/inbox" hx-trigger="load, inspector:inbox from:body"'
    ) in session_page
    assert 'data-tab="client">Client</button>' in session_page


async def test_the_audit_log_outlives_the_process(client: AsyncClient) -> None:
    session_id = await open_session()
    running = start_tool(session_id, "ask_llm")
    approval = await waiting(session_id)
    await page(client, answer_url(session_id, approval), {"decision": "refuse"})
    await running
    # What a restart does to the session: only the database remembers it.
    await runtime.registry().close_all()
    runtime.registry.cache_clear()
    stored = [event.text for event in await audit(session_id)]
    assert stored[:2] == [
        "Sampling request waits in the inbox",
        "Sampling request rejected by the local user",
    ]
    assert "Sampling request rejected by the local user" in await page(
        client, f"/sessions/{session_id}/"
    )
