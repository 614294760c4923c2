"""The Prompts tab: arguments, getting a prompt, its messages."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import reswap

from inspector import services
from inspector.presenters.prompts import PROMPT_PREFIX, prompt_result_view, prompt_schema
from inspector.presenters.resources import string_arguments
from inspector.presenters.tools import display_name
from inspector.schemaform.state import ArgumentsState, fresh_state, posted_state
from inspector.views.common import HtmxHttpRequest, call_key, catalog_item_or_404, resident_snapshot
from inspector.views.completions import completion_url

TEMPLATE = "inspector/tabs/prompts.html"


@require_GET
async def panel(request: HtmxHttpRequest, session_id: str) -> HttpResponse:
    snapshot = await resident_snapshot(session_id)
    return render(request, f"{TEMPLATE}#panel", {"session": snapshot})


async def _prompt(session_id: str, name: str) -> dict[str, Any]:
    return await catalog_item_or_404(session_id, services.Listing.PROMPTS, name, "prompt")


def _context(
    snapshot: services.SessionSnapshot, prompt: dict[str, Any], state: ArgumentsState
) -> dict[str, Any]:
    return {
        "session": snapshot,
        "prompt": prompt,
        "prompt_name": str(prompt.get("name", "")),
        "title": display_name(prompt),
        "state": state,
        "completion_url": completion_url(snapshot, "prompt"),
    }


@require_GET
async def detail(request: HtmxHttpRequest, session_id: str) -> HttpResponse:
    snapshot = await resident_snapshot(session_id)
    prompt = await _prompt(session_id, request.GET.get("name", ""))
    state = fresh_state(prompt_schema(prompt), prefix=PROMPT_PREFIX)
    for bound in state.form.walk():
        # Nobody has typed anything yet: a missing required argument is not an error until
        # a get is tried (the form is checked on every get).
        bound.errors = []
    return render(request, f"{TEMPLATE}#prompt-detail", _context(snapshot, prompt, state))


@require_POST
async def get(request: HtmxHttpRequest, session_id: str) -> HttpResponse:
    snapshot = await resident_snapshot(session_id)
    prompt = await _prompt(session_id, request.POST.get("prompt", ""))
    state = posted_state(prompt_schema(prompt), request.POST, prefix=PROMPT_PREFIX)
    context = _context(snapshot, prompt, state)
    if not state.valid and request.POST.get("force") != "1":
        # Nothing is sent: the status says why and offers to send anyway.
        context["blocked"] = True
        return reswap(render(request, f"{TEMPLATE}#arguments-status-oob", context), "none")
    name = context["prompt_name"]
    arguments = string_arguments(state.arguments)
    call = await services.prompt_get(
        session_id=session_id, name=name, arguments=arguments, call_key=call_key(request)
    )
    context["result"] = prompt_result_view(name, call, arguments, state.violations)
    context["result_findings"] = await services.answer_findings(session_id=session_id, call=call)
    context["cli"] = await services.prompt_get_command(
        session_id=session_id, name=name, arguments=arguments
    )
    return render(request, f"{TEMPLATE}#prompt-result", context)
