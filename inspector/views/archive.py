"""A session to a file and back: the JSON Lines export, the HAR of its HTTP exchanges,
and the import of such a file (or of a CLI trace) as a recorded session."""

from __future__ import annotations

from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from inspector import services
from inspector.forms.session_search import SessionSearchForm
from inspector.middleware import request_owner_id
from inspector.views.common import HtmxHttpRequest
from inspector.views.servers import saved_card_context
from inspector.views.session_list import sessions_context

# Larger than any session this inspector keeps in its database by default; a bigger
# file is refused before a line of it is stored.
MAX_IMPORT_BYTES = 2 * 1024 * 1024 * 1024


@require_GET
async def export(request: HtmxHttpRequest, session_id: str) -> StreamingHttpResponse:
    include_secrets = request.GET.get("secrets") == "1"
    try:
        made = await services.session_export(session_id=session_id, include_secrets=include_secrets)
    except services.SessionNotFound as exc:
        raise Http404("No such session.") from exc
    return _download(made)


@require_GET
async def har(request: HtmxHttpRequest, session_id: str) -> StreamingHttpResponse:
    try:
        made = await services.session_har(session_id=session_id)
    except services.SessionNotFound as exc:
        raise Http404("No such session.") from exc
    return _download(made)


def _download(made: services.Export) -> StreamingHttpResponse:
    response = StreamingHttpResponse(made.chunks, content_type=made.media_type)
    response["Content-Disposition"] = f'attachment; filename="{made.filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_POST
async def import_file(request: HtmxHttpRequest) -> HttpResponse:
    upload = request.FILES.get("file")
    problem = ""
    if upload is None:
        problem = "Choose a session file (.jsonl) to import."
    elif upload.size is not None and upload.size > MAX_IMPORT_BYTES:
        problem = f"{upload.name} is larger than this inspector imports (2 GB)."
    else:
        try:
            snapshot = await services.session_import(
                lines=upload, filename=upload.name or "session.jsonl",
                owner_id=await request_owner_id(request),
            )  # fmt: skip
        except services.ArchiveError as exc:
            problem = f"{upload.name} was not imported, {exc}. Nothing of it was kept."
        else:
            return redirect(reverse("session", args=[snapshot.id]))
    context = await saved_card_context(request)
    context.update(await sessions_context(request, SessionSearchForm()))
    context["import_error"] = problem
    from inspector.forms.connect import ConnectForm

    context["form"] = ConnectForm()
    return render(request, "inspector/home.html", context, status=422)
