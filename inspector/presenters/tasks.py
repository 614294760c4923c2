"""A task as a row of the Tasks tab, or under the tool call that started it."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any, Protocol

from inspector.mcp.errors import JsonRpcError
from inspector.mcp.jsonrpc import INVALID_PARAMS
from inspector.presenters.failures import failure_text
from inspector.presenters.tools import ToolResultView, tool_result_view
from inspector.sessions.calls import CallOutcome

# Where a row is shown (the Tasks tab, or under the tool that started it), and the prefix
# of its element ids there: the same task may be on the page twice.
PLACES = {"tasks": "task", "tools": "tool-task"}


class TaskFacts(Protocol):
    """What a row reads of a task (the services' `TaskState`)."""

    @property
    def task_id(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def status_message(self) -> str: ...
    @property
    def created_at(self) -> str: ...
    @property
    def last_updated_at(self) -> str: ...
    @property
    def ttl(self) -> int | None: ...
    @property
    def poll_interval(self) -> int | None: ...
    @property
    def poll_seconds(self) -> float: ...
    @property
    def latest(self) -> dict[str, Any]: ...
    @property
    def tool_name(self) -> str: ...
    @property
    def tool(self) -> dict[str, Any] | None: ...
    @property
    def arguments(self) -> Any: ...
    @property
    def result(self) -> CallOutcome | None: ...
    @property
    def fetching(self) -> bool: ...
    @property
    def cancel_call(self) -> CallOutcome | None: ...
    @property
    def following(self) -> bool: ...
    @property
    def problem(self) -> str: ...
    @property
    def violation(self) -> str: ...
    @property
    def gone(self) -> bool: ...
    @property
    def terminal(self) -> bool: ...
    @property
    def current(self) -> bool: ...


@dataclass(slots=True)
class TaskRow:
    task: TaskFacts
    url: str
    place: str
    id_prefix: str
    can_cancel: bool
    result: ToolResultView | None = None
    cancel_error: str = ""
    cancel_refused_as_ended: bool = False

    @property
    def current(self) -> bool:
        return self.task.current

    @property
    def title(self) -> str:
        return self.task.tool_name or "Task"

    @property
    def status_label(self) -> str:
        return self.task.status.replace("_", " ") or "unknown"

    @property
    def fingerprint(self) -> str:
        """A digest of what the row shows: a page that has it needs no new copy."""
        task, result, cancel = self.task, self.task.result, self.task.cancel_call
        shown = (
            task.status,
            task.status_message,
            task.created_at,
            task.last_updated_at,
            task.ttl,
            task.poll_interval,
            task.following,
            task.fetching,
            task.problem,
            task.violation,
            task.gone,
            self.current,
            result.response_seq if result else None,
            cancel.response_seq if cancel else None,
            json.dumps(task.latest, sort_keys=True, default=str),
        )
        return hashlib.sha1(repr(shown).encode(), usedforsecurity=False).hexdigest()[:16]

    @property
    def poll_note(self) -> str:
        seconds = f"{self.task.poll_seconds:g} s"
        if self.task.poll_interval is None:
            return f"every {seconds} (the server suggested no interval)"
        if self.task.poll_seconds * 1000 != self.task.poll_interval:
            return f"every {seconds} (the server suggested {self.task.poll_interval} ms)"
        return f"every {seconds}, as the server suggested"


def place_of(value: str) -> str:
    """A place a page named, or the Tasks tab for anything else."""
    return value if value in PLACES else "tasks"


def task_row(task: TaskFacts, place: str, *, url: str, can_cancel: bool) -> TaskRow:
    """The row of a task; `url` fetches it again, `can_cancel` is whether the server
    offers `tasks/cancel`."""
    place = place_of(place)
    row = TaskRow(task=task, url=url, place=place, id_prefix=PLACES[place], can_cancel=can_cancel)
    if task.result is not None:
        tool = task.tool or {"name": task.tool_name or f"task {task.task_id}"}
        row.result = tool_result_view(tool, task.result, task.arguments, [])
    cancel = task.cancel_call
    if cancel is not None and cancel.error is not None:
        row.cancel_error = failure_text(cancel.error)
        row.cancel_refused_as_ended = (
            isinstance(cancel.error, JsonRpcError)
            and cancel.error.code == INVALID_PARAMS
            and task.terminal
        )
    return row
