"""Tasks (protocol 2025-11-25, experimental): tool calls that run as tasks, followed to
their end.

A task-augmented `tools/call` (params carry `task: {ttl?}`) answers at once with a
`CreateTaskResult`. The tracker then polls `tasks/get` at the server's `pollInterval`
(within a floor and a ceiling) until the task is terminal, and fetches its result with
`tasks/result`, which returns exactly what the tool call would have returned. On
`input_required` it calls `tasks/result` early, since that blocking request is how the
server gets to send what it queued for the task (elicitation, sampling; tagged with the
related task), which the session's handlers answer; polling goes on meanwhile.
`notifications/tasks/status` may bring news sooner, but nothing depends on it.

A task is cancelled with `tasks/cancel`, never with `notifications/cancelled`: a page that
cancels a task-creating call while it is still in flight gets the task cancelled as soon
as it exists.

The tracker belongs to one session, which it reaches only through `Caller`. Its pollers
are asyncio tasks it owns, and `close()` cancels and awaits them. A task belongs to the
connection that created it: after a reconnect it is history, no longer polled.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
import weakref
from collections.abc import Coroutine
from typing import Any

from inspector.mcp.eras.tasks import MAX_POLL_FAILURES, task_error
from inspector.mcp.errors import JsonRpcError, McpError, RequestCancelled, TransportClosed
from inspector.mcp.jsonrpc import INVALID_PARAMS
from inspector.sessions.calls import Caller, CallOutcome
from inspector.sessions.detached import spawn_detached
from inspector.sessions.tracked_task import (
    TASK_STATUSES,
    TaskPage,
    TrackedTask,
)


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _milliseconds(value: Any) -> int | None:
    if isinstance(value, int | float) and not isinstance(value, bool) and value >= 0:
        return int(value)
    return None


class TaskTracker:
    def __init__(self, caller: Caller) -> None:
        self._caller = caller
        self._tasks: dict[str, TrackedTask] = {}
        self._wake: dict[str, asyncio.Event] = {}
        self._owned: set[asyncio.Task[None]] = set()
        # Keys of task-creating calls in flight, and those a page asked to cancel.
        self._creating: set[str] = set()
        self._cancel_when_created: set[str] = set()
        self._closed = False

    # -- reading -------------------------------------------------------------------

    def all(self) -> list[TrackedTask]:
        """Every known task, newest first."""
        ordered = list(reversed(self._tasks.values()))
        dated = [task for task in ordered if task.created is not None]
        undated = [task for task in ordered if task.created is None]
        dated.sort(key=lambda task: task.created.timestamp() if task.created else 0, reverse=True)
        return dated + undated

    def get(self, task_id: str) -> TrackedTask | None:
        return self._tasks.get(task_id)

    def is_current(self, task: TrackedTask) -> bool:
        """Whether the task belongs to the session's present connection."""
        client = self._caller.client
        return client is not None and task.connection is not None and task.connection() is client

    # -- starting ------------------------------------------------------------------

    async def call_tool(
        self, tool: dict[str, Any], arguments: Any, *, ttl: int | None, call_key: str
    ) -> tuple[CallOutcome, TrackedTask | None]:
        """Call a tool as a task. The task is None when the call failed, or when the
        server answered with a plain result (a server that ignores `task` may)."""
        name = str(tool.get("name", ""))
        params = {"name": name, "arguments": arguments, "task": {"ttl": ttl} if ttl else {}}
        self._creating.add(call_key)
        try:
            call = await self._caller.call("tools/call", params, call_key=call_key)
        finally:
            self._creating.discard(call_key)
        cancel = call_key in self._cancel_when_created
        self._cancel_when_created.discard(call_key)
        created = call.result.get("task") if call.result is not None else None
        if not isinstance(created, dict) or not isinstance(created.get("taskId"), str):
            return call, None
        task = self._remember(created)
        task.tool_name, task.tool, task.arguments = name, tool, arguments
        task.progress_token, task.create_call = call_key, call
        self._follow(task)
        if cancel:
            await self.cancel(task.task_id, call_key=uuid.uuid4().hex)
        return call, task

    def cancel_creation(self, call_key: str) -> bool:
        """A page cancels a task-creating call: the task is cancelled once it exists."""
        if call_key not in self._creating:
            return False
        self._cancel_when_created.add(call_key)
        return True

    # -- what the server says ------------------------------------------------------

    def _remember(self, data: dict[str, Any]) -> TrackedTask:
        task_id = str(data["taskId"])
        task = self._tasks.get(task_id)
        if task is None:
            task = TrackedTask(task_id)
            client = self._caller.client
            task.connection = weakref.ref(client) if client is not None else None
            self._tasks[task_id] = task
        self._apply(task, data)
        return task

    def _apply(self, task: TrackedTask, data: dict[str, Any]) -> None:
        status = _text(data.get("status"))
        if task.terminal and status != task.status:
            task.violation = (
                f"The server moved the task from {task.status} to {status or 'nothing'}: "
                "a terminal task must not change."
            )
            return
        task.latest = data
        task.status = status or task.status
        task.status_message = _text(data.get("statusMessage"))
        task.created_at = _text(data.get("createdAt")) or task.created_at
        task.last_updated_at = _text(data.get("lastUpdatedAt")) or task.last_updated_at
        # 2025-11-25 names them ttl and pollInterval; the modern extension adds the unit.
        task.ttl = _milliseconds(data.get("ttl", data.get("ttlMs")))
        task.poll_interval = _milliseconds(data.get("pollInterval", data.get("pollIntervalMs")))
        if status not in TASK_STATUSES:
            task.violation = f"{status!r} is not a task status."

    def observe(self, data: dict[str, Any]) -> None:
        """A state of a task the client follows itself (the modern era's tasks extension,
        where a tool call's result may be a task): shown like any other task, and not
        polled a second time."""
        if isinstance(data.get("taskId"), str) and not self._closed:
            task = self._remember(data)
            task.following = not task.terminal
            task.outcome_in_state = True
            if task.terminal and task.result is None:
                task.result = _outcome_in(data)

    def note_status(self, params: dict[str, Any]) -> TrackedTask | None:
        """A `notifications/tasks/status` the page saw: news, not the truth's only
        source. A task in a state that needs action gets polled at once."""
        task = self._tasks.get(str(params.get("taskId")))
        if task is None:
            return None
        self._apply(task, params)
        if task.terminal or task.input_required:
            self._wake_poller(task)
        return task

    # -- following -----------------------------------------------------------------

    def _follow(self, task: TrackedTask) -> None:
        if self._closed or task.gone or not self.is_current(task):
            return
        if task.terminal:
            self._fetch_result(task)
        elif not task.following:
            task.following = True
            self._wake[task.task_id] = asyncio.Event()
            self._spawn(self._poll(task), f"task-poll-{task.task_id}")

    def _wake_poller(self, task: TrackedTask) -> None:
        wake = self._wake.get(task.task_id)
        if wake is not None:
            wake.set()

    async def _poll(self, task: TrackedTask) -> None:
        wake = self._wake[task.task_id]
        failures = 0
        try:
            while not task.terminal:
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(task.poll_seconds):
                        await wake.wait()
                wake.clear()
                if task.terminal:
                    break
                if not self.is_current(task):
                    task.problem = "The connection that created this task has ended."
                    return
                try:
                    data = await self._caller.request("tasks/get", {"taskId": task.task_id})
                except (TransportClosed, RequestCancelled) as exc:
                    task.problem = f"Stopped following the task: {exc}"
                    return
                except JsonRpcError as exc:
                    task.problem = f"tasks/get failed: JSON-RPC error {exc.code}: {exc.message}"
                    if exc.code == INVALID_PARAMS:
                        task.gone = True
                        return
                    failures += 1
                except McpError as exc:
                    task.problem = f"tasks/get failed: {exc}"
                    failures += 1
                else:
                    failures = 0
                    task.problem = ""
                    task.polls += 1
                    if isinstance(data.get("taskId"), str) or "status" in data:
                        self._apply(task, data)
                    if task.input_required:
                        self._fetch_result(task)
                if failures >= MAX_POLL_FAILURES:
                    task.problem += f" Stopped polling after {failures} failures in a row."
                    return
            self._fetch_result(task)
        finally:
            task.following = False
            self._wake.pop(task.task_id, None)

    def _fetch_result(self, task: TrackedTask) -> None:
        if task.fetching or task.result is not None or task.outcome_in_state or self._closed:
            return
        task.fetching = True
        self._spawn(self._get_result(task), f"task-result-{task.task_id}")

    async def _get_result(self, task: TrackedTask) -> CallOutcome:
        """`tasks/result`: blocks on the server until the task is terminal."""
        task.fetching = True
        try:
            call = await self._caller.call(
                "tasks/result", {"taskId": task.task_id}, call_key=uuid.uuid4().hex
            )
        finally:
            task.fetching = False
        if call.error is None or isinstance(call.error, JsonRpcError):
            task.result = call
            if not task.terminal:
                self._wake_poller(task)  # the result is in: the status will say terminal
        else:
            task.problem = f"tasks/result failed: {call.error}"
        return call

    # -- commands from a page ------------------------------------------------------

    async def refresh(self, task_id: str, *, call_key: str) -> CallOutcome | None:
        """One `tasks/get` now."""
        task = self._tasks.get(task_id)
        if task is None:
            return None
        call = await self._caller.call("tasks/get", {"taskId": task_id}, call_key=call_key)
        if call.result is not None:
            self._apply(task, call.result)
            self._follow(task)
        elif isinstance(call.error, JsonRpcError) and call.error.code == INVALID_PARAMS:
            task.gone = True
        return call

    async def cancel(self, task_id: str, *, call_key: str) -> CallOutcome | None:
        """`tasks/cancel`; a task that already ended is refused with -32602."""
        task = self._tasks.get(task_id)
        if task is None:
            return None
        call = await self._caller.call("tasks/cancel", {"taskId": task_id}, call_key=call_key)
        task.cancel_call = call
        if call.result is not None:
            self._apply(task, call.result)
            self._wake_poller(task)
            self._follow(task)
        return call

    async def fetch_result(self, task_id: str) -> CallOutcome | None:
        """`tasks/result` on request (tasks found in a listing are not fetched unasked)."""
        task = self._tasks.get(task_id)
        if task is None:
            return None
        if task.result is not None or task.fetching:
            return task.result
        return await self._get_result(task)

    async def list_page(
        self, cursor: str | None, *, call_key: str
    ) -> tuple[CallOutcome, TaskPage | None]:
        """One page of `tasks/list`; its tasks join the known ones, and those still
        running are followed."""
        call = await self._caller.call(
            "tasks/list", {"cursor": cursor} if cursor else None, call_key=call_key
        )
        if call.result is None:
            return call, None
        listed = call.result.get("tasks")
        tasks = []
        for item in listed if isinstance(listed, list) else []:
            if isinstance(item, dict) and isinstance(item.get("taskId"), str):
                task = self._remember(item)
                if not task.terminal:
                    self._follow(task)
                tasks.append(task)
        cursor = call.result.get("nextCursor")
        return call, TaskPage(tasks, cursor if isinstance(cursor, str) and cursor else None)

    # -- ownership -----------------------------------------------------------------

    def _spawn(self, coroutine: Coroutine[Any, Any, Any], name: str) -> None:
        task = spawn_detached(coroutine, name)
        self._owned.add(task)
        task.add_done_callback(self._owned.discard)

    async def close(self) -> None:
        self._closed = True
        owned = list(self._owned)
        for task in owned:
            task.cancel()
        await asyncio.gather(*owned, return_exceptions=True)


def _outcome_in(state: dict[str, Any]) -> CallOutcome | None:
    """The outcome a terminal state of the modern extension carries, as the call that
    `tasks/result` would have been: the tool's result, or its error."""
    status = state.get("status")
    if status == "completed":
        result = state.get("result")
        return CallOutcome("tools/call", result=result if isinstance(result, dict) else {})
    if status == "failed":
        return CallOutcome(
            "tools/call", error=task_error(str(state.get("taskId")), state.get("error"))
        )
    return None
