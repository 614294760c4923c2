"""Tasks (2025-11-25): tool calls that run as tasks, followed by the session's tracker
until they end. Callers see each task as a `TaskState`, a copy as of the call."""

from __future__ import annotations

import copy
from dataclasses import dataclass, replace
from typing import Any

from inspector.mcp.errors import RequestRefused
from inspector.mcp.findings import Finding
from inspector.mcp.trace import Direction
from inspector.services.events import stored_event
from inspector.services.snapshots import from_live, resident_session
from inspector.sessions.apps import refuse_page_call
from inspector.sessions.calls import CallOutcome
from inspector.sessions.catalog import Listing
from inspector.sessions.task_tracker import TaskTracker
from inspector.sessions.tracked_task import TaskMode, TrackedTask, task_mode


class TaskNotFound(Exception):
    pass


@dataclass(frozen=True, slots=True)
class TaskState:
    """A task as the session knows it now."""

    task_id: str
    status: str
    status_message: str
    created_at: str
    last_updated_at: str
    ttl: int | None
    poll_interval: int | None  # milliseconds, as the server suggested
    poll_seconds: float  # how often it is polled
    latest: dict[str, Any]  # the task object as last sent
    tool_name: str
    tool: dict[str, Any] | None
    arguments: Any
    result: CallOutcome | None
    fetching: bool
    cancel_call: CallOutcome | None
    following: bool  # a poller is running
    outcome_in_state: bool
    problem: str
    violation: str
    gone: bool
    terminal: bool
    input_required: bool
    dom_key: str
    # The newest state the session holds for this task id (not superseded).
    current: bool
    # What the message checks found on the answer that carried the task's result.
    result_findings: tuple[Finding, ...] = ()

    @classmethod
    def of(cls, task: TrackedTask, tracker: TaskTracker) -> TaskState:
        return cls(
            task_id=task.task_id,
            status=task.status,
            status_message=task.status_message,
            created_at=task.created_at,
            last_updated_at=task.last_updated_at,
            ttl=task.ttl,
            poll_interval=task.poll_interval,
            poll_seconds=task.poll_seconds,
            latest=copy.deepcopy(task.latest),
            tool_name=task.tool_name,
            tool=copy.deepcopy(task.tool),
            arguments=copy.deepcopy(task.arguments),
            result=copy.copy(task.result),
            fetching=task.fetching,
            cancel_call=copy.copy(task.cancel_call),
            following=task.following,
            outcome_in_state=task.outcome_in_state,
            problem=task.problem,
            violation=task.violation,
            gone=task.gone,
            terminal=task.terminal,
            input_required=task.input_required,
            dom_key=task.dom_key,
            current=tracker.is_current(task),
        )


async def _state(session_id: str, task: TrackedTask, tracker: TaskTracker) -> TaskState:
    state = TaskState.of(task, tracker)
    seq = task.result.response_seq if task.result is not None else None
    event = await stored_event(session_id, seq) if seq is not None else None
    if event is None or not event.findings:
        return state
    return replace(state, result_findings=tuple(event.findings))


def _tracker(session_id: str) -> TaskTracker:
    return resident_session(session_id).task_tracker


def _tracked(tracker: TaskTracker, task_id: str) -> TrackedTask:
    task = tracker.get(task_id)
    if task is None:
        raise TaskNotFound(task_id)
    return task


def _found(call: CallOutcome | None, task_id: str) -> CallOutcome:
    if call is None:
        raise TaskNotFound(task_id)
    return call


async def tool_task_mode(*, session_id: str, name: str) -> TaskMode:
    """Whether the tool may, must or must not be called as a task on this connection."""
    session = resident_session(session_id)
    tool = session.catalog.find(Listing.TOOLS, name) or {"name": name}
    snapshot = from_live(session)
    return task_mode(snapshot.capabilities, snapshot.protocol_version, tool)


async def tool_call_as_task(
    *, session_id: str, name: str, arguments: Any, ttl: int | None, call_key: str
) -> tuple[CallOutcome, TaskState | None]:
    """Call a tool as a task; no task comes back when the call failed or the server
    answered with a plain result."""
    session = resident_session(session_id)
    refusal = refuse_page_call(session, name)
    if refusal:
        return CallOutcome("tools/call", error=RequestRefused(f"Not sent: {refusal}")), None
    tool = session.catalog.find(Listing.TOOLS, name) or {"name": name}
    tracker = session.task_tracker
    call, task = await tracker.call_tool(tool, arguments, ttl=ttl, call_key=call_key)
    return call, await _state(session_id, task, tracker) if task is not None else None


async def task_list(*, session_id: str) -> list[TaskState]:
    """The tasks this session knows, newest first."""
    tracker = _tracker(session_id)
    return [await _state(session_id, task, tracker) for task in tracker.all()]


async def task_get(*, session_id: str, task_id: str) -> TaskState:
    tracker = _tracker(session_id)
    return await _state(session_id, _tracked(tracker, task_id), tracker)


async def task_list_page(
    *, session_id: str, cursor: str | None, call_key: str
) -> tuple[CallOutcome, str | None]:
    """One page of `tasks/list`, whose tasks join the known ones; the call and the
    cursor of the next page."""
    call, page = await _tracker(session_id).list_page(cursor, call_key=call_key)
    return call, page.next_cursor if page is not None else None


async def task_refresh(*, session_id: str, task_id: str, call_key: str) -> TaskState:
    """One `tasks/get` now."""
    tracker = _tracker(session_id)
    _found(await tracker.refresh(task_id, call_key=call_key), task_id)
    return await _state(session_id, _tracked(tracker, task_id), tracker)


async def task_cancel(*, session_id: str, task_id: str, call_key: str) -> TaskState:
    """`tasks/cancel`; the server refuses (-32602) a task that has already ended."""
    tracker = _tracker(session_id)
    _found(await tracker.cancel(task_id, call_key=call_key), task_id)
    return await _state(session_id, _tracked(tracker, task_id), tracker)


async def task_result(*, session_id: str, task_id: str) -> TaskState:
    """The task with its result, fetched now when it has none yet."""
    tracker = _tracker(session_id)
    _tracked(tracker, task_id)
    await tracker.fetch_result(task_id)
    return await _state(session_id, _tracked(tracker, task_id), tracker)


async def task_status_noted(*, session_id: str, task_id: str, seq: int) -> None:
    """Apply the `notifications/tasks/status` recorded at `seq`, if it is one about this
    task: a page that saw it asks for the task's row again."""
    event = await stored_event(session_id, seq)
    if event is None:
        return
    params = event.params
    if (
        event.method == "notifications/tasks/status"
        and event.direction is Direction.IN
        and isinstance(params, dict)
        and params.get("taskId") == task_id
    ):
        _tracker(session_id).note_status(params)
