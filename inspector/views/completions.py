"""Argument completion (`completion/complete`) for prompt arguments and template variables.

An input posts its whole form as the person types (debounced by the page): the argument
being typed, and the other filled values, which go to the server as `context.arguments`
where the negotiated version has it. The answer is the input's datalist.
"""

from __future__ import annotations

import re
from typing import Any

from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_POST

from inspector import services
from inspector.presenters.completions import CompletionView, completion_view
from inspector.presenters.prompts import PROMPT_PREFIX, prompt_schema
from inspector.presenters.resources import TEMPLATE_PREFIX, string_arguments, template_schema
from inspector.schemaform.state import posted_state
from inspector.views.common import (
    HtmxHttpRequest,
    catalog_item_or_404,
    fresh_call_key,
    resident_snapshot,
)

TEMPLATE = "inspector/tabs/prompts.html#suggestions"
# The id the form gave the input (schemaform's `html_id`), which names its datalist.
_FIELD_ID = re.compile(r"^f-[A-Za-z0-9_-]{1,300}$")
MAX_ARGUMENT_CHARS = 1000


def completion_url(snapshot: services.SessionSnapshot, kind: str) -> str:
    """Where a form of this `kind` (prompt, resource) asks for suggestions; empty when the
    server offers no completions."""
    if not snapshot.offers("completions"):
        return ""
    return reverse("session-complete", args=[snapshot.id, kind])


@require_POST
async def complete(request: HtmxHttpRequest, session_id: str, kind: str) -> HttpResponse:
    snapshot = await resident_snapshot(session_id)
    field_id = request.POST.get("completion_field", "")
    argument = request.POST.get("completion_argument", "")
    if not _FIELD_ID.match(field_id) or not argument or len(argument) > MAX_ARGUMENT_CHARS:
        return HttpResponseBadRequest("A completion needs the argument and its field.")
    ref, schema, prefix = await _reference(session_id, kind, request.POST)
    context: dict[str, Any] = {
        "field_id": field_id,
        "note_id": f"{kind}-completion-note",
        "argument": argument,
    }
    if not snapshot.offers("completions"):
        # The form offers no completion then; a stale page still gets a harmless answer.
        context["completion"] = CompletionView()
        context["note_id"] = ""
        return render(request, TEMPLATE, context)
    values = string_arguments(posted_state(schema, request.POST, prefix=prefix).arguments)
    call = await services.completion_complete(
        session_id=session_id,
        ref=ref,
        argument=argument,
        value=values.get(argument, ""),
        others={name: value for name, value in values.items() if name != argument},
        call_key=fresh_call_key(),
    )
    context["completion"] = completion_view(call)
    return render(request, TEMPLATE, context)


async def _reference(session_id: str, kind: str, data: Any) -> tuple[dict[str, str], Any, str]:
    """The `ref` of a completion, the schema its form was built from, and its prefix."""
    if kind == "prompt":
        name = str(data.get("prompt", ""))
        prompt = await catalog_item_or_404(session_id, services.Listing.PROMPTS, name, "prompt")
        return {"type": "ref/prompt", "name": name}, prompt_schema(prompt), PROMPT_PREFIX
    if kind == "resource":
        uri_template = str(data.get("uri_template", ""))
        await catalog_item_or_404(session_id, services.Listing.TEMPLATES, uri_template, "template")
        schema = template_schema(uri_template)
        return {"type": "ref/resource", "uri": uri_template}, schema, TEMPLATE_PREFIX
    raise Http404("No such completion.")
