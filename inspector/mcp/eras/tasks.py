"""The tasks extension of the modern era (`io.modelcontextprotocol/tasks`, SEP-2663).

A server that offers the extension may answer a request of a client that declares it
with a task handle (`resultType: "task"`) instead of the result. The client then polls
`tasks/get` (at the server's `pollIntervalMs`, within bounds) until the task is terminal:
`completed` carries the result the request would have had, `failed` its JSON-RPC error.
A task that needs input lists `inputRequests`, answered like those of a multi round-trip
result and sent back with `tasks/update`. The caller sees only the final result; every
poll is recorded, and the task's states go to the client's `task_observer` for display.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from typing import Any

from inspector.mcp.eras.base import ClientPort
from inspector.mcp.errors import JsonRpcError, McpError, RequestCancelled, RequestError

TASKS_EXTENSION = "io.modelcontextprotocol/tasks"
TASK_RESULT = "task"
# A task in one of these states has ended and is polled no more (in the tasks extension
# and in the core tasks of 2025-11-25 alike).
TERMINAL_STATUSES = frozenset({"completed", "failed", "cancelled"})
# The `_meta` key that ties a message to the task it belongs to (2025-11-25).
RELATED_TASK = "io.modelcontextprotocol/related-task"
DEFAULT_POLL_MS = 1000
MIN_POLL_MS = 100
MAX_POLL_MS = 30_000
# Polls that fail in a row before the task is given up.
MAX_POLL_FAILURES = 5
# Input requests answered in one round: each may put a question before a person, so a
# server asking for more fails the request instead.
MAX_INPUT_REQUESTS = 32
# mrtr.mdx: an input request's method MUST be one of these.
INPUT_METHODS = frozenset({"elicitation/create", "sampling/createMessage", "roots/list"})

Answer = Callable[[str, Any], Awaitable[dict[str, Any]]]


def offers_tasks(capabilities: dict[str, Any]) -> bool:
    extensions = capabilities.get("extensions")
    return isinstance(extensions, dict) and isinstance(extensions.get(TASKS_EXTENSION), dict)


def with_tasks_extension(capabilities: dict[str, Any]) -> dict[str, Any]:
    extensions = capabilities.get("extensions")
    extensions = dict(extensions) if isinstance(extensions, dict) else {}
    extensions.setdefault(TASKS_EXTENSION, {})
    return {**capabilities, "extensions": extensions}


async def follow_task(
    client: ClientPort, method: str, created: dict[str, Any], answer: Answer
) -> dict[str, Any]:
    """Poll a task to its end and return what `method` would have returned."""
    task_id = created.get("taskId")
    if not isinstance(task_id, str) or not task_id:
        raise RequestError(f"{method} returned a task without a taskId: {created!r}")
    state = created
    answered: set[str] = set()
    failures = 0
    try:
        while True:
            _observe(client, state)
            status = state.get("status")
            if status in TERMINAL_STATUSES:
                return _final_result(task_id, state)
            if status == "input_required":
                await _update(client, task_id, state.get("inputRequests"), answered, answer)
            await asyncio.sleep(_poll_seconds(state))
            try:
                state = await client.request("tasks/get", {"taskId": task_id})
                failures = 0
            except JsonRpcError:
                raise
            except RequestCancelled:
                raise
            except McpError:
                failures += 1
                if failures >= MAX_POLL_FAILURES:
                    raise
    except (asyncio.CancelledError, RequestCancelled):
        # The caller gave up on the request: the task should stop too.
        with contextlib.suppress(McpError):
            await asyncio.shield(client.request("tasks/cancel", {"taskId": task_id}))
        raise


def _final_result(task_id: str, state: dict[str, Any]) -> dict[str, Any]:
    """What a task that has ended returns: its result, or its failure raised."""
    status = state.get("status")
    if status == "failed":
        raise task_error(task_id, state.get("error"))
    if status == "cancelled":
        raise RequestCancelled(f"The server cancelled task {task_id}.")
    result = state.get("result")
    return result if isinstance(result, dict) else {}


async def _update(
    client: ClientPort, task_id: str, requests: Any, answered: set[str], answer: Answer
) -> None:
    if not isinstance(requests, dict):
        return
    fresh = [key for key in requests if key not in answered]
    if not fresh:
        return
    answers = await answer_all(requests, fresh, answer)
    answered.update(fresh)
    await client.request("tasks/update", {"taskId": task_id, "inputResponses": answers})


async def answer_all(requests: dict[str, Any], keys: list[str], answer: Answer) -> dict[str, Any]:
    """Answer the input requests at `keys` concurrently. The first failure cancels the
    others, so their handlers withdraw the questions they put before a person."""
    if len(keys) > MAX_INPUT_REQUESTS:
        raise RequestError(
            f"The server sent {len(keys)} input requests at once; at most "
            f"{MAX_INPUT_REQUESTS} are answered, so none was."
        )
    if not keys:
        return {}
    tasks = {key: asyncio.ensure_future(answer(key, requests[key])) for key in keys}
    try:
        await asyncio.wait(tasks.values(), return_when=asyncio.FIRST_EXCEPTION)
    finally:
        unfinished = [task for task in tasks.values() if not task.done()]
        for task in unfinished:
            task.cancel()
        await asyncio.gather(*unfinished, return_exceptions=True)
    for task in tasks.values():
        failure = None if task.cancelled() else task.exception()
        if failure is not None:
            raise failure
    return {key: task.result() for key, task in tasks.items()}


def _observe(client: ClientPort, state: dict[str, Any]) -> None:
    observer = client.task_observer
    if observer is not None:
        observer(state)


def _poll_seconds(state: dict[str, Any]) -> float:
    return poll_interval_seconds(state.get("pollIntervalMs"))


def poll_interval_seconds(interval_ms: Any) -> float:
    """How long to wait between polls of a task, in seconds: the server's suggestion (in
    either era's field), within a floor that spares it and a ceiling that keeps the page
    current; the default when it suggests nothing usable."""
    if not isinstance(interval_ms, int | float) or isinstance(interval_ms, bool):
        interval_ms = DEFAULT_POLL_MS
    return min(max(float(interval_ms), MIN_POLL_MS), MAX_POLL_MS) / 1000


def task_error(task_id: str, error: Any) -> JsonRpcError:
    body = error if isinstance(error, dict) else {}
    code = body.get("code")
    return JsonRpcError(
        code if isinstance(code, int) and not isinstance(code, bool) else 0,
        f"Task {task_id} failed: {body.get('message', 'no error given')}",
        body.get("data"),
    )
