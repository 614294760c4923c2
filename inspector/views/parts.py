"""Parts of stored messages: the full text of a long block, an image, a download.

What is served comes from a server and is not trusted: binary data is served inline only
for raster images and audio, everything else as an attachment, always with nosniff and a
sandboxing policy, so nothing a server sends can run in the inspector's origin.
"""

from __future__ import annotations

import base64
import binascii
import re

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from inspector import services
from inspector.presenters.content import INLINE_IMAGE_TYPES, is_inline_audio, payload_part
from inspector.presenters.wire import indented_json
from inspector.views.common import HtmxHttpRequest

FIELDS = frozenset({"text", "data", "blob", "structuredContent"})
_AT = re.compile(r"^[A-Za-z0-9_.]{1,200}$")


@require_GET
async def event_part(request: HtmxHttpRequest, session_id: str, seq: int) -> HttpResponse:
    at = request.GET.get("at", "")
    field = request.GET.get("field", "text")
    if not _AT.match(at) or field not in FIELDS:
        raise Http404("No such part.")
    try:
        event = await services.event_get(session_id=session_id, seq=seq)
    except services.EventNotFound as exc:
        raise Http404("No such event.") from exc
    block = payload_part(event.payload, at)
    value = block.get(field) if isinstance(block, dict) else None
    name = f"{session_id}-{seq}-{at}"
    if field == "structuredContent" and isinstance(block, dict) and field in block:
        text = indented_json(value)
        response = HttpResponse(text, content_type="application/json; charset=utf-8")
        return _guarded(response, name, ".json", True)
    if not isinstance(value, str):
        raise Http404("This part of the event holds no content.")
    download = request.GET.get("download") == "1"
    if field == "text":
        if request.GET.get("show") == "all" and not download:
            return render(request, "inspector/includes/content.html#full-text", {"text": value})
        return _guarded(
            HttpResponse(value, content_type="text/plain; charset=utf-8"), name, ".txt", download
        )
    try:
        data = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return HttpResponse(
            "The server's base64 data does not decode.", status=422, content_type="text/plain"
        )
    mime = block.get("mimeType") if isinstance(block, dict) else None
    mime = mime if isinstance(mime, str) else ""
    inline = mime in INLINE_IMAGE_TYPES or is_inline_audio(mime)
    if inline and not download:
        return _guarded(HttpResponse(data, content_type=mime), name, "", False)
    return _guarded(HttpResponse(data, content_type="application/octet-stream"), name, ".bin", True)


def _guarded(response: HttpResponse, name: str, extension: str, attachment: bool) -> HttpResponse:
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    if attachment:
        response["Content-Disposition"] = f'attachment; filename="{name}{extension}"'
    return response
