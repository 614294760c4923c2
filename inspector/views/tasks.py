"""The Tasks tab (2025-11-25): the session's tasks, their status as the server reports
it, their results shown as tool results, and cancellation with `tasks/cancel`."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from inspector import services
from inspector.middleware import seq_param
from inspector.presenters.failures import failure_text
from inspector.presenters.tasks import TaskRow, place_of, task_row
from inspector.views.common import HtmxHttpRequest, call_key, fresh_call_key, resident_snapshot

TEMPLATE = "inspector/tabs/tasks.html"


def task_row_url(session_id: str, task_id: str, place: str) -> str:
    query = urlencode({"task": task_id, "in": place_of(place)})
    return f"{reverse('session-task-row', args=[session_id])}?{query}"


def _row(
    snapshot: services.SessionSnapshot, task: services.TaskState, place: str = "tasks"
) -> TaskRow:
    return task_row(
        task,
        place,
        url=task_row_url(snapshot.id, task.task_id, place),
        can_cancel=snapshot.offers("tasks.cancel"),
    )


async def _task(session_id: str, task_id: str) -> services.TaskState:
    try:
        return await services.task_get(session_id=session_id, task_id=task_id)
    except services.TaskNotFound as exc:
        raise Http404("This session knows no such task.") from exc


async def _rows(snapshot: services.SessionSnapshot) -> list[TaskRow]:
    return [_row(snapshot, task) for task in await services.task_list(session_id=snapshot.id)]


async def _listing(snapshot: services.SessionSnapshot, cursor: str | None) -> dict[str, Any]:
    """A page of `tasks/list` (when the server offers it) joins the known tasks; every
    known task is shown, newest first."""
    context: dict[str, Any] = {"session": snapshot, "can_list": snapshot.offers("tasks.list")}
    if context["can_list"]:
        call, next_cursor = await services.task_list_page(
            session_id=snapshot.id, cursor=cursor, call_key=fresh_call_key()
        )
        context["error"] = failure_text(call.error) if call.error is not None else ""
        context["next_cursor"] = next_cursor
        context["retry_cursor"] = cursor if call.error is not None else None
    context["rows"] = await _rows(snapshot)
    context["rows_url"] = reverse("session-task-rows", args=[snapshot.id])
    context["list_url"] = reverse("session-task-list", args=[snapshot.id])
    return context


@require_GET
async def panel(request: HtmxHttpRequest, session_id: str) -> HttpResponse:
    snapshot = await resident_snapshot(session_id)
    return render(request, f"{TEMPLATE}#panel", await _listing(snapshot, None))


@require_GET
async def list_page(request: HtmxHttpRequest, session_id: str) -> HttpResponse:
    """The list again from the server: its first page, or the page at a cursor."""
    snapshot = await resident_snapshot(session_id)
    context = await _listing(snapshot, request.GET.get("cursor") or None)
    return render(request, f"{TEMPLATE}#tasks-block", context)


@require_GET
async def rows(request: HtmxHttpRequest, session_id: str) -> HttpResponse:
    """The known tasks as they stand, without asking the server (a new task appeared)."""
    snapshot = await resident_snapshot(session_id)
    context = {
        "session": snapshot,
        "rows": await _rows(snapshot),
        "rows_url": reverse("session-task-rows", args=[session_id]),
    }
    return render(request, f"{TEMPLATE}#rows", context)


@require_GET
async def row(request: HtmxHttpRequest, session_id: str) -> HttpResponse:
    """One task's row; `seq` names a status notification the page saw, applied first,
    and `fingerprint` what the page shows (nothing is sent when that is still true)."""
    snapshot = await resident_snapshot(session_id)
    task_id = request.GET.get("task", "")
    await _task(session_id, task_id)
    seq = seq_param(request.GET.get("seq"))
    if seq:
        await services.task_status_noted(session_id=session_id, task_id=task_id, seq=seq)
    task = await _task(session_id, task_id)
    place = request.GET.get("in", "tasks")
    if request.GET.get("fingerprint") == _row(snapshot, task, place).fingerprint:
        return HttpResponse(status=204)  # the page shows it as it stands
    return _render_row(request, snapshot, task, place)


async def _command(request: HtmxHttpRequest, session_id: str, command: str) -> HttpResponse:
    """Refresh, cancel or fetch the result of a task, then show its row as it stands."""
    snapshot = await resident_snapshot(session_id)
    task = await _task(session_id, request.POST.get("task", ""))
    try:
        if command == "refresh":
            task = await services.task_refresh(
                session_id=session_id, task_id=task.task_id, call_key=call_key(request)
            )
        elif command == "cancel":
            task = await services.task_cancel(
                session_id=session_id, task_id=task.task_id, call_key=call_key(request)
            )
        else:
            task = await services.task_result(session_id=session_id, task_id=task.task_id)
    except services.TaskNotFound as exc:
        raise Http404("This session knows no such task.") from exc
    return _render_row(request, snapshot, task, request.POST.get("in", "tasks"))


@require_POST
async def refresh(request: HtmxHttpRequest, session_id: str) -> HttpResponse:
    return await _command(request, session_id, "refresh")


@require_POST
async def cancel(request: HtmxHttpRequest, session_id: str) -> HttpResponse:
    return await _command(request, session_id, "cancel")


@require_POST
async def result(request: HtmxHttpRequest, session_id: str) -> HttpResponse:
    return await _command(request, session_id, "result")


def _render_row(
    request: HtmxHttpRequest,
    snapshot: services.SessionSnapshot,
    task: services.TaskState,
    place: str,
) -> HttpResponse:
    context = {"session": snapshot, "row": _row(snapshot, task, place), "oob": True}
    return render(request, "inspector/includes/task_row.html", context)
