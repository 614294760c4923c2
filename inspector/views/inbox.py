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
from inspector.sessions.approvals import AlreadySettled, Approval, UnknownApproval
from inspector.views.common import HtmxHttpRequest, live_snapshot

TEMPLATE = "inspector/inbox.html"


def answered_by(request: HttpRequest) -> str:
    """Who answered, for the audit log: the account in hosted mode."""
    if not settings.LOCAL_MODE and request.user.is_authenticated:
        return f"user {request.user.get_username()}"
    return "the local user"


@require_GET
async def inbox(request: HtmxHttpRequest, session_id: str) -> HttpResponse:
    snapshot = await live_snapshot(session_id)
    consent = services.session_consent(session_id)
    roots = consent.roots_result()["roots"]
    cards = [approval_card(approval, roots) for approval in consent.inbox.pending()]
    for card in cards:
        await _find_origin(session_id, card)
    context = {
        "session": snapshot,
        "cards": cards,
        "followups": [
            (approval, url_view(approval.params.get("url")))
            for approval in consent.inbox.url_followups()
        ],
    }
    return render(request, f"{TEMPLATE}#inbox", context)


@require_POST
async def answer(request: HtmxHttpRequest, session_id: str, approval_id: str) -> HttpResponse:
    snapshot = await live_snapshot(session_id)
    consent = services.session_consent(session_id)
    try:
        approval = consent.inbox.get(approval_id)
    except UnknownApproval as exc:
        raise Http404("This request is no longer in the inbox.") from exc
    roots = consent.roots_result()["roots"]
    context: dict[str, Any] = {"session": snapshot}
    try:
        if not approval.pending:
            raise AlreadySettled(approval)
        decision = decide(approval, request.POST, request.FILES, answered_by(request))
        services.session_answer(session_id, approval_id, decision)
    except InvalidAnswer as exc:
        card = approval_card(approval, roots, elicitation_state=exc.state)
        card.errors = exc.errors
        context["card"] = card
    except AlreadySettled as exc:
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
        asked = await services.session_event(session_id, seq)
    except services.SessionNotFound:
        return
    origin = input_origin(asked, None)
    if origin is None:
        return
    try:
        card.origin = input_origin(asked, await services.session_event(session_id, origin.seq))
    except services.SessionNotFound:
        card.origin = origin


def _settled_card(approval: Approval, roots: list[dict[str, Any]], note: str) -> ApprovalCard:
    card = approval_card(approval, roots)
    card.note = note
    return card
