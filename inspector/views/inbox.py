"""The approvals inbox: what waits for a person, on every page watching the session.

Pages load the inbox, and load it again when the live stream says it changed; an answer
is an ordinary POST, and only the first answer to an approval counts.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_POST

from inspector import services
from inspector.forms.answers import InvalidAnswer, decide
from inspector.presenters.approvals import ApprovalCard, approval_card, input_origin
from inspector.presenters.links import url_view
from inspector.views.common import HtmxHttpRequest, resident_snapshot

TEMPLATE = "inspector/inbox.html"


def answered_by(request: HttpRequest) -> str:
    """Who answered, for the audit log: the account in hosted mode."""
    if not settings.LOCAL_MODE and request.user.is_authenticated:
        return f"user {request.user.get_username()}"
    return "the local user"


@require_GET
async def inbox(request: HtmxHttpRequest, session_id: str) -> HttpResponse:
    snapshot = await resident_snapshot(session_id)
    consent = await services.consent_get(session_id=session_id)
    roots = consent.wire_roots
    cards = [approval_card(approval, roots) for approval in consent.pending]
    for card in cards:
        await _find_origin(session_id, card)
    context = {
        "session": snapshot,
        "cards": cards,
        "followups": [
            (approval, url_view(approval.params.get("url"))) for approval in consent.url_followups
        ],
    }
    return render(request, f"{TEMPLATE}#inbox", context)


@require_POST
async def answer(request: HtmxHttpRequest, session_id: str, approval_id: str) -> HttpResponse:
    snapshot = await resident_snapshot(session_id)
    try:
        approval = await services.approval_get(session_id=session_id, approval_id=approval_id)
    except services.UnknownApproval as exc:
        raise Http404("This request is no longer in the inbox.") from exc
    roots = (await services.consent_get(session_id=session_id)).wire_roots
    context: dict[str, Any] = {"session": snapshot}
    try:
        if not approval.pending:
            raise services.ApprovalSettled(approval)
        decision = decide(approval, request.POST, request.FILES, answered_by(request))
        await services.approval_answer(
            session_id=session_id, approval_id=approval_id, decision=decision
        )
    except InvalidAnswer as exc:
        card = approval_card(approval, roots, elicitation_state=exc.state)
        card.errors = exc.errors
        context["card"] = card
    except services.ApprovalSettled as exc:
        context["card"] = _settled_card(exc.approval, roots, exc.approval.settled_text)
    else:
        note = f"{decision.outcome.capitalize()} by {decision.by}."
        context["card"] = _settled_card(approval, roots, note)
    return render(request, f"{TEMPLATE}#card", context)


async def _find_origin(session_id: str, card: ApprovalCard) -> None:
    """Name the request an input request of the modern era belongs to."""
    seq = card.approval.request_seq
    if seq is None:
        return
    try:
        asked = await services.event_get(session_id=session_id, seq=seq)
    except services.EventNotFound:
        return
    origin = input_origin(asked, None)
    if origin is None:
        return
    try:
        started = await services.event_get(session_id=session_id, seq=origin.seq)
        card.origin = input_origin(asked, started)
    except services.EventNotFound:
        card.origin = origin


def _settled_card(
    approval: services.ApprovalSnapshot, roots: list[dict[str, Any]], note: str
) -> ApprovalCard:
    card = approval_card(approval, roots)
    card.note = note
    return card
