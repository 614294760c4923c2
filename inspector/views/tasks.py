"""The Tasks tab (2025-11-25): the session's tasks, their status as the server reports
it, their results shown as tool results, and cancellation with `tasks/cancel`."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from inspector import services
from inspector.mcp.errors import JsonRpcError
from inspector.sessions.tasks import INVALID_PARAMS, TrackedTask
from inspector.tool_views import ToolResultView, tool_result_view
from inspector.views.common import (
    HtmxHttpRequest,
    call_key,
    failure_text,
    live_snapshot,
    seq_param,
)

TEMPLATE = "inspector/tabs/tasks.html"
# Where a row is shown: the Tasks tab, or under the tool that started it.
PLACES = {"tasks": "task", "tools": "tool-task"}


@dataclass(slots=True)
class TaskRow:
    task: TrackedTask
    url: str
    place: str
    id_prefix: str
    current: bool
    can_cancel: bool
    result: ToolResultView | None = None
    cancel_error: str = ""
    cancel_refused_as_ended: bool = False

    @property
    def title(self) -> str:
        return self.task.tool_name or "Task"

    @property
    def status_label(self) -> str:
        return self.task.status.replace("_", " ") or "unknown"

    @property
    def version(self) -> str:
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


def _row(snapshot: services.SessionSnapshot, task: TrackedTask, place: str = "tasks") -> TaskRow:
    place = place if place in PLACES else "tasks"
    query = urlencode({"task": task.task_id, "in": place})
    row = TaskRow(
        task=task,
        url=f"{reverse('session-task-row', args=[snapshot.id])}?{query}",
        place=place,
        id_prefix=PLACES[place],
        current=services.session_task_is_current(snapshot.id, task),
        can_cancel=snapshot.offers("tasks.cancel"),
    )
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


def _task(session_id: str, task_id: str) -> TrackedTask:
    try:
        return services.session_task(session_id, task_id)
    except services.TaskNotFound as exc:
        raise Http404("This session knows no such task.") from exc


async def _listing(snapshot: services.SessionSnapshot, cursor: str | None) -> dict[str, Any]:
    """A page of `tasks/list` (when the server offers it) joins the known tasks; every
    known task is shown, newest first."""
    context: dict[str, Any] = {"session": snapshot, "can_list": snapshot.offers("tasks.list")}
    if context["can_list"]:
        call, page = await services.session_task_list_page(
            snapshot.id, cursor, call_key=services.new_call_key()
        )
        context["error"] = failure_text(call.error) if call.error is not None else ""
        context["next_cursor"] = page.next_cursor if page else None
        context["retry_cursor"] = cursor if call.error is not None else None
    context["rows"] = [_row(snapshot, task) for task in services.session_tasks(snapshot.id)]
    context["rows_url"] = reverse("session-task-rows", args=[snapshot.id])
    context["list_url"] = reverse("session-task-list", args=[snapshot.id])
    return context


@require_GET
async def panel(request: HtmxHttpRequest, session_id: str) -> HttpResponse:
    snapshot = await live_snapshot(session_id)
    return render(request, f"{TEMPLATE}#panel", await _listing(snapshot, None))


@require_GET
async def list_page(request: HtmxHttpRequest, session_id: str) -> HttpResponse:
    """The list again from the server: its first page, or the page at a cursor."""
    snapshot = await live_snapshot(session_id)
    context = await _listing(snapshot, request.GET.get("cursor") or None)
    return render(request, f"{TEMPLATE}#tasks-block", context)


@require_GET
async def rows(request: HtmxHttpRequest, session_id: str) -> HttpResponse:
    """The known tasks as they stand, without asking the server (a new task appeared)."""
    snapshot = await live_snapshot(session_id)
    context = {
        "session": snapshot,
        "rows": [_row(snapshot, task) for task in services.session_tasks(session_id)],
        "rows_url": reverse("session-task-rows", args=[session_id]),
    }
    return render(request, f"{TEMPLATE}#rows", context)


@require_GET
async def row(request: HtmxHttpRequest, session_id: str) -> HttpResponse:
    """One task's row; `seq` names a status notification the page saw, applied first,
    and `version` what the page shows (nothing is sent when that is still true)."""
    snapshot = await live_snapshot(session_id)
    task_id = request.GET.get("task", "")
    task = _task(session_id, task_id)
    seq = seq_param(request.GET.get("seq"))
    if seq:
        await services.session_task_noted(session_id, task_id, seq)
    place = request.GET.get("in", "tasks")
    if request.GET.get("version") == _row(snapshot, task, place).version:
        return HttpResponse(status=204)  # the page shows it as it stands
    return _render_row(request, snapshot, task, place)


@require_POST
async def refresh(request: HtmxHttpRequest, session_id: str) -> HttpResponse:
    snapshot = await live_snapshot(session_id)
    task = _task(session_id, request.POST.get("task", ""))
    await services.session_task_refresh(session_id, task.task_id, call_key=call_key(request))
    return _render_row(request, snapshot, task, request.POST.get("in", "tasks"))


@require_POST
async def cancel(request: HtmxHttpRequest, session_id: str) -> HttpResponse:
    snapshot = await live_snapshot(session_id)
    task = _task(session_id, request.POST.get("task", ""))
    await services.session_task_cancel(session_id, task.task_id, call_key=call_key(request))
    return _render_row(request, snapshot, task, request.POST.get("in", "tasks"))


@require_POST
async def result(request: HtmxHttpRequest, session_id: str) -> HttpResponse:
    snapshot = await live_snapshot(session_id)
    task = _task(session_id, request.POST.get("task", ""))
    await services.session_task_result(session_id, task.task_id)
    return _render_row(request, snapshot, task, request.POST.get("in", "tasks"))


def _render_row(
    request: HtmxHttpRequest, snapshot: services.SessionSnapshot, task: TrackedTask, place: str
) -> HttpResponse:
    context = {"session": snapshot, "row": _row(snapshot, task, place), "oob": True}
    return render(request, "inspector/includes/task_row.html", context)


def task_row(snapshot: services.SessionSnapshot, task: TrackedTask, place: str) -> TaskRow:
    """A task's row for another tab's page (the Tools tab shows the task it started)."""
    return _row(snapshot, task, place)
