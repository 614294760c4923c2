"""The Client tab: what this inspector declares and shares with the server — its roots,
its capabilities — and the consent switches of the session."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_POST

from inspector import services
from inspector.sessions.consent import SWITCH_LABELS
from inspector.sessions.roots import InvalidRoot, add_root, parse_root
from inspector.views.common import HtmxHttpRequest, live_snapshot

TEMPLATE = "inspector/tabs/client.html"


async def _context(session_id: str, **extra: Any) -> dict[str, Any]:
    snapshot = await live_snapshot(session_id)
    consent = services.session_consent(session_id)
    return {
        "session": snapshot,
        "roots": consent.roots,
        "switches": [
            (name, label, getattr(consent, name)) for name, label in SWITCH_LABELS.items()
        ],
        **extra,
    }


@require_GET
async def panel(request: HtmxHttpRequest, session_id: str) -> HttpResponse:
    return render(request, f"{TEMPLATE}#panel", await _context(session_id))


@require_POST
async def switch(request: HtmxHttpRequest, session_id: str) -> HttpResponse:
    await live_snapshot(session_id)
    name = request.POST.get("switch", "")
    if name not in SWITCH_LABELS:
        return HttpResponseBadRequest("No such switch.")
    services.session_set_switch(session_id, name, request.POST.get("on") == "true")
    return render(request, f"{TEMPLATE}#switches", await _context(session_id))


@require_POST
async def add(request: HtmxHttpRequest, session_id: str) -> HttpResponse:
    await live_snapshot(session_id)
    consent = services.session_consent(session_id)
    location = request.POST.get("location", "")
    name = request.POST.get("name", "")
    try:
        roots = add_root(consent.roots, parse_root(location, name))
    except InvalidRoot as exc:
        context = await _context(session_id, error=str(exc), location=location, name=name)
        return render(request, f"{TEMPLATE}#roots", context)
    await services.session_set_roots(session_id, roots)
    return render(request, f"{TEMPLATE}#roots", await _context(session_id))


@require_POST
async def remove(request: HtmxHttpRequest, session_id: str) -> HttpResponse:
    await live_snapshot(session_id)
    consent = services.session_consent(session_id)
    uri = request.POST.get("uri", "")
    kept = [root for root in consent.roots if root.uri != uri]
    if len(kept) != len(consent.roots):
        await services.session_set_roots(session_id, kept)
    return render(request, f"{TEMPLATE}#roots", await _context(session_id))
