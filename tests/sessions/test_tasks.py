"""Tasks against real servers: our hand-written task server, and the official
"everything" server from the npm registry. The tracker polls at the server's pace, fetches
results, cancels with `tasks/cancel`, lists page by page, and lets the server ask its
questions while it waits on `tasks/result`."""

from __future__ import annotations

import asyncio
import inspect
import itertools
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from inspector.mcp.client.types import ServerRequest
from inspector.mcp.eras.tasks import MIN_POLL_MS, RELATED_TASK
from inspector.mcp.errors import JsonRpcError
from inspector.mcp.findings import Severity
from inspector.mcp.trace import Direction, MessageType, TraceEvent
from inspector.sessions.session import LiveSession
from inspector.sessions.spec import ConnectionSpec, TransportKind
from inspector.sessions.status import SessionStatus
from inspector.sessions.tracked_task import (
    TaskMode,
    TrackedTask,
    task_mode,
)
from tests.conftest import fixture_spec
from tests.headless.conftest import OFFICIAL_EVERYTHING
from tests.headless.npm import npm_install

TOOLS_CALL_AS_TASK: dict[str, Any] = {"tasks": {"requests": {"tools": {"call": {}}}}}


@pytest.fixture
async def connect() -> AsyncIterator[Callable[..., Any]]:
    made: list[LiveSession] = []

    async def start(*args: str, spec: ConnectionSpec | None = None, **options: Any) -> LiveSession:
        session = LiveSession(spec or fixture_spec("tasks_server", *args), **options)
        made.append(session)
        await session.start()
        assert session.status is SessionStatus.CONNECTED, session.error
        return session

    yield start
    for session in made:
        await session.close()


async def tool(session: LiveSession, name: str) -> dict[str, Any]:
    tools = (await session.request("tools/list"))["tools"]
    found: dict[str, Any] = next(item for item in tools if item["name"] == name)
    return found


async def run_task(
    session: LiveSession, name: str, arguments: dict[str, Any] | None = None, ttl: int | None = None
) -> TrackedTask:
    call, task = await session.task_tracker.call_tool(
        await tool(session, name), arguments or {}, call_key=f"key-{name}", ttl=ttl
    )
    assert call.error is None, call.error
    assert task is not None, call.result
    return task


async def eventually(check: Callable[[], Any], timeout: float = 15.0) -> None:
    for _ in range(int(timeout / 0.05)):
        outcome = check()
        if await outcome if inspect.isawaitable(outcome) else outcome:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"not within {timeout:g} s")


async def settled(task: TrackedTask, timeout: float = 15.0) -> TrackedTask:
    """Wait until the task ended and its result is in, as a person watching would."""
    await eventually(lambda: task.terminal and task.result is not None, timeout)
    return task


async def sent(session: LiveSession, method: str) -> list[TraceEvent]:
    return [
        event
        for event in await session.log.after(0, 100_000)
        if event.method == method
        and event.message_type is MessageType.REQUEST
        and event.direction is Direction.OUT
    ]


def params_of(event: TraceEvent) -> dict[str, Any]:
    params: dict[str, Any] = event.payload["params"]
    return params


async def test_an_optional_tool_runs_as_a_task_to_its_result(connect: Any) -> None:
    session = await connect()
    task = await run_task(session, "brew", {"cups": 3}, ttl=30_000)
    (created,) = await sent(session, "tools/call")
    assert params_of(created)["task"] == {"ttl": 30_000}
    assert task.status == "working"
    assert task.ttl == 30_000
    assert task.poll_interval == 300
    await settled(task)
    assert task.status == "completed"
    assert task.polls >= 3, "three stages of 0.4 s polled every 0.3 s"
    assert task.result is not None
    assert task.result.result is not None
    result = task.result.result
    assert result["content"] == [{"type": "text", "text": "Brewed 3 cups at 92 °C."}]
    assert result["structuredContent"] == {"cups": 3, "temperature": 92}
    assert result["_meta"][RELATED_TASK] == {"taskId": task.task_id}
    assert task.result.response_seq is not None, "the result is an event of the log"
    (fetched,) = await sent(session, "tasks/result")
    assert params_of(fetched)["taskId"] == task.task_id


async def test_polling_follows_the_servers_interval_within_a_floor(connect: Any) -> None:
    session = await connect("--poll-ms", "10")
    task = await settled(await run_task(session, "brew"))
    polls = [event.timestamp for event in await sent(session, "tasks/get")]
    assert len(polls) == task.polls
    gaps = [later - earlier for earlier, later in itertools.pairwise(polls)]
    assert gaps
    assert min(gaps) >= MIN_POLL_MS / 1000 * 0.9, gaps


async def test_a_failed_task_gives_the_tools_error_result(connect: Any) -> None:
    session = await connect()
    task = await settled(await run_task(session, "fail_job"))
    assert task.status == "failed"
    assert task.result is not None
    assert task.result.result is not None
    assert task.result.result["isError"] is True
    assert task.result.result["content"][0]["text"] == "The disk is full."


async def test_a_required_tool_is_refused_as_a_plain_call(connect: Any) -> None:
    session = await connect()
    with pytest.raises(JsonRpcError) as refused:
        await session.request("tools/call", {"name": "render_report", "arguments": {}})
    assert refused.value.code == -32601
    task = await settled(await run_task(session, "render_report", {"title": "Q3"}))
    assert task.status == "completed"
    assert task.result is not None
    assert task.result.result is not None
    assert task.result.result["content"][0]["text"] == "Report Q3 rendered: 3 pages."


async def test_a_forbidden_tool_answers_a_task_request_with_an_error(connect: Any) -> None:
    session = await connect()
    call, task = await session.task_tracker.call_tool(
        await tool(session, "echo"), {"message": "hi"}, ttl=None, call_key="key-echo"
    )
    assert task is None
    assert isinstance(call.error, JsonRpcError)
    assert call.error.code == -32601


def test_task_mode_obeys_the_tool_and_the_servers_capability() -> None:
    optional = {"execution": {"taskSupport": "optional"}}
    required = {"execution": {"taskSupport": "required"}}
    assert task_mode(TOOLS_CALL_AS_TASK, "2025-11-25", optional) is TaskMode.OPTIONAL
    assert task_mode(TOOLS_CALL_AS_TASK, "2025-11-25", required) is TaskMode.REQUIRED
    assert task_mode(TOOLS_CALL_AS_TASK, "2025-11-25", {}) is TaskMode.NEVER
    assert task_mode(TOOLS_CALL_AS_TASK, "2025-11-25", {"execution": {"taskSupport": "x"}}) is (
        TaskMode.NEVER
    )
    assert task_mode({"tasks": {"list": {}}}, "2025-11-25", required) is TaskMode.UNDECLARED
    assert task_mode(TOOLS_CALL_AS_TASK, "2025-06-18", required) is TaskMode.NEVER


async def test_cancel_uses_tasks_cancel_and_a_second_one_is_refused(connect: Any) -> None:
    session = await connect()
    task = await run_task(session, "long_job")
    cancelled = await session.task_tracker.cancel(task.task_id, call_key="cancel-1")
    assert cancelled is not None
    assert cancelled.result is not None
    assert cancelled.result["status"] == "cancelled"
    assert task.status == "cancelled"
    again = await session.task_tracker.cancel(task.task_id, call_key="cancel-2")
    assert again is not None
    assert isinstance(again.error, JsonRpcError)
    assert again.error.code == -32602
    assert task.cancel_call is again
    await settled(task)
    events = await session.log.after(0, 100_000)
    assert not [event for event in events if event.method == "notifications/cancelled"]


async def test_cancelling_a_call_that_creates_a_task_cancels_the_task(connect: Any) -> None:
    session = await connect()
    tracker = session.task_tracker
    long_job = await tool(session, "long_job")
    creating = asyncio.ensure_future(
        tracker.call_tool(long_job, {}, ttl=None, call_key="creating-key")
    )
    # Cancelled while the creating request is in flight: before the task has an id.
    for _ in range(10_000):
        if tracker.cancel_creation("creating-key"):
            break
        await asyncio.sleep(0)
    else:
        raise AssertionError("the creating call was never in flight")
    _, task = await creating
    assert task is not None
    assert task.status == "cancelled"
    assert len(await sent(session, "tasks/cancel")) == 1
    events = await session.log.after(0, 100_000)
    assert not [event for event in events if event.method == "notifications/cancelled"]


async def test_input_required_lets_the_server_ask_while_tasks_result_waits(connect: Any) -> None:
    asked: list[ServerRequest] = []

    async def answer(request: ServerRequest) -> dict[str, Any]:
        asked.append(request)
        return {"action": "accept", "content": {"name": "Ada"}}

    session = await connect(
        handlers={"elicitation/create": answer}, capabilities={"elicitation": {}}
    )
    task = await settled(await run_task(session, "confirm_order", {"item": "a kayak"}))
    assert task.status == "completed"
    (question,) = asked
    assert question.params["message"] == "Confirm the order of a kayak?"
    assert question.params["_meta"][RELATED_TASK] == {"taskId": task.task_id}
    assert task.result is not None
    assert task.result.result is not None
    assert task.result.result["structuredContent"] == {"item": "a kayak", "name": "Ada"}
    # The question came while the client waited on tasks/result, which it called early.
    statuses = [
        event.payload["result"].get("status")
        for event in await session.log.after(0, 100_000)
        if event.method == "tasks/get" and event.message_type is MessageType.RESULT
    ]
    assert "input_required" in statuses


async def test_tasks_list_comes_in_pages(connect: Any) -> None:
    session = await connect()
    tasks = [await run_task(session, "render_report", {"title": str(n)}) for n in range(3)]
    tracker = session.task_tracker
    _, first = await tracker.list_page(None, call_key="list-1")
    assert first is not None
    assert first.next_cursor is not None
    _, second = await tracker.list_page(first.next_cursor, call_key="list-2")
    assert second is not None
    assert second.next_cursor is None
    listed = [task.task_id for task in first.tasks + second.tasks]
    assert listed == [task.task_id for task in tasks]
    bad, nothing = await tracker.list_page("no-such-cursor", call_key="list-3")
    assert nothing is None
    assert isinstance(bad.error, JsonRpcError)
    assert bad.error.code == -32602
    assert [task.task_id for task in tracker.all()] == listed[::-1], "newest first"


async def test_a_status_notification_is_news_the_tracker_acts_on(connect: Any) -> None:
    session = await connect("--notify", "--poll-ms", "30000")
    tracker = session.task_tracker
    task = await run_task(session, "render_report", {"title": "x"})
    notes: list[dict[str, Any]] = []

    async def completed_notice() -> bool:
        notes[:] = [
            event.payload["params"]
            for event in await session.log.after(0, 100_000)
            if event.method == "notifications/tasks/status"
            and event.payload["params"]["status"] == "completed"
        ]
        return bool(notes)

    await eventually(completed_notice, 10)
    assert task.status == "working", "a 30 s poll interval: nothing polled yet"
    tracker.note_status(notes[0])
    await settled(task, timeout=5)
    assert task.status == "completed"
    assert task.polls == 0, "the result was fetched at once, not after the next poll"


async def test_closing_the_session_stops_every_poller(connect: Any) -> None:
    session = await connect()
    task = await run_task(session, "long_job")
    assert task.following
    await session.close()
    assert not task.following
    assert not [t for t in asyncio.all_tasks() if (t.get_name() or "").startswith("task-poll-")]


async def test_a_task_of_an_earlier_connection_is_not_followed(connect: Any) -> None:
    session = await connect()
    task = await run_task(session, "long_job")
    await session.reconnect()
    assert session.status is SessionStatus.CONNECTED
    assert not session.task_tracker.is_current(task)
    await eventually(lambda: not task.following, 5)
    assert task.problem == "The connection that created this task has ended."


# -- the official reference server ---------------------------------------------------


@pytest.fixture(scope="module")
def official_everything_spec() -> ConnectionSpec:
    prefix = npm_install(OFFICIAL_EVERYTHING)
    binary = prefix / "node_modules" / ".bin" / "mcp-server-everything"
    return ConnectionSpec(TransportKind.STDIO, command=str(binary), args=("stdio",))


async def test_the_official_servers_research_task_runs_to_its_report(
    connect: Any, official_everything_spec: ConnectionSpec
) -> None:
    answered: list[ServerRequest] = []

    async def clarify(request: ServerRequest) -> dict[str, Any]:
        answered.append(request)
        return {"action": "accept", "content": {"interpretation": "snake"}}

    session = await connect(
        spec=official_everything_spec,
        handlers={"elicitation/create": clarify},
        capabilities={"elicitation": {}},
    )
    research = await tool(session, "simulate-research-query")
    assert session.server is not None
    mode = task_mode(session.server.capabilities, session.server.protocol_version, research)
    assert mode is TaskMode.REQUIRED
    call, task = await session.task_tracker.call_tool(
        research, {"topic": "python", "ambiguous": True}, ttl=60_000, call_key="research"
    )
    assert task is not None, call.result
    await settled(task, timeout=30)
    assert task.status == "completed"
    (question,) = answered
    assert question.params["_meta"][RELATED_TASK] == {"taskId": task.task_id}
    assert task.result is not None
    assert task.result.result is not None
    report = task.result.result["content"][0]["text"]
    assert "# Research Report: python (snake)" in report


async def test_task_traffic_draws_no_false_alarm_from_the_message_checks(connect: Any) -> None:
    """A task-augmented call is answered with the task it created, its progress goes on
    until the task's result is fetched, and that result is the tool's: a conforming
    server's tasks, end to end, draw no warning and no error."""

    async def answer(request: ServerRequest) -> dict[str, Any]:
        return {"action": "accept", "content": {"name": "Ada"}}

    session = await connect(
        "--notify", handlers={"elicitation/create": answer}, capabilities={"elicitation": {}}
    )
    calls: list[tuple[str, dict[str, Any]]] = [
        ("brew", {"cups": 2}),
        ("render_report", {"title": "Q3"}),
        ("fail_job", {}),
        ("confirm_order", {"item": "a kayak"}),
    ]
    for name, arguments in calls:
        await settled(await run_task(session, name, arguments))
    await session.task_tracker.list_page(None, call_key="key-list")
    alarms = [
        (event.seq, event.method, finding.rule, finding.message)
        for event in await session.log.after(0, 100_000)
        for finding in event.findings
        if finding.severity is not Severity.INFO
    ]
    assert alarms == [], "\n".join(map(str, alarms))
