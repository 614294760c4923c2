"""One event on a page of its own: the permalink of an event, whatever the Protocol tab
has loaded, with the request or response it pairs with."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from inspector import services
from inspector.presenters.events import event_rows
from inspector.services import MessageType, TraceEvent
from inspector.views.common import HtmxHttpRequest


@require_GET
async def page(request: HtmxHttpRequest, session_id: str, seq: int) -> HttpResponse:
    try:
        session = await services.session_get(session_id=session_id)
        event = await services.event_get(session_id=session_id, seq=seq)
    except services.SessionNotFound as exc:
        raise Http404("No such session.") from exc
    except services.EventNotFound as exc:
        raise Http404(f"This session has no event #{seq}.") from exc
    partner = await _partner(session_id, event)
    events = sorted([event, *([partner] if partner else [])], key=lambda each: each.seq or 0)
    later = await services.event_list_after(session_id=session_id, after_seq=seq, limit=1)
    context = {
        "session": session,
        "focus_seq": seq,
        "rows": event_rows(events),
        "previous_seq": seq - 1 if seq > 1 else None,
        "next_seq": later[0].seq if later else None,
    }
    return render(request, "inspector/event.html", context)


async def _partner(session_id: str, event: TraceEvent) -> TraceEvent | None:
    """The request a response answers, or the event that ended a request."""
    if event.request_seq is not None:
        try:
            return await services.event_get(session_id=session_id, seq=event.request_seq)
        except services.EventNotFound:
            return None
    if event.seq is not None and event.message_type is MessageType.REQUEST:
        return await services.event_answering(session_id=session_id, request_seq=event.seq)
    return None
