"""The home page: the connect form, the saved servers and the list of sessions."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRedirect

from inspector import services
from inspector.forms.connect import ConnectForm, prefill
from inspector.forms.connect_paste import pasted_fields, pasted_message
from inspector.forms.session_search import SessionSearchForm
from inspector.middleware import request_owner_id
from inspector.views.common import HtmxHttpRequest
from inspector.views.servers import save_from_connect_form, saved_card_context
from inspector.views.session_list import deleted_count, sessions_context


@require_GET
async def index(request: HtmxHttpRequest) -> HttpResponse:
    form = ConnectForm(initial=prefill(settings.INSPECTOR_PREFILL))
    context = await saved_card_context(request, form=form)
    search = SessionSearchForm(request.GET)
    context.update(await sessions_context(request, search, deleted=deleted_count(request)))
    return render(request, "inspector/home.html", context)


@require_POST
async def connect(request: HtmxHttpRequest) -> HttpResponse:
    """A server process is started only by a POST: of this form, or a saved server's Connect."""
    form = ConnectForm(request.POST)
    context: dict[str, object] = {"form": form}
    # With a "Save as" name the settings are kept first; a taken name stops the connect.
    saved = None
    if form.is_valid() and form.cleaned_data["save_as"].strip():
        saved = await save_from_connect_form(request, form)
    if form.is_valid():
        try:
            snapshot = await services.session_connect(
                spec=form.to_spec(),
                owner_id=await request_owner_id(request),
                started_by=request.access.user_id,
            )
        except services.TooManySessions as exc:
            form.add_error(None, str(exc))
        else:
            # A server that wants authorization: its page says so and offers to authorize.
            if snapshot.status is services.SessionStatus.CONNECTED or snapshot.needs_authorization:
                url = reverse("session", args=[snapshot.id])
                return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
            context["failed"] = snapshot
    template = "inspector/home.html#connect-form" if request.htmx else "inspector/home.html"
    if not request.htmx:
        context.update(await sessions_context(request, SessionSearchForm()))
        context.update(await saved_card_context(request))
    elif saved is not None:
        # The failed connect was saved all the same: the card shows it out of band.
        context.update(await saved_card_context(request, oob=True), saved=saved)
        template = "inspector/servers/saved.html"
    status = 422 if not form.is_valid() or "failed" in context else 200
    return render(request, template, context, status=status)


@require_POST
async def paste(request: HtmxHttpRequest) -> JsonResponse:
    """What a text pasted into the connect form describes, as the form's values: read
    only, so nothing starts before the person presses Connect."""
    pasted = await services.server_paste_read(text=request.POST.get("text", ""))
    return JsonResponse(
        {
            "recognised": pasted.spec is not None,
            "kind": pasted.kind,
            "message": pasted_message(pasted),
            "fields": pasted_fields(pasted),
        }
    )
