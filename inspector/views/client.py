"""The Client tab: what this inspector declares and shares with the server — its roots,
its capabilities — and the consent switches of the session."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_POST

from inspector import services
from inspector.views.common import HtmxHttpRequest, resident_snapshot

TEMPLATE = "inspector/tabs/client.html"


async def _context(session_id: str, **extra: Any) -> dict[str, Any]:
    snapshot = await resident_snapshot(session_id)
    consent = await services.consent_get(session_id=session_id)
    return {
        "session": snapshot,
        "roots": list(consent.roots),
        "switches": [(switch.name, switch.label, switch.on) for switch in consent.switches],
        **extra,
    }


@require_GET
async def panel(request: HtmxHttpRequest, session_id: str) -> HttpResponse:
    return render(request, f"{TEMPLATE}#panel", await _context(session_id))


@require_POST
async def switch(request: HtmxHttpRequest, session_id: str) -> HttpResponse:
    await resident_snapshot(session_id)
    try:
        await services.switch_set(
            session_id=session_id,
            name=request.POST.get("switch", ""),
            on=request.POST.get("on") == "true",
        )
    except services.UnknownSwitch:
        return HttpResponseBadRequest("No such switch.")
    return render(request, f"{TEMPLATE}#switches", await _context(session_id))


@require_POST
async def add(request: HtmxHttpRequest, session_id: str) -> HttpResponse:
    await resident_snapshot(session_id)
    location = request.POST.get("location", "")
    name = request.POST.get("name", "")
    try:
        await services.root_add(session_id=session_id, location=location, name=name)
    except services.InvalidRoot as exc:
        context = await _context(session_id, error=str(exc), location=location, name=name)
        return render(request, f"{TEMPLATE}#roots", context)
    return render(request, f"{TEMPLATE}#roots", await _context(session_id))


@require_POST
async def remove(request: HtmxHttpRequest, session_id: str) -> HttpResponse:
    await resident_snapshot(session_id)
    await services.root_remove(session_id=session_id, uri=request.POST.get("uri", ""))
    return render(request, f"{TEMPLATE}#roots", await _context(session_id))
