"""The session page: the server's identity and capabilities, and the Protocol tab."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from django.http import Http404, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from inspector import services
from inspector.forms.compose import ComposeForm
from inspector.middleware import seq_param
from inspector.presenters.events import event_rows, log_rows, split_lanes
from inspector.presenters.findings import FindingsTotals, events_findings, findings_totals
from inspector.presenters.skills import skills_settings
from inspector.services import LOG_LEVELS, EventKind, TraceEvent
from inspector.views.common import HtmxHttpRequest, snapshot_json

# The most rows a jump to an earlier event loads at once; an event farther up opens on
# a page of its own (`event.page`). The page's script reads it from the log's data.
JUMP_LIMIT = 2000
# The most pages of events the Server log's "load earlier" reads looking for log messages.
LOG_PAGES_PER_CLICK = 10


async def _snapshot(session_id: str) -> services.SessionSnapshot:
    try:
        return await services.session_get(session_id=session_id)
    except services.SessionNotFound as exc:
        raise Http404("No such session.") from exc


@require_GET
async def detail(request: HtmxHttpRequest, session_id: str) -> HttpResponse:
    snapshot = await _snapshot(session_id)
    events = await services.event_list_tail(session_id=session_id)
    context = _log_context(snapshot, events)
    context["last_seq"] = events[-1].seq if events else 0
    context["tabs"] = session_tabs(snapshot)
    context["log_rows"] = log_rows(events)
    context["log_levels"] = LOG_LEVELS
    context["findings_totals"] = await _findings_totals(session_id)
    context["jump_limit"] = JUMP_LIMIT
    if snapshot.connected:
        context["compose_form"] = ComposeForm()
        context["compose_methods"] = services.known_client_methods(
            version=snapshot.protocol_version
        )
    # A check connects again with the session's settings, which only a live one holds.
    context["check_offered"] = snapshot.resident and not snapshot.imported
    context["load_offered"] = snapshot.connected and snapshot.offers("tools")
    context["load_tests"] = await services.load_test_list(session_id=session_id)
    context["reports"] = await services.report_list_for_session(
        session_id=session_id, owner_id=snapshot.owner_id
    )
    if snapshot.connected and snapshot.modern:
        context["request_log_level"] = await services.log_level_get(session_id=session_id)
    return render(request, "inspector/session.html", context)


@dataclass(frozen=True, slots=True)
class Tab:
    slug: str
    label: str
    url: str = ""  # where a tab's panel loads from, when it is not part of the page


def session_tabs(snapshot: services.SessionSnapshot) -> list[Tab]:
    """The server's features it declared (first, when connected), then the logs."""
    tabs = []
    if snapshot.connected:
        for capability, label, url_name in (
            ("tools", "Tools", "session-tools"),
            ("resources", "Resources", "session-resources"),
            ("prompts", "Prompts", "session-prompts"),
            ("tasks", "Tasks", "session-tasks"),
        ):
            offered = (
                snapshot.offers_tasks if capability == "tasks" else snapshot.offers(capability)
            )
            if offered:
                tabs.append(Tab(capability, label, reverse(url_name, args=[snapshot.id])))
    if snapshot.resident:
        tabs.append(Tab("client", "Client", reverse("session-client", args=[snapshot.id])))
    if snapshot.connected:
        tabs.append(Tab("compose", "Compose"))  # part of the page: links fill it in
        if skills_settings(snapshot.capabilities) is not None:
            skills = reverse("session-skills", args=[snapshot.id])
            tabs.append(Tab("skills", "Skills (draft)", skills))
        playground = reverse("session-playground", args=[snapshot.id])
        tabs.append(Tab("playground", "Playground", playground))
    if snapshot.resident and snapshot.is_http:
        auth = Tab("auth", "Auth", reverse("session-auth", args=[snapshot.id]))
        # Refused for want of authorization: that is what the page is about first.
        tabs.insert(0 if snapshot.needs_authorization else len(tabs), auth)
    if not snapshot.resident and snapshot.server:
        # A record: its lists as last listed, read from its messages.
        tabs.append(Tab("catalog", "Catalog", reverse("session-catalog", args=[snapshot.id])))
    findings = Tab("findings", "Findings", reverse("session-findings", args=[snapshot.id]))
    return [*tabs, Tab("logs", "Server log"), Tab("protocol", "Protocol"), findings]


@require_GET
async def detail_json(request: HtmxHttpRequest, session_id: str) -> JsonResponse:
    snapshot = await _snapshot(session_id)
    after = seq_param(request.GET.get("after"))
    events = await services.event_list_after(session_id=session_id, after_seq=after)
    return JsonResponse(
        {"session": snapshot_json(snapshot), "events": [event.to_dict() for event in events]}
    )


@require_GET
async def findings_totals_part(request: HtmxHttpRequest, session_id: str) -> HttpResponse:
    """The header's totals of findings, counted again."""
    snapshot = await _snapshot(session_id)
    context = {"session": snapshot, "findings_totals": await _findings_totals(session_id)}
    return render(request, "inspector/session.html#findings-totals", context)


async def _findings_totals(session_id: str) -> FindingsTotals:
    flagged = await services.flagged_event_list(session_id=session_id)
    return findings_totals(events_findings(flagged))


@require_GET
async def earlier_events(request: HtmxHttpRequest, session_id: str) -> HttpResponse:
    """A page of older events, prepended above what the page already shows."""
    snapshot = await _snapshot(session_id)
    if request.GET.get("lane") == "log":
        return await _earlier_log(request, snapshot)
    before = seq_param(request.GET.get("before"))
    if "tail" in request.GET:
        # "Show latest": the newest rows replace what the page shows.
        events = await services.event_list_tail(session_id=session_id)
        context = _log_context(snapshot, events)
        context["replace"] = True
        return render(request, "inspector/session.html#earlier-events", context)
    if "from" in request.GET:
        # A jump to an event above the page's first row: every row between, so the log
        # stays one unbroken run (pruning and "load earlier" rely on it).
        first = seq_param(request.GET.get("from"))
        if not 0 < first < before or before - first > JUMP_LIMIT:
            return HttpResponseBadRequest(
                f"Give 0 < from < before, at most {JUMP_LIMIT} events apart."
            )
        events = await services.event_list_between(
            session_id=session_id, first_seq=first, before_seq=before
        )
    else:
        events = await services.event_list_before(session_id=session_id, before_seq=before)
    return render(request, "inspector/session.html#earlier-events", _log_context(snapshot, events))


async def _earlier_log(
    request: HtmxHttpRequest, snapshot: services.SessionSnapshot
) -> HttpResponse:
    """The Server log's rows before a seq (or its newest, with `tail`): pages of events
    are read until some hold log messages, so a click is never answered with nothing."""
    replace = "tail" in request.GET
    if replace:
        events = await services.event_list_tail(session_id=snapshot.id)
        rows = log_rows(events)
        first_seq = events[0].seq if events else 0
    else:
        rows, first_seq = [], seq_param(request.GET.get("before"))
        for _ in range(LOG_PAGES_PER_CLICK):
            events = await services.event_list_before(session_id=snapshot.id, before_seq=first_seq)
            if not events:
                break
            first_seq = events[0].seq or 0
            rows = log_rows(events) + rows
            if rows:
                break
    context = {
        "session": snapshot,
        "log_rows": rows,
        "replace": replace,
        "first_seq": first_seq,
        "has_earlier": (first_seq or 0) > 1,
    }
    return render(request, "inspector/tabs/logs.html#earlier-log", context)


def _log_context(snapshot: services.SessionSnapshot, events: list[TraceEvent]) -> dict[str, Any]:
    """The rows of both lanes, and where the page's history begins."""
    protocol, console = split_lanes(event_rows(events))
    first_seq = events[0].seq if events else None
    return {
        "session": snapshot,
        "protocol_rows": protocol,
        "console_rows": console,
        "first_seq": first_seq,
        "has_earlier": bool(first_seq and first_seq > 1),
    }


@require_GET
async def raw_event(request: HtmxHttpRequest, session_id: str, seq: int) -> HttpResponse:
    """The exact text of one event, as a download."""
    try:
        event = await services.event_get(session_id=session_id, seq=seq)
    except services.EventNotFound as exc:
        raise Http404("No such event.") from exc
    is_message = event.kind is EventKind.MESSAGE
    content_type = "application/json" if is_message else "text/plain"
    extension = "json" if is_message else "txt"
    response = HttpResponse(event.text, content_type=f"{content_type}; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{session_id}-{seq}.{extension}"'
    return response


@require_POST
async def disconnect(request: HtmxHttpRequest, session_id: str) -> HttpResponse:
    return await _command(request, session_id, services.session_disconnect)


@require_POST
async def reconnect(request: HtmxHttpRequest, session_id: str) -> HttpResponse:
    return await _command(request, session_id, services.session_reconnect)


async def _command(
    request: HtmxHttpRequest,
    session_id: str,
    service: Callable[..., Awaitable[services.SessionSnapshot]],
) -> HttpResponse:
    try:
        await service(session_id=session_id)
    except services.SessionNotFound as exc:
        raise Http404("The session is not live in this inspector.") from exc
    return _back(request, session_id)


def _back(request: HtmxHttpRequest, session_id: str) -> HttpResponse:
    """After a command the page updates itself from the websocket; plain forms reload."""
    if request.htmx:
        return HttpResponse(status=204)
    return redirect(reverse("session", args=[session_id]))
