"""The Playground tab: chat with the configured model over the session's tools."""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_POST

from inspector import services
from inspector.middleware import request_owner_id
from inspector.views.common import HtmxHttpRequest, resident_snapshot

TEMPLATE = "inspector/tabs/playground.html#panel"


@require_GET
async def panel(request: HtmxHttpRequest, session_id: str) -> HttpResponse:
    return await _render(request, session_id, services.PlaygroundTurn())


@require_POST
async def send(request: HtmxHttpRequest, session_id: str) -> HttpResponse:
    await resident_snapshot(session_id)
    text = request.POST.get("text", "").strip()
    messages = _messages(request)
    if not text:
        return await _render(request, session_id, services.PlaygroundTurn(messages))
    turn = await _turn(
        services.playground_send(
            session_id=session_id,
            owner_id=await request_owner_id(request),
            messages=messages,
            text=text,
        ),
        messages,
    )
    return await _render(request, session_id, turn)


@require_POST
async def decide(request: HtmxHttpRequest, session_id: str) -> HttpResponse:
    await resident_snapshot(session_id)
    messages = _messages(request)
    turn = await _turn(
        services.playground_decide(
            session_id=session_id,
            owner_id=await request_owner_id(request),
            messages=messages,
            confirm=request.POST.get("decision") == "confirm",
        ),
        messages,
    )
    return await _render(request, session_id, turn)


async def _turn(asked: Any, messages: list[dict[str, Any]]) -> services.PlaygroundTurn:
    try:
        turn: services.PlaygroundTurn = await asked
    except services.ModelNotConfigured:
        return services.PlaygroundTurn(messages, error="No model is configured.")
    return turn


def _messages(request: HtmxHttpRequest) -> list[dict[str, Any]]:
    """The conversation the page sent back: the person's own, so only its shape is checked."""
    try:
        messages = json.loads(request.POST.get("messages") or "[]")
    except ValueError:
        return []
    if not isinstance(messages, list):
        return []
    return [message for message in messages if isinstance(message, dict)]


async def _render(
    request: HtmxHttpRequest, session_id: str, turn: services.PlaygroundTurn
) -> HttpResponse:
    context = {
        "session": await resident_snapshot(session_id),
        "model": await services.model_settings_get(owner_id=await request_owner_id(request)),
        "turn": turn,
    }
    return render(request, TEMPLATE, context)
