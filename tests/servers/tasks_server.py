"""A stdio server whose tools run as tasks (protocol 2025-11-25), written without an MCP
library: the `mcp` package (2.3.0) has no tasks at all, so the messages here are
written by hand, exactly as the specification's basic/utilities/tasks page has them.

Usage: python -m tests.servers.tasks_server [--poll-ms N] [--page-size N] [--notify]
                                           [--stage-ms N] [--bad-results]

Tools (`execution.taskSupport` in brackets):

- `brew` [optional]: three stages (`--stage-ms` each, 400 by default), then a result
  with text and structuredContent; as a task it sends progress against the progress
  token of the creating request;
- `render_report` [required]: refused (-32601) unless called as a task;
- `fail_job` [optional]: ends `failed` with an isError result;
- `long_job` [optional]: works for two minutes unless cancelled;
- `confirm_order` [required]: goes to `input_required` and queues an `elicitation/create`
  (tagged with the related task) that is delivered only while the client waits on
  `tasks/result`; completes with the answer;
- `echo` [forbidden, by omission]: a plain tool; asking for a task gets -32601.

`tasks/list` comes in pages of `--page-size` (2 by default); `--notify` sends
`notifications/tasks/status` on every change (off by default: clients must not rely on it).
`--bad-results` has `tasks/result` answer with `isError` as a string, which breaks the
schema: a task's result then carries a finding.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import sys
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

PROTOCOL_VERSION = "2025-11-25"
SUPPORTED_VERSIONS = ("2025-11-25", "2025-06-18")
RELATED_TASK = "io.modelcontextprotocol/related-task"
TERMINAL = frozenset({"completed", "failed", "cancelled"})
DEFAULT_TTL_MS = 60_000
MAX_TTL_MS = 600_000

METHOD_NOT_FOUND = -32601
INVALID_PARAMS = -32602

BREW_OUTPUT = {
    "type": "object",
    "properties": {"cups": {"type": "integer"}, "temperature": {"type": "integer"}},
    "required": ["cups", "temperature"],
}
TOOLS: list[dict[str, Any]] = [
    {
        "name": "brew",
        "title": "Brew coffee",
        "description": "Brews coffee in three stages; may run as a task.",
        "inputSchema": {
            "type": "object",
            "properties": {"cups": {"type": "integer", "minimum": 1, "default": 2}},
        },
        "outputSchema": BREW_OUTPUT,
        "execution": {"taskSupport": "optional"},
    },
    {
        "name": "render_report",
        "description": "Renders a report; must run as a task.",
        "inputSchema": {
            "type": "object",
            "properties": {"title": {"type": "string"}},
            "required": ["title"],
        },
        "execution": {"taskSupport": "required"},
    },
    {
        "name": "fail_job",
        "description": "A job that fails.",
        "inputSchema": {"type": "object"},
        "execution": {"taskSupport": "optional"},
    },
    {
        "name": "long_job",
        "description": "Works for two minutes; cancel it.",
        "inputSchema": {"type": "object"},
        "execution": {"taskSupport": "optional"},
    },
    {
        "name": "confirm_order",
        "description": "Asks the user to confirm an order, then places it.",
        "inputSchema": {
            "type": "object",
            "properties": {"item": {"type": "string", "default": "a bicycle"}},
        },
        "execution": {"taskSupport": "required"},
    },
    {
        "name": "echo",
        "description": "Echoes its message; never a task.",
        "inputSchema": {"type": "object", "properties": {"message": {"type": "string"}}},
    },
]


class RpcError(Exception):
    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def text_result(text: str, **extra: Any) -> dict[str, Any]:
    return {"content": [{"type": "text", "text": text}], **extra}


@dataclass
class Task:
    task_id: str
    ttl: int
    poll_interval: int
    status: str = "working"
    status_message: str = ""
    created_at: str = field(default_factory=now)
    last_updated_at: str = ""
    result: dict[str, Any] | None = None
    # Requests for the client that wait for a `tasks/result` to carry them.
    outbox: list[dict[str, Any]] = field(default_factory=list)
    changed: asyncio.Event = field(default_factory=asyncio.Event)
    runner: asyncio.Task[None] | None = None

    def __post_init__(self) -> None:
        self.last_updated_at = self.created_at

    @property
    def terminal(self) -> bool:
        return self.status in TERMINAL

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "taskId": self.task_id,
            "status": self.status,
            "createdAt": self.created_at,
            "lastUpdatedAt": self.last_updated_at,
            "ttl": self.ttl,
            "pollInterval": self.poll_interval,
        }
        if self.status_message:
            data["statusMessage"] = self.status_message
        return data


class Work:
    """What a tool's code may do while it runs: as a task, or inside the request."""

    def __init__(
        self, server: TasksServer, task: Task | None, progress_token: Any, arguments: dict[str, Any]
    ) -> None:
        self.server = server
        self.task = task
        self.progress_token = progress_token
        self.arguments = arguments

    def status(self, status: str, message: str) -> None:
        if self.task is not None:
            self.server.set_status(self.task, status, message)

    def progress(self, done: int, total: int, message: str) -> None:
        if self.progress_token is None:
            return
        params: dict[str, Any] = {
            "progressToken": self.progress_token,
            "progress": done,
            "total": total,
            "message": message,
        }
        if self.task is not None:
            params["_meta"] = {RELATED_TASK: {"taskId": self.task.task_id}}
        self.server.send({"jsonrpc": "2.0", "method": "notifications/progress", "params": params})

    async def elicit(self, params: dict[str, Any]) -> dict[str, Any]:
        return await self.server.ask_client("elicitation/create", params, self.task)


async def brew(work: Work) -> dict[str, Any]:
    cups = int(work.arguments.get("cups", 2))
    stages = ("Grinding beans", "Heating water", "Pouring")
    for index, stage in enumerate(stages, start=1):
        work.status("working", f"{stage}…")
        work.progress(index, len(stages), stage)
        await asyncio.sleep(work.server.stage_seconds)
    brewed = {"cups": cups, "temperature": 92}
    return text_result(f"Brewed {cups} cups at 92 °C.", structuredContent=brewed)


async def render_report(work: Work) -> dict[str, Any]:
    work.status("working", "Rendering…")
    await asyncio.sleep(work.server.stage_seconds)
    return text_result(f"Report {work.arguments.get('title', '')!s} rendered: 3 pages.")


async def fail_job(work: Work) -> dict[str, Any]:
    work.status("working", "Writing to disk…")
    await asyncio.sleep(work.server.stage_seconds)
    return text_result("The disk is full.", isError=True)


async def long_job(work: Work) -> dict[str, Any]:
    for second in range(120):
        work.status("working", f"Second {second} of 120")
        await asyncio.sleep(1)
    return text_result("The long job finished.")


async def confirm_order(work: Work) -> dict[str, Any]:
    item = str(work.arguments.get("item", "a bicycle"))
    if "elicitation" not in work.server.client_capabilities:
        raise RpcError(-32603, "The client cannot answer elicitation requests.")
    work.status("input_required", f"Waiting for the user to confirm the order of {item}")
    answer = await work.elicit(
        {
            "mode": "form",
            "message": f"Confirm the order of {item}?",
            "requestedSchema": {
                "type": "object",
                "properties": {"name": {"type": "string", "title": "Your name"}},
                "required": ["name"],
            },
        }
    )
    work.status("working", "Placing the order…")
    await asyncio.sleep(work.server.stage_seconds)
    if answer.get("action") != "accept":
        return text_result(f"The order was not confirmed ({answer.get('action')}).")
    name = str((answer.get("content") or {}).get("name", ""))
    return text_result(
        f"Order of {item} confirmed by {name}.", structuredContent={"item": item, "name": name}
    )


async def echo(work: Work) -> dict[str, Any]:
    return text_result(str(work.arguments.get("message", "")))


WORK: dict[str, Callable[[Work], Awaitable[dict[str, Any]]]] = {
    "brew": brew,
    "render_report": render_report,
    "fail_job": fail_job,
    "long_job": long_job,
    "confirm_order": confirm_order,
    "echo": echo,
}
TASK_SUPPORT = {
    tool["name"]: tool.get("execution", {}).get("taskSupport", "forbidden") for tool in TOOLS
}


class TasksServer:
    def __init__(
        self, *, poll_ms: int, page_size: int, notify: bool, stage_ms: int, bad_results: bool
    ) -> None:
        self.poll_ms = poll_ms
        self.bad_results = bad_results
        self.stage_seconds = stage_ms / 1000
        self.page_size = page_size
        self.notify = notify
        self.tasks: dict[str, Task] = {}
        self.client_capabilities: dict[str, Any] = {}
        self.handling: dict[Any, asyncio.Task[None]] = {}
        self.asked: dict[str, asyncio.Future[dict[str, Any]]] = {}
        self.next_request = 1

    # -- wire ----------------------------------------------------------------------

    def send(self, message: dict[str, Any]) -> None:
        sys.stdout.write(json.dumps(message) + "\n")
        sys.stdout.flush()

    async def serve(self) -> None:
        loop = asyncio.get_running_loop()
        reader = asyncio.StreamReader(limit=2**24)
        await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
        while line := await reader.readline():
            if line.strip():
                self.receive(json.loads(line))

    def receive(self, message: dict[str, Any]) -> None:
        method = message.get("method")
        if method is None:  # the client's answer to one of our requests
            future = self.asked.pop(str(message.get("id")), None)
            if future is not None and not future.done():
                if "error" in message:
                    error = message["error"]
                    future.set_exception(RpcError(error.get("code", 0), error.get("message", "")))
                else:
                    future.set_result(message.get("result") or {})
            return
        if "id" not in message:
            if method == "notifications/cancelled":
                running = self.handling.get((message.get("params") or {}).get("requestId"))
                if running is not None:
                    running.cancel()
            return
        request_id = message["id"]
        handling = asyncio.create_task(self.answer(request_id, method, message.get("params") or {}))
        self.handling[request_id] = handling
        handling.add_done_callback(lambda _: self.handling.pop(request_id, None))

    async def answer(self, request_id: Any, method: str, params: dict[str, Any]) -> None:
        handler = getattr(self, "on_" + method.replace("/", "_"), None)
        try:
            if handler is None:
                raise RpcError(METHOD_NOT_FOUND, f"Method not found: {method}")
            result = await handler(params)
        except asyncio.CancelledError:
            return  # cancelled by the client: no response
        except RpcError as exc:
            error = {"code": exc.code, "message": exc.message}
            self.send({"jsonrpc": "2.0", "id": request_id, "error": error})
        else:
            self.send({"jsonrpc": "2.0", "id": request_id, "result": result})

    async def ask_client(
        self, method: str, params: dict[str, Any], task: Task | None
    ) -> dict[str, Any]:
        request_id = f"server-{self.next_request}"
        self.next_request += 1
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self.asked[request_id] = future
        params = dict(params)
        if task is not None:
            params["_meta"] = {RELATED_TASK: {"taskId": task.task_id}}
        request = {"jsonrpc": "2.0", "id": request_id, "method": method, "params": params}
        if task is None:
            self.send(request)
        else:
            # Queued: the client receives it when it calls tasks/result, as the spec has it.
            task.outbox.append(request)
            task.changed.set()
        return await future

    # -- tasks ---------------------------------------------------------------------

    def set_status(self, task: Task, status: str, message: str) -> None:
        if task.terminal:
            return  # a terminal task never changes again
        task.status = status
        task.status_message = message
        task.last_updated_at = now()
        task.changed.set()
        if self.notify:
            self.send(
                {"jsonrpc": "2.0", "method": "notifications/tasks/status", "params": task.to_dict()}
            )

    async def run_task(
        self, task: Task, work: Work, code: Callable[[Work], Awaitable[Any]]
    ) -> None:
        try:
            result = await code(work)
        except RpcError as exc:
            task.result = {"error": {"code": exc.code, "message": exc.message}}
            self.set_status(task, "failed", exc.message)
        else:
            task.result = {"result": result}
            failed = result.get("isError") is True
            self.set_status(
                task, "failed" if failed else "completed", "Done." if not failed else ""
            )

    def find(self, params: dict[str, Any]) -> Task:
        task = self.tasks.get(str(params.get("taskId")))
        if task is None:
            raise RpcError(INVALID_PARAMS, "Failed to retrieve task: Task not found")
        return task

    # -- methods -------------------------------------------------------------------

    async def on_initialize(self, params: dict[str, Any]) -> dict[str, Any]:
        self.client_capabilities = params.get("capabilities") or {}
        offered = params.get("protocolVersion")
        version = offered if offered in SUPPORTED_VERSIONS else PROTOCOL_VERSION
        capabilities: dict[str, Any] = {"tools": {}}
        if version == PROTOCOL_VERSION:
            capabilities["tasks"] = {"list": {}, "cancel": {}, "requests": {"tools": {"call": {}}}}
        return {
            "protocolVersion": version,
            "capabilities": capabilities,
            "serverInfo": {"name": "fixture-tasks", "title": "Fixture Tasks", "version": "0.1.0"},
        }

    async def on_ping(self, params: dict[str, Any]) -> dict[str, Any]:
        return {}

    async def on_tools_list(self, params: dict[str, Any]) -> dict[str, Any]:
        return {"tools": TOOLS}

    async def on_tools_call(self, params: dict[str, Any]) -> dict[str, Any]:
        name = str(params.get("name"))
        code = WORK.get(name)
        if code is None:
            raise RpcError(INVALID_PARAMS, f"Unknown tool: {name}")
        support = TASK_SUPPORT[name]
        as_task = isinstance(params.get("task"), dict)
        if as_task and support == "forbidden":
            raise RpcError(METHOD_NOT_FOUND, f"Tool {name} does not support tasks")
        if not as_task and support == "required":
            raise RpcError(METHOD_NOT_FOUND, f"Tool {name} must be called as a task")
        token = (params.get("_meta") or {}).get("progressToken")
        arguments = params.get("arguments") or {}
        if not as_task:
            try:
                return await code(Work(self, None, token, arguments))
            except RpcError as exc:
                return text_result(exc.message, isError=True)
        requested = params["task"].get("ttl")
        ttl = min(requested, MAX_TTL_MS) if isinstance(requested, int) else DEFAULT_TTL_MS
        task = Task(str(uuid.uuid4()), ttl, self.poll_ms, status_message="Accepted.")
        self.tasks[task.task_id] = task
        task.runner = asyncio.create_task(
            self.run_task(task, Work(self, task, token, arguments), code)
        )
        return {"task": task.to_dict()}

    async def on_tasks_get(self, params: dict[str, Any]) -> dict[str, Any]:
        return self.find(params).to_dict()

    async def on_tasks_result(self, params: dict[str, Any]) -> dict[str, Any]:
        task = self.find(params)
        while True:
            # Deliver what the task queued for the client, then wait for news.
            while task.outbox:
                self.send(task.outbox.pop(0))
            if task.terminal:
                break
            task.changed.clear()
            await task.changed.wait()
        assert task.result is not None
        if "error" in task.result:
            error = task.result["error"]
            raise RpcError(error["code"], error["message"])
        result = dict(task.result["result"])
        if self.bad_results:
            result["isError"] = "no"
        result["_meta"] = {**result.get("_meta", {}), RELATED_TASK: {"taskId": task.task_id}}
        return result

    async def on_tasks_list(self, params: dict[str, Any]) -> dict[str, Any]:
        cursor = params.get("cursor")
        ids = list(self.tasks)
        try:
            start = ids.index(cursor) if cursor else 0
        except ValueError:
            raise RpcError(INVALID_PARAMS, "Invalid cursor") from None
        page = ids[start : start + self.page_size]
        result: dict[str, Any] = {"tasks": [self.tasks[task_id].to_dict() for task_id in page]}
        if start + self.page_size < len(ids):
            result["nextCursor"] = ids[start + self.page_size]
        return result

    async def on_tasks_cancel(self, params: dict[str, Any]) -> dict[str, Any]:
        task = self.find(params)
        if task.terminal:
            raise RpcError(INVALID_PARAMS, f"Cannot cancel task: it is already {task.status}")
        if task.runner is not None:
            task.runner.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task.runner
        task.result = {"result": text_result("The task was cancelled.", isError=True)}
        self.set_status(task, "cancelled", "The task was cancelled by request.")
        return task.to_dict()


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--poll-ms", type=int, default=300)
    parser.add_argument("--page-size", type=int, default=2)
    parser.add_argument("--notify", action="store_true")
    parser.add_argument("--stage-ms", type=int, default=400)
    parser.add_argument("--bad-results", action="store_true")
    options = parser.parse_args()
    server = TasksServer(
        poll_ms=options.poll_ms,
        page_size=options.page_size,
        notify=options.notify,
        stage_ms=options.stage_ms,
        bad_results=options.bad_results,
    )
    await server.serve()


if __name__ == "__main__":
    asyncio.run(main())
