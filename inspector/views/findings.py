"""The Findings tab: what the message checks found in the whole session, by rule."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from inspector import services
from inspector.middleware import seq_param
from inspector.presenters.findings import events_findings, findings_totals
from inspector.presenters.rule_groups import SHOWN_OCCURRENCES, occurrence_page, rule_groups
from inspector.views.common import HtmxHttpRequest


@require_GET
async def panel(request: HtmxHttpRequest, session_id: str) -> HttpResponse:
    try:
        session = await services.session_get(session_id=session_id)
    except services.SessionNotFound as exc:
        raise Http404("No such session.") from exc
    flagged = await services.flagged_event_list(session_id=session_id)
    context = {
        "session": session,
        "groups": rule_groups(flagged),
        "totals": findings_totals(events_findings(flagged)),
    }
    return render(request, "inspector/tabs/findings.html#panel", context)


@require_GET
async def occurrences(request: HtmxHttpRequest, session_id: str, rule: str) -> HttpResponse:
    """The next page of the events that broke one rule, below those the view listed."""
    try:
        session = await services.session_get(session_id=session_id)
    except services.SessionNotFound as exc:
        raise Http404("No such session.") from exc
    start = seq_param(request.GET.get("start")) or SHOWN_OCCURRENCES
    flagged = await services.flagged_event_list(session_id=session_id)
    context = {"session": session, "page": occurrence_page(flagged, rule, start)}
    return render(request, "inspector/tabs/findings.html#more-occurrences", context)
