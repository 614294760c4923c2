"""Utilities of the protocol: ping with its round-trip time, and the server's log level."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_POST

from inspector import services
from inspector.rendering import LOG_LEVELS
from inspector.views.common import HtmxHttpRequest, failure_text, live_snapshot

PING_RESULT = "inspector/session.html#ping-result"


@require_POST
async def ping(request: HtmxHttpRequest, session_id: str) -> HttpResponse:
    await live_snapshot(session_id)
    call = await services.session_call(session_id, "ping", None, call_key=services.new_call_key())
    if call.error is not None:
        return render(request, PING_RESULT, {"failure": failure_text(call.error)})
    event = (
        await services.session_event(session_id, call.response_seq) if call.response_seq else None
    )
    took = (
        f"{event.duration_ms:.1f} ms"
        if event is not None and event.duration_ms is not None
        else "?"
    )
    return render(request, PING_RESULT, {"took": took})


@require_POST
async def set_log_level(request: HtmxHttpRequest, session_id: str) -> HttpResponse:
    """`logging/setLevel`; in the modern era, which has none, the level every request
    asks for in its `_meta` (empty: none)."""
    snapshot = await live_snapshot(session_id)
    level = request.POST.get("level", "")
    context: dict[str, Any] = {"level": level, "per_request": snapshot.modern}
    if level not in LOG_LEVELS and not (snapshot.modern and level == ""):
        context["error"] = f"{level!r} is not a log level."
    else:
        call = await services.session_set_log_level(
            session_id, level or None, call_key=services.new_call_key()
        )
        if call.error is not None:
            context["error"] = failure_text(call.error)
    return render(request, "inspector/tabs/logs.html#set-level-result", context)
