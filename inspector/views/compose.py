"""The Compose tab: send any request or notification, advertised or not, and send an
earlier request again after editing it."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import reswap

from inspector import services
from inspector.forms.compose import ComposeForm
from inspector.middleware import seq_param
from inspector.presenters.compose import compose_result_view
from inspector.views.common import HtmxHttpRequest, call_key, resident_snapshot

TEMPLATE = "inspector/tabs/compose.html"
# Without htmx (no JavaScript) the composer is a page of its own.
PAGE = "inspector/compose_page.html"


@require_GET
async def panel(request: HtmxHttpRequest, session_id: str) -> HttpResponse:
    """The composer; `?from=SEQ` fills it with the request sent at SEQ."""
    snapshot = await resident_snapshot(session_id)
    form = ComposeForm()
    source = seq_param(request.GET.get("from"))
    if source:
        composed = await services.composed_from(session_id=session_id, seq=source)
        if composed is not None:
            form = ComposeForm.prefilled(composed)
    context = _context(snapshot, form, source=source)
    return render(request, f"{TEMPLATE}#panel" if request.htmx else PAGE, context)


@require_POST
async def send(request: HtmxHttpRequest, session_id: str) -> HttpResponse:
    snapshot = await resident_snapshot(session_id)
    form = ComposeForm(request.POST)
    context = _context(snapshot, form)
    if not form.is_valid():
        if not request.htmx:
            return render(request, PAGE, context, status=422)
        return reswap(render(request, f"{TEMPLATE}#form-oob", context, status=422), "none")
    composed = form.composed()
    outcome = await services.compose_send(
        session_id=session_id, composed=composed, call_key=call_key(request)
    )
    context["result"] = compose_result_view(composed, outcome)
    if outcome.call is not None:
        context["result_findings"] = await services.answer_findings(
            session_id=session_id, call=outcome.call
        )
    return render(request, f"{TEMPLATE}#result" if request.htmx else PAGE, context)


def _context(
    snapshot: services.SessionSnapshot, form: ComposeForm, *, source: int = 0
) -> dict[str, Any]:
    return {
        "session": snapshot,
        "form": form,
        "source": source,
        "methods": services.known_client_methods(version=snapshot.protocol_version),
    }
