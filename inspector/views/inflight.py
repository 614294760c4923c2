"""The In flight panel of a session page: every request the inspector awaits on the
session, whichever page or tab started it, each with a Cancel button."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_POST

from inspector import services
from inspector.presenters.inflight import InFlightRow, in_flight_rows
from inspector.views.common import HtmxHttpRequest, resident_snapshot

TEMPLATE = "inspector/inflight.html#panel"
MAX_REQUEST_ID_CHARS = 100


async def _context(session_id: str, **extra: Any) -> dict[str, Any]:
    requests = await services.request_list(session_id=session_id)
    rows: list[InFlightRow] = in_flight_rows(requests)
    return {"session_id": session_id, "rows": rows, **extra}


@require_GET
async def panel(request: HtmxHttpRequest, session_id: str) -> HttpResponse:
    """The list as it stands; the page asks again whenever a request starts or ends."""
    try:
        await services.session_get(session_id=session_id)
    except services.SessionNotFound as exc:
        raise Http404("No such session.") from exc
    return render(request, TEMPLATE, await _context(session_id))


@require_POST
async def cancel(request: HtmxHttpRequest, session_id: str) -> HttpResponse:
    await resident_snapshot(session_id)
    request_id = request.POST.get("request_id", "")[:MAX_REQUEST_ID_CHARS]
    requests = await services.request_list(session_id=session_id)
    running = {row.key: row for row in in_flight_rows(requests)}
    target = running.get(request_id)
    if target is not None and not target.cancellable:
        notice = f"{target.method} cannot be cancelled; disconnect to stop it."
    elif target is not None and await services.request_cancel(
        session_id=session_id, request_id=request_id
    ):
        notice = f"Cancelled {target.label}."
    else:
        notice = f"Request {request_id} was not cancelled: it is no longer in flight."
    return render(request, TEMPLATE, await _context(session_id, notice=notice))
