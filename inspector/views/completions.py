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
from django.views.decorators.http import require_POST

from inspector import services
from inspector.presenters.completions import (
    CompletionView,
    completion_view,
    sends_completion_context,
)
from inspector.presenters.prompts import PROMPT_PREFIX, prompt_schema
from inspector.presenters.resources import TEMPLATE_PREFIX, string_arguments, template_schema
from inspector.schemaform.state import posted_state
from inspector.sessions.catalog import Listing
from inspector.views.common import HtmxHttpRequest, live_snapshot

TEMPLATE = "inspector/tabs/prompts.html#suggestions"
# The id the form gave the input (schemaform's `html_id`), which names its datalist.
_FIELD_ID = re.compile(r"^f-[A-Za-z0-9_-]{1,300}$")
MAX_ARGUMENT_CHARS = 1000


@require_POST
async def complete(request: HtmxHttpRequest, session_id: str, kind: str) -> HttpResponse:
    snapshot = await live_snapshot(session_id)
    field_id = request.POST.get("completion_field", "")
    argument = request.POST.get("completion_argument", "")
    if not _FIELD_ID.match(field_id) or not argument or len(argument) > MAX_ARGUMENT_CHARS:
        return HttpResponseBadRequest("A completion needs the argument and its field.")
    ref, schema, prefix = _reference(session_id, kind, request.POST)
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
    params: dict[str, Any] = {
        "ref": ref,
        "argument": {"name": argument, "value": values.get(argument, "")},
    }
    others = {name: value for name, value in values.items() if name != argument}
    version = (snapshot.server or {}).get("protocol_version")
    if others and sends_completion_context(version):
        params["context"] = {"arguments": others}
    call = await services.session_call(
        session_id, "completion/complete", params, call_key=services.new_call_key()
    )
    context["completion"] = completion_view(call)
    return render(request, TEMPLATE, context)


def _reference(session_id: str, kind: str, data: Any) -> tuple[dict[str, Any], Any, str]:
    """The `ref` of a completion, the schema its form was built from, and its prefix."""
    if kind == "prompt":
        name = str(data.get("prompt", ""))
        prompt = services.session_catalog_item(session_id, Listing.PROMPTS, name)
        if prompt is None:
            raise Http404("This prompt is not in the server's last listing.")
        return {"type": "ref/prompt", "name": name}, prompt_schema(prompt), PROMPT_PREFIX
    if kind == "resource":
        uri_template = str(data.get("uri_template", ""))
        if services.session_catalog_item(session_id, Listing.TEMPLATES, uri_template) is None:
            raise Http404("This template is not in the server's last listing.")
        schema = template_schema(uri_template)
        return {"type": "ref/resource", "uri": uri_template}, schema, TEMPLATE_PREFIX
    raise Http404("No such completion.")
