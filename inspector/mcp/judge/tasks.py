"""Task-augmented requests (2025-11-25): a request whose params carry `task` is answered at
once with the task it created (`CreateTaskResult`), not with its method's result; progress
against its token goes on until the task's result is fetched; and `tasks/result` answers
with what the original request would have, so it is judged as that request's result.
"""

from __future__ import annotations

from typing import Any

from inspector.mcp.findings import Finding
from inspector.mcp.judge.shapes import model_findings


def created_task_id(request_params: dict[str, Any], result: dict[str, Any]) -> str | None:
    """The id of the task a task-augmented request created, if `result` is its answer."""
    task = result.get("task")
    if "task" not in request_params or not isinstance(task, dict):
        return None
    task_id = task.get("taskId")
    return task_id if isinstance(task_id, str) else None


def created_findings(result: dict[str, Any], version: str) -> list[Finding]:
    # Imported here: `mcp_types` itself costs a connection's start-up more than the one
    # era's wire types it speaks (see shapes).
    from mcp_types import CreateTaskResult

    return model_findings(CreateTaskResult, version, result, "$.result")
