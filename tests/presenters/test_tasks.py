"""`task_row`: a task as a row of the Tasks tab or under the tool call that started it."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from inspector.mcp.errors import JsonRpcError
from inspector.presenters.tasks import task_row
from inspector.sessions.calls import CallOutcome


@dataclass(frozen=True)
class Task:
    """What the services' `TaskState` holds, for a row."""

    task_id: str = "t-1"
    status: str = "working"
    status_message: str = ""
    created_at: str = "2026-01-01T00:00:00Z"
    last_updated_at: str = ""
    ttl: int | None = None
    poll_interval: int | None = None
    poll_seconds: float = 5.0
    latest: dict[str, Any] = field(default_factory=dict)
    tool_name: str = "crunch"
    tool: dict[str, Any] | None = None
    arguments: Any = None
    result: CallOutcome | None = None
    fetching: bool = False
    cancel_call: CallOutcome | None = None
    following: bool = True
    problem: str = ""
    violation: str = ""
    gone: bool = False
    terminal: bool = False
    current: bool = True


def test_task_row_under_a_tool_has_its_own_ids() -> None:
    in_tab = task_row(Task(), "tasks", url="/row", can_cancel=True)
    under_tool = task_row(Task(), "tools", url="/row", can_cancel=True)
    elsewhere = task_row(Task(), "<script>", url="/row", can_cancel=True)
    assert (in_tab.id_prefix, under_tool.id_prefix) == ("task", "tool-task")
    assert (elsewhere.place, elsewhere.id_prefix) == ("tasks", "task")


def test_task_row_words() -> None:
    row = task_row(Task(status="input_required"), "tasks", url="/row", can_cancel=False)
    assert (row.title, row.status_label) == ("crunch", "input required")
    assert task_row(Task(tool_name=""), "tasks", url="/r", can_cancel=False).title == "Task"


def test_task_row_fingerprint_changes_with_what_the_row_shows() -> None:
    working = task_row(Task(), "tasks", url="/row", can_cancel=True)
    same = task_row(Task(), "tasks", url="/row", can_cancel=True)
    done = task_row(Task(status="completed"), "tasks", url="/row", can_cancel=True)
    assert working.fingerprint == same.fingerprint
    assert working.fingerprint != done.fingerprint


def test_task_row_poll_note_says_whose_interval_it_is() -> None:
    def note(task: Task) -> str:
        return task_row(task, "tasks", url="/row", can_cancel=True).poll_note

    assert note(Task()) == "every 5 s (the server suggested no interval)"
    assert note(Task(poll_interval=2000, poll_seconds=2.0)) == "every 2 s, as the server suggested"
    assert note(Task(poll_interval=10, poll_seconds=1.0)) == (
        "every 1 s (the server suggested 10 ms)"
    )


def test_task_row_a_refused_cancel_of_an_ended_task_is_not_an_error() -> None:
    refused = CallOutcome("tasks/cancel", error=JsonRpcError(-32602, "task already completed"))
    ended = Task(status="completed", terminal=True, cancel_call=refused)
    row = task_row(ended, "tasks", url="/row", can_cancel=True)
    assert row.cancel_refused_as_ended
    assert row.cancel_error == "JSON-RPC error -32602: task already completed"
    running = replace(ended, status="working", terminal=False)
    assert not task_row(running, "tasks", url="/row", can_cancel=True).cancel_refused_as_ended


def test_task_row_shows_the_result_as_a_tool_result() -> None:
    result = CallOutcome("tasks/result", result={"content": [{"type": "text", "text": "42"}]})
    row = task_row(Task(result=result, status="completed"), "tasks", url="/r", can_cancel=True)
    assert row.result is not None
    assert [view.text for view in row.result.content] == ["42"]
