"""The Tools tab: a tool's details, its arguments form in step with its JSON, and calls."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import reswap

from inspector import services
from inspector.cli_command import cli_command
from inspector.mcp.request_headers import InvalidToolHeaders, ParamHeader, tool_param_headers
from inspector.presenters.tools import annotation_badges, display_name, tool_result_view
from inspector.schemaform.state import ArgumentsState, fresh_state, posted_state
from inspector.sessions.catalog import Listing
from inspector.sessions.spec import ConnectionSpec, TransportKind
from inspector.sessions.tasks import TaskMode
from inspector.views.common import HtmxHttpRequest, call_key, live_snapshot
from inspector.views.tasks import task_row

ARGUMENTS_PREFIX = "arg"
TEMPLATE = "inspector/tabs/tools.html"


@require_GET
async def panel(request: HtmxHttpRequest, session_id: str) -> HttpResponse:
    snapshot = await live_snapshot(session_id)
    return render(request, f"{TEMPLATE}#panel", {"session": snapshot})


def _tool(session_id: str, name: str) -> dict[str, Any]:
    tool = services.session_catalog_item(session_id, Listing.TOOLS, name)
    if tool is None:
        raise Http404("This tool is not in the server's last listing; reload the list.")
    return tool


@require_GET
async def detail(request: HtmxHttpRequest, session_id: str) -> HttpResponse:
    snapshot = await live_snapshot(session_id)
    tool = _tool(session_id, request.GET.get("name", ""))
    state = fresh_state(tool.get("inputSchema"), prefix=ARGUMENTS_PREFIX)
    return render(request, f"{TEMPLATE}#tool-detail", _context(snapshot, tool, state))


@require_POST
async def arguments(request: HtmxHttpRequest, session_id: str) -> HttpResponse:
    """An edit of the arguments: after a field edit only the JSON view and the errors
    change (the person is typing in the form); after an edit of the JSON, or an added
    or removed item, the fields are drawn again."""
    snapshot = await live_snapshot(session_id)
    tool = _tool(session_id, request.POST.get("tool", ""))
    state = posted_state(tool.get("inputSchema"), request.POST, prefix=ARGUMENTS_PREFIX)
    context = _context(snapshot, tool, state)
    context["source"] = request.POST.get("source", "form")
    if state.json_error:
        return reswap(render(request, f"{TEMPLATE}#arguments-status-oob", context), "none")
    redraw = context["source"] == "json" or request.POST.get("action")
    if redraw:
        return render(request, f"{TEMPLATE}#arguments-redraw", context)
    return reswap(render(request, f"{TEMPLATE}#arguments-sync", context), "none")


@require_POST
async def call(request: HtmxHttpRequest, session_id: str) -> HttpResponse:
    snapshot = await live_snapshot(session_id)
    tool = _tool(session_id, request.POST.get("tool", ""))
    state = posted_state(tool.get("inputSchema"), request.POST, prefix=ARGUMENTS_PREFIX)
    context = _context(snapshot, tool, state)
    forced = request.POST.get("force") == "1"
    if not state.sendable or (not state.valid and not forced):
        # Nothing is sent: the status explains why and offers to send anyway.
        context["blocked"] = True
        return reswap(render(request, f"{TEMPLATE}#arguments-status-oob", context), "none")
    if _as_task(request, context["task_mode"]):
        outcome, task = await services.session_task_call_tool(
            session_id, tool, state.arguments, ttl=_ttl(request), call_key=call_key(request)
        )
        if task is not None:
            context["task_row"] = task_row(snapshot, task, "tools")
            return render(request, f"{TEMPLATE}#task-started", context)
    else:
        params = {"name": tool.get("name"), "arguments": state.arguments}
        outcome = await services.session_call(
            session_id, "tools/call", params, call_key=call_key(request)
        )
    context["result"] = tool_result_view(tool, outcome, state.arguments, state.violations)
    # Refused for want of authorization (a 401, or a 403 asking for more scope).
    context["needs_authorization"] = (await services.session_get(session_id)).needs_authorization
    return render(request, f"{TEMPLATE}#tool-result", context)


def _as_task(request: HtmxHttpRequest, mode: TaskMode) -> bool:
    """A required tool always runs as a task, an optional one when asked; never else."""
    return mode is TaskMode.REQUIRED or (
        mode is TaskMode.OPTIONAL and request.POST.get("as_task") == "1"
    )


def _ttl(request: HtmxHttpRequest) -> int | None:
    value = request.POST.get("task_ttl", "").strip()
    return int(value) if value.isdigit() and int(value) > 0 else None


@require_POST
async def cancel(request: HtmxHttpRequest, session_id: str) -> HttpResponse:
    await live_snapshot(session_id)
    await services.session_cancel_call(session_id, request.POST.get("call_key", ""))
    return HttpResponse(status=204)


def _context(
    snapshot: services.SessionSnapshot, tool: dict[str, Any], state: ArgumentsState
) -> dict[str, Any]:
    spec = services.session_spec(snapshot.id)
    name = str(tool.get("name", ""))
    return {
        "session": snapshot,
        "tool": tool,
        "tool_name": name,
        "tool_title": display_name(tool),
        "badges": annotation_badges(tool),
        "state": state,
        "form_url": reverse("session-tool-arguments", args=[snapshot.id]),
        "cli": cli_command(spec, "tools/call", {"name": name, "arguments": state.arguments}),
        "task_mode": services.session_task_mode(snapshot, tool),
        "param_headers": _param_headers(snapshot, spec, tool),
    }


def _param_headers(
    snapshot: services.SessionSnapshot, spec: ConnectionSpec, tool: dict[str, Any]
) -> list[ParamHeader]:
    """The arguments a modern call over HTTP mirrors into `Mcp-Param-*` headers."""
    if not snapshot.modern or spec.transport is not TransportKind.HTTP:
        return []
    try:
        return tool_param_headers(tool)
    except InvalidToolHeaders:
        # Such a tool is excluded from the listing; a stale page may still show it.
        return []
