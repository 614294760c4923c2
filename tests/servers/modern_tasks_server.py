"""A modern-era stdio server that offers the tasks extension (`io.modelcontextprotocol/
tasks`, SEP-2663), written without any MCP library: `mcp` 2.3.0 has its types but no
server side.

Its one tool, `long_job`, answers a client that declares the extension with a task. The
first `tasks/get` finds the task working; the next asks for a confirmation (an
elicitation in `inputRequests`); once `tasks/update` brings the answer, the task
completes with the tool's result, which names the answer. `tasks/cancel` cancels it.
A client that does not declare the extension gets the result at once.
"""

from __future__ import annotations

import json
import sys
from typing import Any

VERSION = "2026-07-28"
EXTENSION = "io.modelcontextprotocol/tasks"
META = "_meta"
CAPABILITIES_KEY = "io.modelcontextprotocol/clientCapabilities"
TOOL = {
    "name": "long_job",
    "description": "A job that runs as a task and asks for a confirmation midway.",
    "inputSchema": {"type": "object", "properties": {"label": {"type": "string"}}},
}
CONFIRM = {
    "method": "elicitation/create",
    "params": {
        "mode": "form",
        "message": "Go on with the job?",
        "requestedSchema": {"type": "object", "properties": {"go": {"type": "boolean"}}},
    },
}


def send(message: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


def task_state(task: dict[str, Any]) -> dict[str, Any]:
    state = {
        "taskId": task["taskId"],
        "status": task["status"],
        "createdAt": "2026-08-01T10:00:00Z",
        "lastUpdatedAt": "2026-08-01T10:00:00Z",
        "ttlMs": 60_000,
        "pollIntervalMs": 100,
    }
    if task["status"] == "input_required":
        state["inputRequests"] = {"confirm": CONFIRM}
    if task["status"] == "completed":
        state["result"] = {
            "resultType": "complete",
            "content": [{"type": "text", "text": f"{task['label']} done, go={task['go']}"}],
        }
    return state


def answer(request: dict[str, Any], tasks: dict[str, dict[str, Any]]) -> dict[str, Any]:
    method = request.get("method")
    params = request.get("params") or {}
    if method == "server/discover":
        return {
            "resultType": "complete",
            "supportedVersions": [VERSION],
            "capabilities": {"tools": {}, "extensions": {EXTENSION: {}}},
            "ttlMs": 0,
            "cacheScope": "private",
            META: {"io.modelcontextprotocol/serverInfo": {"name": "tasks-fixture", "version": "1"}},
        }
    if method == "tools/list":
        return {"resultType": "complete", "tools": [TOOL], "ttlMs": 0, "cacheScope": "private"}
    if method == "tools/call":
        declared = params.get(META, {}).get(CAPABILITIES_KEY, {}).get("extensions", {})
        label = (params.get("arguments") or {}).get("label", "job")
        if EXTENSION not in declared:
            return {"resultType": "complete", "content": [{"type": "text", "text": "at once"}]}
        created: dict[str, Any] = {"taskId": f"task-{len(tasks) + 1}", "status": "working"}
        created.update(label=label, polls=0, go=None)
        tasks[created["taskId"]] = created
        return {"resultType": "task", **task_state(created)}
    if str(params.get("taskId")) not in tasks:
        raise LookupError(f"No task {params.get('taskId')!r}.")
    task = tasks[str(params.get("taskId"))]
    if method == "tasks/get":
        task["polls"] += 1
        if task["status"] == "working" and task["polls"] >= 2 and task["go"] is None:
            task["status"] = "input_required"
        return {"resultType": "complete", **task_state(task)}
    if method == "tasks/update":
        responses = params.get("inputResponses") or {}
        confirm = responses.get("confirm") or {}
        task["go"] = (confirm.get("content") or {}).get("go")
        task["status"] = "completed"
        return {"resultType": "complete"}
    if method == "tasks/cancel":
        task["status"] = "cancelled"
        return {"resultType": "complete"}
    raise NotImplementedError(f"Method not found: {method}")


def main() -> None:
    tasks: dict[str, dict[str, Any]] = {}
    for line in sys.stdin:
        request = json.loads(line)
        if "id" not in request:
            continue
        reply: dict[str, Any] = {"jsonrpc": "2.0", "id": request["id"]}
        try:
            reply["result"] = answer(request, tasks)
        except LookupError as exc:
            reply["error"] = {"code": -32602, "message": str(exc)}
        except NotImplementedError as exc:
            reply["error"] = {"code": -32601, "message": str(exc)}
        send(reply)


if __name__ == "__main__":
    main()
