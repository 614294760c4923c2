"""The modern era (2026-07-28) at the session layer, against `mcp` 2.3.0 servers and the
official (legacy-only) everything server: which era a connection settles on and why,
input requests answered in the approvals inbox, the notification stream, log levels."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import replace
from typing import Any

import pytest

from inspector.mcp.eras.modern import (
    CLIENT_CAPABILITIES_KEY,
    LOG_LEVEL_KEY,
    SUBSCRIPTION_ID_KEY,
)
from inspector.mcp.errors import JsonRpcError, RequestCancelled, RequestRefused, RequestTimeout
from inspector.mcp.findings import Severity
from inspector.mcp.trace import ORIGIN_DETAIL, Direction, EventKind, MessageType, TraceEvent
from inspector.mcp.transports.sse_legacy import LegacySseTransport
from inspector.mcp.versions import Era, EraChoice
from inspector.sessions.approvals import Approval, ApprovalKind, Decision
from inspector.sessions.session import LiveSession
from inspector.sessions.spec import ConnectionSpec, TransportKind
from inspector.sessions.status import SessionStatus
from inspector.sessions.stream import LISTEN_REOPEN_DELAYS
from tests.conftest import fixture_spec
from tests.headless.conftest import OFFICIAL_EVERYTHING
from tests.headless.npm import npm_install
from tests.servers.http_harness import RunningServer
from tests.servers.raw_modern_stdio import FLAKY_CUTS

MakeSession = Callable[..., LiveSession]


@pytest.fixture
async def sessions() -> AsyncIterator[MakeSession]:
    made: list[LiveSession] = []

    def make(spec: ConnectionSpec, **options: Any) -> LiveSession:
        session = LiveSession(spec, **options)
        made.append(session)
        return session

    yield make
    for session in made:
        await session.close()


def modern_stdio(era: EraChoice = EraChoice.MODERN) -> ConnectionSpec:
    return fixture_spec("modern_server", era=era, approval_timeout=30.0)


async def logged(session: LiveSession) -> list[TraceEvent]:
    return await session.log.after(0, 100_000)


async def first_pending(session: LiveSession) -> Approval:
    for _ in range(250):
        pending = session.consent.inbox.pending()
        if pending:
            return pending[0]
        await asyncio.sleep(0.02)
    raise AssertionError("nothing reached the inbox")


def call_tool(session: LiveSession, name: str, **arguments: Any) -> asyncio.Task[Any]:
    return asyncio.create_task(
        session.call("tools/call", {"name": name, "arguments": arguments}, call_key=name)
    )


# -- which era, and why ------------------------------------------------------------


async def test_auto_settles_on_modern_for_a_modern_server(sessions: MakeSession) -> None:
    session = sessions(modern_stdio(EraChoice.AUTO))
    await session.start()
    assert session.status is SessionStatus.CONNECTED
    assert session.era is Era.MODERN
    assert session.server is not None
    assert session.server.era_reason.startswith("Auto-detected modern: server/discover answered")
    connected = [e for e in await logged(session) if e.detail.get("status") == "connected"]
    assert connected[-1].detail["era"] == "modern"


@pytest.fixture(scope="module")
def official_everything_spec() -> ConnectionSpec:
    prefix = npm_install(OFFICIAL_EVERYTHING)
    binary = prefix / "node_modules" / ".bin" / "mcp-server-everything"
    return ConnectionSpec(TransportKind.STDIO, command=str(binary), args=("stdio",))


async def test_auto_falls_back_to_initialize_for_a_legacy_only_server(
    sessions: MakeSession, official_everything_spec: ConnectionSpec
) -> None:
    session = sessions(replace(official_everything_spec, era=EraChoice.AUTO))
    await session.start()
    assert session.status is SessionStatus.CONNECTED, session.error
    assert session.era is Era.LEGACY
    assert session.server is not None
    assert session.server.protocol_version == "2025-11-25"
    reason = session.server.era_reason
    assert reason.startswith("Auto-detected legacy: server/discover was answered with error")
    methods = [e.method for e in await logged(session) if e.direction is Direction.OUT and e.method]
    assert methods[:3] == ["server/discover", "initialize", "notifications/initialized"]
    assert (await session.request("tools/list"))["tools"]


async def test_auto_over_http_falls_back_to_legacy_sse(
    sessions: MakeSession, mcp_http_server: RunningServer
) -> None:
    spec = ConnectionSpec(
        TransportKind.HTTP, url=mcp_http_server.url("/legacy/sse"), era=EraChoice.AUTO
    )
    session = sessions(spec)
    await session.start()
    assert session.status is SessionStatus.CONNECTED, session.error
    assert session.client is not None
    assert isinstance(session.client.transport, LegacySseTransport)
    assert session.server is not None
    assert "HTTP+SSE" in session.server.era_reason
    result = await session.request("tools/call", {"name": "add", "arguments": {"a": 1, "b": 1}})
    assert result["content"][0]["text"] == "2"


async def test_auto_restarts_a_legacy_stdio_server_that_exits_on_discover(
    sessions: MakeSession,
) -> None:
    session = sessions(fixture_spec("raw_modern_stdio", "exit-on-unknown", era=EraChoice.AUTO))
    await session.start()
    assert session.status is SessionStatus.CONNECTED, session.error
    assert session.server is not None
    assert session.server.era is Era.LEGACY
    assert "ended on server/discover" in session.server.era_reason
    assert (await session.request("tools/list"))["tools"][0]["name"] == "ask"


async def test_auto_settled_on_modern_declares_no_roots_list_to_watch(
    sessions: MakeSession,
) -> None:
    session = sessions(modern_stdio(EraChoice.AUTO), answered_by_people=True)
    await session.start()
    assert session.server is not None
    assert session.server.era is Era.MODERN
    await session.request("tools/list")
    requests = [
        e
        for e in await logged(session)
        if e.direction is Direction.OUT and e.method == "tools/list"
    ]
    declared = requests[-1].payload["params"]["_meta"][CLIENT_CAPABILITIES_KEY]
    assert declared["roots"] == {}
    assert "elicitation" in declared
    assert "sampling" in declared


async def test_a_modern_session_listens_for_list_changes_and_reopens_a_dropped_stream(
    sessions: MakeSession,
) -> None:
    session = sessions(fixture_spec("raw_modern_stdio", "listen-drop", era=EraChoice.MODERN))
    await session.start()
    assert session.status is SessionStatus.CONNECTED, session.error
    for _ in range(250):
        if session.listening is not None and session.listening.active:
            break
        await asyncio.sleep(0.02)
    assert session.listening is not None
    assert session.listening.active, session.listening.ended
    assert session.listening.requested == {"toolsListChanged": True}
    events = await logged(session)
    listens = [
        e for e in events if e.direction is Direction.OUT and e.method == "subscriptions/listen"
    ]
    assert len(listens) == 2, "the dropped stream was reopened once"
    changes = [e for e in events if e.method == "notifications/tools/list_changed"]
    assert len(changes) == 2
    # The late one names the dropped stream: kept in the log, not acted on.
    assert "stale_subscription" not in changes[0].detail
    assert changes[1].detail["stale_subscription"] == listens[0].message_id


async def listen_requests(session: LiveSession) -> list[TraceEvent]:
    events = await logged(session)
    return [
        e for e in events if e.direction is Direction.OUT and e.method == "subscriptions/listen"
    ]


async def test_a_refused_listen_is_not_sent_again(sessions: MakeSession) -> None:
    session = sessions(fixture_spec("raw_modern_stdio", "listen-refuse", era=EraChoice.MODERN))
    await session.start()
    assert session.status is SessionStatus.CONNECTED, session.error
    # Longer than the first reopening's wait: a refusal would be refused again.
    await asyncio.sleep(LISTEN_REOPEN_DELAYS[0] + 0.5)
    assert session.listening is not None
    assert isinstance(session.listening.error, JsonRpcError)
    assert len(await listen_requests(session)) == 1


async def test_a_stream_cut_again_and_again_after_acknowledgements_is_always_reopened(
    sessions: MakeSession,
) -> None:
    session = sessions(fixture_spec("raw_modern_stdio", "listen-flaky", era=EraChoice.MODERN))
    await session.start()
    assert session.status is SessionStatus.CONNECTED, session.error
    # More cuts than the reopenings allowed in a row: each came back (acknowledged), so
    # none of them counts against the next one.
    assert len(LISTEN_REOPEN_DELAYS) < FLAKY_CUTS
    deadline = asyncio.get_running_loop().time() + 4 * FLAKY_CUTS * LISTEN_REOPEN_DELAYS[0]
    while asyncio.get_running_loop().time() < deadline:
        if len(await listen_requests(session)) > FLAKY_CUTS:
            break
        await asyncio.sleep(0.1)
    assert len(await listen_requests(session)) == FLAKY_CUTS + 1
    assert session.listening is not None
    assert session.listening.active


async def test_a_stream_not_acknowledged_in_time_is_stopped(sessions: MakeSession) -> None:
    spec = fixture_spec(
        "raw_modern_stdio", "listen-silent", era=EraChoice.MODERN, request_timeout=0.5
    )
    session = sessions(spec)
    await session.start()
    listening = await session.listen()
    assert isinstance(listening.error, RequestTimeout)
    assert not listening.active
    events = await logged(session)
    cancelled = [e for e in events if e.method == "notifications/cancelled"]
    assert cancelled, "the server was told the unacknowledged stream is withdrawn"
    assert cancelled[-1].payload["params"]["requestId"] == listening.request_id


# -- input requests in the approvals inbox ------------------------------------------


async def test_a_refused_input_request_withdraws_the_other_questions(
    sessions: MakeSession,
) -> None:
    spec = fixture_spec("raw_modern_stdio", "refuse-and-wait", era=EraChoice.MODERN)
    session = sessions(spec, answered_by_people=True)
    await session.start()
    running = call_tool(session, "ask")
    for _ in range(250):
        if len(session.consent.inbox.pending()) == 2:
            break
        await asyncio.sleep(0.02)
    sampling = next(a for a in session.consent.inbox.pending() if a.kind is ApprovalKind.SAMPLING)
    refusal = Decision("refused", "tester", error_code=-1, error_message="No.")
    session.consent.inbox.answer(sampling.id, refusal)
    call = await asyncio.wait_for(running, 10)
    assert isinstance(call.error, RequestRefused)
    # The elicitation's answer could go nowhere: it must not wait for a person.
    assert session.consent.inbox.pending() == []


async def test_an_elicitation_in_a_result_waits_for_a_person(sessions: MakeSession) -> None:
    session = sessions(modern_stdio(), answered_by_people=True)
    await session.start()
    running = call_tool(session, "greet")
    approval = await first_pending(session)
    assert approval.kind is ApprovalKind.ELICITATION
    assert approval.params["message"] == "Who is there?"
    reply = {"action": "accept", "content": {"name": "Grace"}}
    session.consent.inbox.answer(approval.id, Decision("approved", "tester", result=reply))
    call = await running
    assert call.error is None, call.error
    assert call.result is not None
    assert call.result["content"][0]["text"] == "Hello, Grace!"
    events = await logged(session)
    asked = next(e for e in events if e.seq == approval.request_seq)
    assert asked.detail["embedded"] == "inputRequests"
    assert asked.detail[ORIGIN_DETAIL] == call.request_seq
    retries = [e for e in events if e.detail.get(ORIGIN_DETAIL) == call.request_seq]
    assert any(
        e.message_type is MessageType.REQUEST and e.direction is Direction.OUT for e in retries
    )


async def test_a_sampling_request_in_a_result_waits_for_a_person(sessions: MakeSession) -> None:
    session = sessions(modern_stdio(), answered_by_people=True)
    await session.start()
    running = call_tool(session, "ask_llm", question="Capital of France?")
    approval = await first_pending(session)
    assert approval.kind is ApprovalKind.SAMPLING
    reply = {
        "role": "assistant",
        "content": {"type": "text", "text": "Paris"},
        "model": "hand-typed",
        "stopReason": "endTurn",
    }
    session.consent.inbox.answer(approval.id, Decision("approved", "tester", result=reply))
    call = await running
    assert call.result is not None, call.error
    assert call.result["content"][0]["text"] == "hand-typed says Paris"


# -- the notification stream -----------------------------------------------------------


@pytest.mark.parametrize("transport", ["stdio", "http"])
async def test_listening_delivers_an_update_of_a_subscribed_resource(
    sessions: MakeSession, mcp_http_server: RunningServer, transport: str
) -> None:
    spec = (
        modern_stdio()
        if transport == "stdio"
        else ConnectionSpec(
            TransportKind.HTTP, url=mcp_http_server.url("/modern/mcp"), era=EraChoice.MODERN
        )
    )
    session = sessions(spec)
    await session.start()
    subscribed = await session.set_resource_subscription(
        "memo://note", subscribe=True, call_key="sub"
    )
    assert subscribed.error is None, subscribed.error
    assert session.subscriptions == {"memo://note"}
    assert session.listening is not None
    assert session.listening.acknowledged is not None
    assert session.listening.acknowledged["resourceSubscriptions"] == ["memo://note"]
    await session.request("tools/call", {"name": "touch", "arguments": {"text": "second"}})
    for _ in range(100):
        updates = [
            e
            for e in await logged(session)
            if e.method == "notifications/resources/updated" and e.direction is Direction.IN
        ]
        if updates:
            break
        await asyncio.sleep(0.05)
    assert updates, "the update arrived on the stream"
    params = updates[0].payload["params"]
    assert params["uri"] == "memo://note"
    assert str(params["_meta"][SUBSCRIPTION_ID_KEY]) == str(session.listening.request_id)
    first_id = session.listening.request_id

    await session.set_resource_subscription("memo://note", subscribe=False, call_key="unsub")
    assert session.subscriptions == set()
    assert session.listening.request_id != first_id, "a fresh stream with the new set"
    assert "resourceSubscriptions" not in session.listening.requested


async def test_a_legacy_connection_cannot_listen(sessions: MakeSession) -> None:
    session = sessions(modern_stdio(EraChoice.LEGACY))
    await session.start()
    with pytest.raises(RequestRefused, match="modern era"):
        await session.listen()


# -- per-request log level -------------------------------------------------------------------


async def test_the_log_level_rides_on_every_modern_request(sessions: MakeSession) -> None:
    session = sessions(modern_stdio())
    await session.start()
    changed = await session.set_log_level("info", call_key="log")
    assert changed.error is None
    await session.request("tools/list")
    events = await logged(session)
    assert not [e for e in events if e.method == "logging/setLevel"]
    listed = [e for e in events if e.method == "tools/list" and e.direction is Direction.OUT]
    assert listed[-1].payload["params"]["_meta"][LOG_LEVEL_KEY] == "info"
    assert any(
        e.kind is EventKind.LIFECYCLE and e.detail.get("log_level") == "info" for e in events
    )


# -- the tasks extension -----------------------------------------------------------------------


async def test_a_task_result_is_followed_to_its_end_with_input_in_the_inbox(
    sessions: MakeSession,
) -> None:
    session = sessions(
        fixture_spec("modern_tasks_server", era=EraChoice.AUTO, approval_timeout=30.0),
        answered_by_people=True,
    )
    await session.start()
    assert session.era is Era.MODERN
    running = call_tool(session, "long_job", label="backup")
    approval = await first_pending(session)
    assert approval.kind is ApprovalKind.ELICITATION
    assert approval.params["message"] == "Go on with the job?"
    reply = {"action": "accept", "content": {"go": True}}
    session.consent.inbox.answer(approval.id, Decision("approved", "tester", result=reply))
    call = await running
    assert call.error is None, call.error
    assert call.result is not None
    assert call.result["content"][0]["text"] == "backup done, go=True"
    events = await logged(session)
    called = next(e for e in events if e.method == "tools/call" and e.direction is Direction.OUT)
    declared = called.payload["params"]["_meta"]["io.modelcontextprotocol/clientCapabilities"]
    assert "io.modelcontextprotocol/tasks" in declared["extensions"]
    methods = [e.method for e in events if e.direction is Direction.OUT and e.method]
    assert "tasks/get" in methods
    assert "tasks/update" in methods
    tracked = session.task_tracker.get("task-1")
    assert tracked is not None
    assert tracked.status == "completed"
    assert tracked.poll_interval == 100
    assert not tracked.following
    alarms = [
        (event.seq, event.method, finding.rule, finding.message)
        for event in events
        for finding in event.findings
        if finding.severity is not Severity.INFO
    ]
    assert alarms == [], "\n".join(map(str, alarms))


async def test_cancelling_a_followed_task_cancels_it_on_the_server(sessions: MakeSession) -> None:
    session = sessions(fixture_spec("modern_tasks_server", era=EraChoice.MODERN))
    await session.start()
    running = call_tool(session, "long_job")
    for _ in range(100):
        if session.task_tracker.get("task-1") is not None:
            break
        await asyncio.sleep(0.02)
    running.cancel()
    with pytest.raises(asyncio.CancelledError):
        await running
    for _ in range(100):
        sent = [e for e in await logged(session) if e.method == "tasks/cancel"]
        if sent:
            break
        await asyncio.sleep(0.02)
    assert sent[0].payload["params"]["taskId"] == "task-1"


async def test_a_call_stopped_while_a_person_is_asked_ends_and_withdraws_the_question(
    sessions: MakeSession,
) -> None:
    session = sessions(modern_stdio(), answered_by_people=True)
    await session.start()
    running = call_tool(session, "greet")
    await first_pending(session)
    assert await session.cancel_call("greet", "Changed my mind.")
    call = await running
    assert isinstance(call.error, RequestCancelled)
    assert "Changed my mind." in str(call.error)
    assert not session.consent.inbox.pending()
    assert session.status is SessionStatus.CONNECTED


async def test_methods_the_modern_era_removed_are_refused_with_their_replacement(
    sessions: MakeSession,
) -> None:
    session = sessions(modern_stdio())
    await session.start()
    with pytest.raises(RequestRefused, match="no ping"):
        await session.request("ping")
    with pytest.raises(RequestRefused, match="subscriptions/listen"):
        await session.request("resources/subscribe", {"uri": "memo://note"})
