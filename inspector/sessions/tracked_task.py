"""What a session knows of tasks (protocol 2025-11-25, experimental): whether a tool may
or must run as one, and each task as the server last described it.
"""

from __future__ import annotations

import hashlib
import weakref
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from inspector.mcp.client.client import McpClient
from inspector.mcp.eras.tasks import TERMINAL_STATUSES, poll_interval_seconds
from inspector.sessions.calls import CallOutcome

TASK_STATUSES = ("working", "input_required", "completed", "failed", "cancelled")
# Tasks are part of the core protocol in this revision only (2026-07-28 moved them to an
# extension with another shape).
TASK_VERSIONS = frozenset({"2025-11-25"})


class TaskSupport(StrEnum):
    FORBIDDEN = "forbidden"
    OPTIONAL = "optional"
    REQUIRED = "required"


class TaskMode(StrEnum):
    """How a page may call a tool, given the tool and what the server declared."""

    NEVER = "never"  # forbidden (the default), or tasks are not in this protocol version
    OPTIONAL = "optional"
    REQUIRED = "required"
    # The tool asks for tasks, but the server did not declare `tasks.requests.tools.call`:
    # the client must not create one, whatever the tool says.
    UNDECLARED = "undeclared"


def task_support(tool: dict[str, Any]) -> TaskSupport:
    """The tool's `execution.taskSupport`; absent or unknown means forbidden."""
    execution = tool.get("execution")
    value = execution.get("taskSupport") if isinstance(execution, dict) else None
    try:
        return TaskSupport(str(value))
    except ValueError:
        return TaskSupport.FORBIDDEN


def declares(capabilities: dict[str, Any], path: str) -> bool:
    """Whether a capability such as `tasks.requests.tools.call` is declared."""
    node: Any = capabilities
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            return False
        node = node[part]
    return node is not None and node is not False


def task_mode(
    capabilities: dict[str, Any], protocol_version: str, tool: dict[str, Any]
) -> TaskMode:
    support = task_support(tool)
    if support is TaskSupport.FORBIDDEN or protocol_version not in TASK_VERSIONS:
        return TaskMode.NEVER
    if not declares(capabilities, "tasks.requests.tools.call"):
        return TaskMode.UNDECLARED
    return TaskMode.OPTIONAL if support is TaskSupport.OPTIONAL else TaskMode.REQUIRED


@dataclass(slots=True)
class TrackedTask:
    """What the inspector knows of one task: the server's latest word on it, and what
    the inspector did about it."""

    task_id: str
    status: str = "working"
    status_message: str = ""
    created_at: str = ""
    last_updated_at: str = ""
    ttl: int | None = None
    poll_interval: int | None = None  # milliseconds, as the server suggested
    latest: dict[str, Any] = field(default_factory=dict)  # the task object as last sent
    # Set when the task was started from this inspector.
    tool_name: str = ""
    tool: dict[str, Any] | None = None
    arguments: Any = None
    progress_token: str = ""
    create_call: CallOutcome | None = None
    # The outcome of `tasks/result`: the tool's result, or the error the call would have had.
    result: CallOutcome | None = None
    fetching: bool = False
    cancel_call: CallOutcome | None = None
    following: bool = False  # a poller is running
    # The modern tasks extension has no `tasks/result`: a task's last state carries its
    # outcome, and the client that made the call follows it itself.
    outcome_in_state: bool = False
    problem: str = ""  # why following stopped or stumbled, said plainly
    violation: str = ""  # the server broke the task lifecycle's rules
    polls: int = 0
    gone: bool = False  # the server no longer knows it (expired, deleted)
    connection: weakref.ref[McpClient] | None = None

    @property
    def terminal(self) -> bool:
        return self.status in TERMINAL_STATUSES

    @property
    def input_required(self) -> bool:
        return self.status == "input_required"

    @property
    def poll_seconds(self) -> float:
        return poll_interval_seconds(self.poll_interval)

    @property
    def dom_key(self) -> str:
        """A short key for element ids: task ids are the server's strings, any at all."""
        return hashlib.sha1(self.task_id.encode(), usedforsecurity=False).hexdigest()[:12]

    @property
    def created(self) -> datetime | None:
        try:
            return datetime.fromisoformat(self.created_at)
        except ValueError:
            return None


@dataclass(slots=True)
class TaskPage:
    tasks: list[TrackedTask]
    next_cursor: str | None
