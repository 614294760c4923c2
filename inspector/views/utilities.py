"""Utilities of the protocol: ping with its round-trip time, and the server's log level."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_POST

from inspector import services
from inspector.presenters.failures import failure_text
from inspector.services import LOG_LEVELS
from inspector.views.common import HtmxHttpRequest, fresh_call_key, resident_snapshot

PING_RESULT = "inspector/session.html#ping-result"


@require_POST
async def ping(request: HtmxHttpRequest, session_id: str) -> HttpResponse:
    await resident_snapshot(session_id)
    pong = await services.server_ping(session_id=session_id, call_key=fresh_call_key())
    if pong.error is not None:
        return render(request, PING_RESULT, {"failure": failure_text(pong.error)})
    took = f"{pong.duration_ms:.1f} ms" if pong.duration_ms is not None else "?"
    return render(request, PING_RESULT, {"took": took})


@require_POST
async def set_log_level(request: HtmxHttpRequest, session_id: str) -> HttpResponse:
    """`logging/setLevel`; in the modern era, which has none, the level every request
    asks for in its `_meta` (empty: none)."""
    snapshot = await resident_snapshot(session_id)
    level = request.POST.get("level", "")
    context: dict[str, Any] = {"level": level, "per_request": snapshot.modern}
    if level not in LOG_LEVELS and not (snapshot.modern and level == ""):
        context["error"] = f"{level!r} is not a log level."
    else:
        call = await services.log_level_set(
            session_id=session_id, level=level or None, call_key=fresh_call_key()
        )
        if call.error is not None:
            context["error"] = failure_text(call.error)
    return render(request, "inspector/tabs/logs.html#set-level-result", context)
