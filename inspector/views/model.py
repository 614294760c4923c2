"""The model at hand: its settings page, the connection test, and drafting a sampling
answer in the inbox (first the request is shown, then sent on the person's word)."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods, require_POST

from inspector import services
from inspector.forms.model import ModelEndpointForm
from inspector.middleware import request_owner_id
from inspector.presenters.approvals import approval_card
from inspector.views.common import HtmxHttpRequest, resident_snapshot

PAGE = "inspector/model_settings.html"
DRAFT = "inspector/model_draft.html"


@require_http_methods(["GET", "POST"])
async def settings_page(request: HtmxHttpRequest) -> HttpResponse:
    owner_id = await request_owner_id(request)
    current = await services.model_settings_get(owner_id=owner_id)
    saved = False
    status = 200
    if request.method == "POST":
        form = ModelEndpointForm(request.POST)
        if form.is_valid():
            current = await services.model_settings_set(
                owner_id=owner_id,
                base_url=form.cleaned_data["base_url"],
                model=form.cleaned_data["model"],
                api_key=form.key_to_store(),
            )
            form = ModelEndpointForm(initial=_initial(current))
            saved = True
        else:
            status = 422
    else:
        form = ModelEndpointForm(initial=_initial(current))
    context = {"form": form, "current": current, "saved": saved}
    return render(request, PAGE, context, status=status)


def _initial(current: services.ModelSettings) -> dict[str, Any]:
    return {"base_url": current.base_url, "model": current.model}


@require_POST
async def test_connection(request: HtmxHttpRequest) -> HttpResponse:
    """Try the endpoint as typed in the form, saved or not."""
    form = ModelEndpointForm(request.POST)
    if not form.is_valid():
        check = services.ConnectionCheck(
            False, "Fill in a valid base URL and a model first.", "incomplete"
        )
    else:
        check = await services.model_connection_test(
            owner_id=await request_owner_id(request),
            base_url=form.cleaned_data["base_url"],
            model=form.cleaned_data["model"],
            api_key=form.key_to_store() or None,
        )
    return render(request, f"{PAGE}#check", {"check": check})


@require_POST
async def draft_preview(
    request: HtmxHttpRequest, session_id: str, approval_id: str
) -> HttpResponse:
    """Show the chat/completions request a sampling request becomes; nothing is sent."""
    context = await _draft_context(session_id, approval_id)
    try:
        context["request_preview"] = await services.sampling_draft_request(
            session_id=session_id,
            approval_id=approval_id,
            owner_id=await request_owner_id(request),
        )
    except services.ModelNotConfigured:
        context["not_configured"] = True
    return render(request, f"{DRAFT}#preview", context)


@require_POST
async def draft_send(request: HtmxHttpRequest, session_id: str, approval_id: str) -> HttpResponse:
    """Send the request to the model; its answer fills the reply fields, still editable,
    and the server gets nothing until the person approves."""
    context = await _draft_context(session_id, approval_id)
    try:
        context["reply"] = await services.sampling_draft(
            session_id=session_id,
            approval_id=approval_id,
            owner_id=await request_owner_id(request),
        )
    except services.ModelNotConfigured:
        context["not_configured"] = True
    except services.ModelEndpointError as error:
        context["error"] = error.message
    return render(request, f"{DRAFT}#drafted", context)


async def _draft_context(session_id: str, approval_id: str) -> dict[str, Any]:
    snapshot = await resident_snapshot(session_id)
    try:
        approval = await services.approval_get(session_id=session_id, approval_id=approval_id)
    except services.UnknownApproval as exc:
        raise Http404("This request is no longer in the inbox.") from exc
    if approval.kind is not services.ApprovalKind.SAMPLING:
        raise Http404("Only a sampling request can be drafted by a model.")
    roots = (await services.consent_get(session_id=session_id)).wire_roots
    return {"session": snapshot, "approval": approval, "card": approval_card(approval, roots)}
