"""Saved servers: connect with one click, save, edit, delete, import and export files."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from inspector import services
from inspector.forms.connect import ConnectForm
from inspector.forms.servers import ExportConfigForm, ImportConfigForm, SavedServerForm
from inspector.middleware import request_owner_id
from inspector.presenters.wire import indented_json
from inspector.views.common import HtmxHttpRequest

CARD = "inspector/home.html#saved-servers"


async def saved_card_context(request: HtmxHttpRequest, **extra: Any) -> dict[str, Any]:
    """What the Saved servers card on the home page needs."""
    owner_id = await request_owner_id(request)
    servers = await services.saved_server_list(owner_id=owner_id)
    reports = await services.report_list_for_servers(owner_id=owner_id)
    return {"saved_servers": servers, "server_reports": reports, **extra}


def _home_or(request: HtmxHttpRequest, url: str | None = None) -> HttpResponse:
    target = url or reverse("home")
    return HttpResponseClientRedirect(target) if request.htmx else redirect(target)


@require_GET
async def index_json(request: HtmxHttpRequest) -> JsonResponse:
    servers = await services.saved_server_list(owner_id=await request_owner_id(request))
    return JsonResponse({"servers": [server.to_json() for server in servers]})


@require_POST
async def save(request: HtmxHttpRequest) -> HttpResponse:
    """The connect form's Save button: keep the settings under the "Save as" name."""
    form = ConnectForm(request.POST)
    saved = await save_from_connect_form(request, form) if form.is_valid() else None
    if not request.htmx:
        if saved is not None:
            return redirect("home")
        context = await saved_card_context(request, form=form)
        context["sessions"] = await services.session_list(owner_id=await request_owner_id(request))
        return render(request, "inspector/home.html", context, status=422)
    if saved is None:
        return render(request, "inspector/home.html#connect-form", {"form": form}, status=422)
    # The card lists the new server at once, swapped out of band next to the form.
    context = await saved_card_context(request, oob=True, form=form, saved=saved)
    return render(request, "inspector/servers/saved.html", context)


async def save_from_connect_form(
    request: HtmxHttpRequest, form: ConnectForm
) -> services.SavedServerSummary | None:
    """Save a valid connect form under its "Save as" name; None, with the error on the
    form, when it has no name or the name is taken."""
    name = form.cleaned_data.get("save_as", "").strip()
    if not name:
        form.add_error("save_as", "Give a name to save these settings under.")
        return None
    try:
        return await services.saved_server_create(
            name=name, spec=form.to_spec(), owner_id=await request_owner_id(request)
        )
    except (services.NameTaken, services.StdioNotAllowed, ValueError) as exc:
        form.add_error("save_as", str(exc))
        return None


@require_POST
async def connect(request: HtmxHttpRequest, server_id: int) -> HttpResponse:
    """One click: connect with a saved server's settings (a POST, like the connect form:
    a process is never started from a GET)."""
    context: dict[str, Any] = {}
    try:
        snapshot = await services.saved_server_connect(
            server_id=server_id,
            owner_id=await request_owner_id(request),
            started_by=request.access.user_id,
        )
    except services.SavedServerNotFound as exc:
        raise Http404("No such saved server.") from exc
    except (
        services.TooManySessions,
        services.StdioNotAllowed,
        services.UnreadableSecret,
    ) as exc:
        context["saved_error"] = str(exc)
    else:
        if snapshot.status is services.SessionStatus.CONNECTED or snapshot.needs_authorization:
            return _home_or(request, reverse("session", args=[snapshot.id]))
        context["saved_failed"] = snapshot
    context["saved_failed_id"] = server_id
    card = await saved_card_context(request, **context)
    if not request.htmx:
        card["form"] = ConnectForm()
        card["sessions"] = await services.session_list(owner_id=await request_owner_id(request))
        return render(request, "inspector/home.html", card, status=422)
    return render(request, CARD, card, status=422)


@require_http_methods(["GET", "POST"])
async def edit(request: HtmxHttpRequest, server_id: int) -> HttpResponse:
    owner = await request_owner_id(request)
    try:
        current = await services.saved_server_masked(server_id=server_id, owner_id=owner)
    except services.SavedServerNotFound as exc:
        raise Http404("No such saved server.") from exc
    except services.UnreadableSecret as exc:
        return render(
            request,
            "inspector/servers/unreadable.html",
            {"server_id": server_id, "error": str(exc)},
            status=409,
        )
    if request.method == "GET":
        form = SavedServerForm(initial=SavedServerForm.initial_for(current.name, current.spec))
        return render(
            request, "inspector/servers/edit.html", {"form": form, "server_id": server_id}
        )
    form = SavedServerForm(request.POST)
    if form.is_valid():
        try:
            await services.saved_server_update(
                server_id=server_id,
                name=form.cleaned_data["name"],
                spec=form.to_spec(),
                owner_id=owner,
            )
        except (services.NameTaken, ValueError) as exc:
            form.add_error("name", str(exc))
        except services.SavedServerNotFound as exc:
            raise Http404("No such saved server.") from exc
        else:
            return _home_or(request)
    template = "inspector/servers/edit.html"
    if request.htmx:
        template += "#edit-form"
    return render(request, template, {"form": form, "server_id": server_id}, status=422)


@require_POST
async def delete(request: HtmxHttpRequest, server_id: int) -> HttpResponse:
    try:
        name = await services.saved_server_delete(
            server_id=server_id, owner_id=await request_owner_id(request)
        )
    except services.SavedServerNotFound as exc:
        raise Http404("No such saved server.") from exc
    if not request.htmx:
        return redirect("home")
    return render(request, CARD, await saved_card_context(request, deleted=name))


@require_http_methods(["GET", "POST"])
async def import_config(request: HtmxHttpRequest) -> HttpResponse:
    template = "inspector/servers/import.html"
    if request.method == "GET":
        return render(request, template, {"form": ImportConfigForm()})
    form = ImportConfigForm(request.POST, request.FILES)
    context: dict[str, Any] = {"form": form}
    status = 422
    if form.is_valid():
        outcome = await services.saved_server_import(
            text=form.config_text(),
            owner_id=await request_owner_id(request),
            replace=form.cleaned_data["replace"],
        )
        context["outcome"] = outcome
        # Something kept is a success even when other entries were refused.
        status = 200 if outcome.kept or not outcome.errors else 422
        if outcome.kept:
            context["form"] = ImportConfigForm()
    if request.htmx:
        template += "#import-form"
    return render(request, template, context, status=status)


@require_POST
async def export(request: HtmxHttpRequest) -> HttpResponse:
    """An `mcpServers` file to download: one server or all, secrets only when asked."""
    form = ExportConfigForm(request.POST)
    if not form.is_valid():
        return HttpResponse("Cannot export: the request is malformed.", status=400)
    server = form.cleaned_data["server"]
    try:
        filename, document = await services.saved_server_export(
            owner_id=await request_owner_id(request),
            server_ids=None if server is None else [server],
            include_secrets=form.cleaned_data["include_secrets"],
        )
    except services.SavedServerNotFound as exc:
        raise Http404("No such saved server.") from exc
    except services.UnreadableSecret as exc:
        return HttpResponse(str(exc), status=409, content_type="text/plain; charset=utf-8")
    body = indented_json(document) + "\n"
    return HttpResponse(
        body.encode(),
        content_type="application/json; charset=utf-8",
        headers={
            "Content-Disposition": content_disposition_header(True, filename),
            # It may hold secrets: no cache keeps a copy.
            "Cache-Control": "no-store",
        },
    )
