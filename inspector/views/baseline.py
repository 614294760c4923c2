"""A session's drift from its saved server's baseline: the banner on the session page,
and pinning (a first baseline, or accepting the drift as the new one)."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from inspector import services
from inspector.middleware import request_owner_id
from inspector.presenters.surface_diff import diff_view, drift_summary
from inspector.views.common import HtmxHttpRequest

BANNER = "inspector/baseline.html#drift-banner"


@require_GET
async def banner(request: HtmxHttpRequest, session_id: str) -> HttpResponse:
    try:
        drift = await services.session_drift(
            session_id=session_id,
            owner_id=await request_owner_id(request),
            # A viewer watches: what the session recorded, no request sent for it.
            ask_server=request.access.may_act,
        )
    except services.NoSavedServer:
        return HttpResponse("")  # not from a saved server: nothing to drift from
    return render(request, BANNER, _context(session_id, drift))


@require_POST
async def pin(request: HtmxHttpRequest, session_id: str) -> HttpResponse:
    try:
        drift = await services.baseline_pin(
            session_id=session_id, owner_id=await request_owner_id(request)
        )
    except services.NoSavedServer:
        return HttpResponse("This session was not opened from a saved server of yours.", status=400)
    if not request.htmx:
        return redirect(reverse("session", args=[session_id]))
    return render(request, BANNER, {**_context(session_id, drift), "just_pinned": True})


def _context(session_id: str, drift: services.Drift) -> dict[str, object]:
    return {
        "session_id": session_id,
        "drift": drift,
        "diff": diff_view(drift.diff) if drift.diff is not None else None,
        "drifted": drift_summary(drift.diff) if drift.diff is not None else "",
    }
