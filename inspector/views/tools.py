"""The Tools tab: a tool's details, its arguments form in step with its JSON, and calls."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import reswap

from inspector import services
from inspector.presenters.tasks import task_row
from inspector.presenters.tools import annotation_badges, display_name, tool_result_view
from inspector.schemaform.state import ArgumentsState, fresh_state, posted_state
from inspector.views.apps import app_context
from inspector.views.common import HtmxHttpRequest, call_key, catalog_item_or_404, resident_snapshot
from inspector.views.tasks import task_row_url

ARGUMENTS_PREFIX = "arg"
TEMPLATE = "inspector/tabs/tools.html"


@require_GET
async def panel(request: HtmxHttpRequest, session_id: str) -> HttpResponse:
    snapshot = await resident_snapshot(session_id)
    return render(request, f"{TEMPLATE}#panel", {"session": snapshot})


async def _tool(session_id: str, name: str) -> dict[str, Any]:
    return await catalog_item_or_404(session_id, services.Listing.TOOLS, name, "tool")


@require_GET
async def detail(request: HtmxHttpRequest, session_id: str) -> HttpResponse:
    snapshot = await resident_snapshot(session_id)
    tool = await _tool(session_id, request.GET.get("name", ""))
    # Only what the person sets is sent, and a field is judged once the person touched it.
    state = fresh_state(
        tool.get("inputSchema"), prefix=ARGUMENTS_PREFIX, prefill=False, reveal=False
    )
    return render(request, f"{TEMPLATE}#tool-detail", await _context(snapshot, tool, state))


@require_POST
async def arguments(request: HtmxHttpRequest, session_id: str) -> HttpResponse:
    """An edit of the arguments: after a field edit only the JSON view and the errors
    change (the person is typing in the form); after an edit of the JSON, or an added
    or removed item, the fields are drawn again."""
    snapshot = await resident_snapshot(session_id)
    tool = await _tool(session_id, request.POST.get("tool", ""))
    state = posted_state(
        tool.get("inputSchema"), request.POST, prefix=ARGUMENTS_PREFIX, prefill=False
    )
    if state.json_error and request.POST.get("view") == "form":
        # Back to the form from a JSON text that is not (yet) valid: the form's values
        # are what Run tool sends now, and the JSON view shows them.
        as_form = request.POST.copy()
        as_form["source"] = "form"
        state = posted_state(
            tool.get("inputSchema"), as_form, prefix=ARGUMENTS_PREFIX, prefill=False
        )
        context = await _context(snapshot, tool, state)
        context.update(source="form", back_to_form=True)
        return reswap(render(request, f"{TEMPLATE}#arguments-sync", context), "none")
    context = await _context(snapshot, tool, state)
    context["source"] = request.POST.get("source", "form")
    if state.json_error:
        return reswap(render(request, f"{TEMPLATE}#arguments-status-oob", context), "none")
    redraw = context["source"] == "json" or request.POST.get("action")
    if redraw:
        return render(request, f"{TEMPLATE}#arguments-redraw", context)
    return reswap(render(request, f"{TEMPLATE}#arguments-sync", context), "none")


@require_POST
async def call(request: HtmxHttpRequest, session_id: str) -> HttpResponse:
    snapshot = await resident_snapshot(session_id)
    tool = await _tool(session_id, request.POST.get("tool", ""))
    # A try to send shows every problem, touched or not.
    state = posted_state(
        tool.get("inputSchema"), request.POST, prefix=ARGUMENTS_PREFIX, prefill=False, reveal=True
    )
    context = await _context(snapshot, tool, state)
    forced = request.POST.get("force") == "1"
    if not state.sendable or (not state.valid and not forced):
        # Nothing is sent: the status explains why and offers to send anyway.
        context["blocked"] = True
        shown = "arguments-status-oob" if state.json_error else "arguments-checked-oob"
        return reswap(render(request, f"{TEMPLATE}#{shown}", context), "none")
    name = context["tool_name"]
    if _as_task(request, context["task_mode"]):
        outcome, task = await services.tool_call_as_task(
            session_id=session_id,
            name=name,
            arguments=state.arguments,
            ttl=_ttl(request),
            call_key=call_key(request),
        )
        if task is not None:
            url = task_row_url(session_id, task.task_id, "tools")
            context["task_row"] = task_row(task, "tools", url=url, can_cancel=_can_cancel(snapshot))
            return render(request, f"{TEMPLATE}#task-started", context)
    else:
        outcome = await services.tool_call(
            session_id=session_id, name=name, arguments=state.arguments, call_key=call_key(request)
        )
    context["result"] = tool_result_view(tool, outcome, state.arguments, state.violations)
    context["result_findings"] = await services.answer_findings(session_id=session_id, call=outcome)
    # Refused for want of authorization (a 401, or a 403 asking for more scope).
    after = await services.session_get(session_id=session_id)
    context["needs_authorization"] = after.needs_authorization
    if outcome.result is not None:
        # A tool with a View (MCP Apps) shows it under its result.
        context.update(
            await app_context(
                session_id, name, request, arguments=state.arguments, result=outcome.result
            )
        )
    return render(request, f"{TEMPLATE}#tool-result", context)


def _as_task(request: HtmxHttpRequest, mode: services.TaskMode) -> bool:
    """A required tool always runs as a task, an optional one when asked; never else."""
    return mode is services.TaskMode.REQUIRED or (
        mode is services.TaskMode.OPTIONAL and request.POST.get("as_task") == "1"
    )


def _can_cancel(snapshot: services.SessionSnapshot) -> bool:
    return snapshot.offers("tasks.cancel")


def _ttl(request: HtmxHttpRequest) -> int | None:
    value = request.POST.get("task_ttl", "").strip()
    return int(value) if value.isdigit() and int(value) > 0 else None


async def _context(
    snapshot: services.SessionSnapshot, tool: dict[str, Any], state: ArgumentsState
) -> dict[str, Any]:
    name = str(tool.get("name", ""))
    return {
        "session": snapshot,
        "tool": tool,
        "tool_name": name,
        "tool_title": display_name(tool),
        "badges": annotation_badges(tool),
        "state": state,
        "form_url": reverse("session-tool-arguments", args=[snapshot.id]),
        "cli": await services.tool_call_command(
            session_id=snapshot.id, name=name, arguments=state.arguments
        ),
        "task_mode": await services.tool_task_mode(session_id=snapshot.id, name=name),
        "param_headers": await services.tool_param_headers_get(session_id=snapshot.id, name=name),
    }
