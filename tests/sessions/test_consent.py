"""The approvals inbox at the session layer, against the real fixture server
`tests/servers/consent_server.py`: what the server asks waits for a person, the first
answer wins, cancellations and timeouts leave with their reason, and every change is an
event."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest

from inspector.mcp.client.types import ServerRequest
from inspector.mcp.errors import JsonRpcError, RequestCancelled, RequestRefused
from inspector.mcp.trace import Direction, EventKind, MessageType, TraceEvent
from inspector.sessions.approvals import (
    AlreadySettled,
    Approval,
    ApprovalKind,
    ApprovalState,
    Decision,
)
from inspector.sessions.calls import CallOutcome
from inspector.sessions.consent import Consent, client_capabilities
from inspector.sessions.roots import InvalidRoot, Root, parse_root
from inspector.sessions.session import LiveSession
from inspector.sessions.status import SessionStatus
from tests.conftest import fixture_spec


@pytest.fixture
async def session() -> AsyncIterator[LiveSession]:
    live = LiveSession(
        fixture_spec("consent_server", approval_timeout=30.0, sampling_tools=True),
        answered_by_people=True,
    )
    await live.start()
    assert live.status is SessionStatus.CONNECTED
    yield live
    await live.close()


async def first_pending(session: LiveSession) -> Approval:
    for _ in range(200):
        pending = session.consent.inbox.pending()
        if pending:
            return pending[0]
        await asyncio.sleep(0.02)
    raise AssertionError("nothing reached the inbox")


def tool_text(call: CallOutcome) -> str:
    assert call.error is None, call.error
    assert call.result is not None
    return str(call.result["content"][0]["text"])


async def logged(session: LiveSession) -> list[TraceEvent]:
    return await session.log.after(0, 100_000)


async def approval_events(session: LiveSession, change: str = "") -> list[TraceEvent]:
    return [
        event
        for event in await logged(session)
        if event.kind is EventKind.APPROVAL and change in ("", event.detail.get("change"))
    ]


def start_tool(session: LiveSession, name: str, **arguments: Any) -> asyncio.Task[CallOutcome]:
    return asyncio.create_task(
        session.call("tools/call", {"name": name, "arguments": arguments}, call_key=name)
    )


# The MCP Apps extension, declared in every version: the pages render Views.
APPS = {"io.modelcontextprotocol/ui": {"mimeTypes": ["text/html;profile=mcp-app"]}}


def test_capabilities_follow_the_requested_version() -> None:
    assert client_capabilities("2025-11-25", sampling_tools=True) == {
        "roots": {"listChanged": True},
        "sampling": {"tools": {}},
        "elicitation": {"form": {}, "url": {}},
        "extensions": APPS,
    }
    assert client_capabilities("2025-06-18", sampling_tools=True) == {
        "roots": {"listChanged": True},
        "sampling": {},
        "elicitation": {},
        "extensions": APPS,
    }
    assert "elicitation" not in client_capabilities("2025-03-26", sampling_tools=False)


async def test_the_handshake_declares_what_the_inbox_answers(session: LiveSession) -> None:
    initialize = next(e for e in (await logged(session)) if e.method == "initialize")
    capabilities = initialize.payload["params"]["capabilities"]
    assert capabilities["sampling"] == {"tools": {}}
    assert capabilities["elicitation"] == {"form": {}, "url": {}}


async def test_sampling_waits_for_an_edited_answer(session: LiveSession) -> None:
    running = start_tool(session, "ask_llm", question="Why?")
    approval = await first_pending(session)
    assert approval.kind is ApprovalKind.SAMPLING
    assert approval.params["systemPrompt"] == "You are a careful assistant."
    assert approval.request_seq is not None
    reply = {
        "role": "assistant",
        "content": {"type": "text", "text": "Because."},
        "model": "hand-typed",
        "stopReason": "endTurn",
    }
    session.consent.inbox.answer(approval.id, Decision("approved", "tester", result=reply))
    call = await running
    assert tool_text(call) == "assistant said 'Because.' (model hand-typed, stop endTurn)"
    changes = [event.detail["change"] for event in (await approval_events(session))]
    assert changes == ["opened", "answered"]
    answered = (await approval_events(session))[-1]
    assert answered.detail["by"] == "tester"
    assert answered.detail["outcome"] == "approved"


async def test_only_the_first_answer_counts(session: LiveSession) -> None:
    running = start_tool(session, "ask_llm")
    approval = await first_pending(session)
    inbox = session.consent.inbox
    inbox.answer(approval.id, Decision("rejected", "first", error_code=-1, error_message="No."))
    with pytest.raises(AlreadySettled) as lost:
        inbox.answer(approval.id, Decision("approved", "second", result={}))
    assert str(lost.value) == "Already rejected by first."
    assert tool_text(await running) == "sampling refused (-1): No."
    assert len(inbox) == 0


async def test_a_request_the_server_cancels_leaves_with_its_reason(session: LiveSession) -> None:
    running = start_tool(session, "ask_briefly")
    approval = await first_pending(session)
    assert tool_text(await running) == "the server stopped waiting"
    for _ in range(100):
        if approval.state is ApprovalState.WITHDRAWN:
            break
        await asyncio.sleep(0.02)
    assert approval.state is ApprovalState.WITHDRAWN
    assert approval.reason.startswith("The server cancelled its request")
    assert session.consent.inbox.pending() == []


async def test_an_unanswered_request_times_out() -> None:
    live = LiveSession(
        fixture_spec("consent_server", approval_timeout=0.3), answered_by_people=True
    )
    await live.start()
    try:
        call = await live.call("tools/call", {"name": "ask_llm"}, call_key="k")
        assert tool_text(call) == "sampling refused (-1): Nobody answered within 0.3 seconds."
        withdrawn = [
            e for e in (await approval_events(live)) if e.detail.get("change") == "withdrawn"
        ]
        assert withdrawn[0].detail["reason"] == "Nobody answered within 0.3 seconds."
    finally:
        await live.close()


async def test_form_elicitation_accepted_with_content(session: LiveSession) -> None:
    running = start_tool(session, "collect_profile")
    approval = await first_pending(session)
    assert approval.kind is ApprovalKind.ELICITATION
    assert approval.params["requestedSchema"]["required"] == ["name", "email"]
    content = {"name": "Ada", "email": "ada@example.com"}
    result = {"action": "accept", "content": content}
    session.consent.inbox.answer(approval.id, Decision("accepted", "tester", result=result))
    assert json.loads(tool_text(await running)) == result


async def test_url_elicitation_is_matched_to_its_completion(session: LiveSession) -> None:
    running = start_tool(session, "connect_account")
    approval = await first_pending(session)
    assert approval.params["mode"] == "url"
    session.consent.inbox.answer(
        approval.id, Decision("accepted", "tester", result={"action": "accept"})
    )
    assert tool_text(await running) == "connect: accept"
    for _ in range(100):
        if await approval_events(session, "url_complete"):
            break
        await asyncio.sleep(0.02)
    completed = await approval_events(session, "url_complete")
    assert [event.detail["approval"] for event in completed] == [approval.id]


async def server_log_says(session: LiveSession, text: str) -> None:
    for _ in range(200):
        logs = [e for e in await logged(session) if e.method == "notifications/message"]
        if logs and text in logs[-1].text:
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"the server never logged {text!r}")


async def test_roots_are_asked_for_and_changes_are_announced(session: LiveSession) -> None:
    inbox = session.consent.inbox
    await session.set_roots([parse_root("/srv/project", "Project")])
    # The server hears of the change and lists the roots again: that asks too.
    relisting = await first_pending(session)
    assert relisting.kind is ApprovalKind.ROOTS
    inbox.answer(relisting.id, Decision("approved", "tester"))
    await server_log_says(session, "roots now: file:///srv/project")

    running = start_tool(session, "show_roots")
    approval = await first_pending(session)
    inbox.answer(approval.id, Decision("approved", "tester"))
    assert json.loads(tool_text(await running)) == ["file:///srv/project"]

    session.consent.set_switch("ask_before_sharing_roots", False)
    await session.set_roots([Root("file:///srv/other")])
    await server_log_says(session, "roots now: file:///srv/other")
    assert inbox.pending() == []
    sent = [
        e
        for e in await logged(session)
        if e.method == "notifications/roots/list_changed"
        and e.message_type is MessageType.NOTIFICATION
    ]
    assert len(sent) == 2


def test_roots_are_validated() -> None:
    assert parse_root("/home/ada/My Project").uri == "file:///home/ada/My%20Project"
    assert parse_root("file://localhost/tmp/x", "tmp").to_wire() == {
        "uri": "file:///tmp/x",
        "name": "tmp",
    }
    for bad, message in [
        ("", "Give a file:// URI"),
        ("https://example.com/x", "must be a file:// URI"),
        ("file://server/share", "on this machine"),
        ("file:///srv/../etc", "'..' segments"),
        ("file:///srv/%2e%2e/etc", "'..' segments"),
        ("relative/path", "must be a file:// URI"),
        ("file:///tmp/a\nb", "Control characters"),
        ("/home/me\\..\\etc", "backslashes"),
        ("//server/share", "start with //"),
    ]:
        with pytest.raises(InvalidRoot, match=message):
            parse_root(bad)


async def test_consent_mode_holds_a_tool_call_until_confirmed(session: LiveSession) -> None:
    session.consent.set_switch("confirm_tool_calls", True)
    running = start_tool(session, "delete_everything")
    approval = await first_pending(session)
    assert approval.kind is ApprovalKind.TOOL_CALL
    assert approval.params["name"] == "delete_everything"
    assert not [e for e in (await logged(session)) if e.method == "tools/call"]
    session.consent.inbox.answer(approval.id, Decision("confirmed", "tester"))
    assert tool_text(await running) == "deleted everything"


async def test_consent_mode_refusal_and_cancel_send_nothing(session: LiveSession) -> None:
    session.consent.set_switch("confirm_tool_calls", True)
    running = start_tool(session, "delete_everything")
    approval = await first_pending(session)
    session.consent.inbox.answer(
        approval.id, Decision("refused", "tester", error_code=-1, error_message="refused")
    )
    refused = await running
    assert isinstance(refused.error, RequestRefused)
    assert str(refused.error) == "Not sent: tester refused the call."

    running = start_tool(session, "count_slowly")
    await first_pending(session)
    assert await session.cancel_call("count_slowly")
    cancelled = await running
    assert isinstance(cancelled.error, RequestCancelled)
    assert str(cancelled.error) == "Not sent: Cancelled before it was confirmed."
    assert not [e for e in (await logged(session)) if e.method == "tools/call"]


async def test_disconnecting_empties_the_inbox(session: LiveSession) -> None:
    running = start_tool(session, "collect_profile")
    approval = await first_pending(session)
    await session.disconnect()
    await running
    assert approval.state is ApprovalState.WITHDRAWN
    assert approval.reason == "The session was closed."


def server_request(method: str, params: dict[str, Any]) -> ServerRequest:
    event = TraceEvent(EventKind.MESSAGE, Direction.IN, seq=1)
    return ServerRequest(1, method, params, event)


@pytest.mark.parametrize(
    ("version", "method", "params", "code"),
    [
        ("2025-03-26", "elicitation/create", {"message": "m", "requestedSchema": {}}, -32601),
        ("2025-06-18", "elicitation/create", {"mode": "url", "url": "https://x"}, -32602),
        ("2025-11-25", "elicitation/create", {"mode": "telepathy"}, -32602),
        ("2025-11-25", "sampling/createMessage", {"messages": [], "tools": []}, -32602),
    ],
)
async def test_requests_beyond_what_was_declared_are_refused_not_asked(
    version: str, method: str, params: dict[str, Any], code: int
) -> None:
    consent = Consent(lambda event: None, timeout=5)
    consent.declared = client_capabilities(version, sampling_tools=False)
    with pytest.raises(JsonRpcError) as refused:
        await consent.handlers()[method](server_request(method, params))
    assert refused.value.code == code
    assert consent.inbox.pending() == []


async def test_only_a_server_request_holds_the_timeouts() -> None:
    consent = Consent(lambda event: None, timeout=5)
    inbox = consent.inbox
    held = inbox.open(ApprovalKind.TOOL_CALL, "tools/call", {"name": "x"})
    assert not inbox.holds_server_request()
    inbox.open(ApprovalKind.ROOTS, "roots/list", {}, request_id=4)
    assert inbox.holds_server_request()
    inbox.withdraw(held, "test over")
