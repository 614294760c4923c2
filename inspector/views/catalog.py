"""The Catalog tab of a recorded session: what the server offered, as last listed."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from inspector import services
from inspector.presenters.catalog import catalog_sections
from inspector.views.common import HtmxHttpRequest


@require_GET
async def panel(request: HtmxHttpRequest, session_id: str) -> HttpResponse:
    try:
        session = await services.session_get(session_id=session_id)
    except services.SessionNotFound as exc:
        raise Http404("No such session.") from exc
    surface = await services.session_surface(session_id=session_id)
    context = {"session": session, "surface": surface, "sections": catalog_sections(surface)}
    return render(request, "inspector/tabs/catalog.html#panel", context)
