"""The home page's Sessions card: a page of the sessions matching a search, its JSON twin,
and deleting one session or every ended session the search matches.

Without JavaScript a delete first shows a page asking to confirm; with htmx the browser
asks (`hx-confirm`) and the card is swapped in place.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from inspector import services
from inspector.forms.session_search import SessionSearchForm
from inspector.middleware import request_owner_id
from inspector.views.common import HtmxHttpRequest, snapshot_json

RESULTS = "inspector/home.html#sessions-results"
CONFIRM = "inspector/sessions_delete.html"


async def sessions_context(
    request: HtmxHttpRequest, form: SessionSearchForm, *, deleted: int | None = None
) -> dict[str, Any]:
    """What the Sessions card needs: the search form, the page it finds, and how many
    sessions a delete just took away (None: none was asked for)."""
    page = await services.session_page(
        owner_id=await request_owner_id(request), search=form.search(), page=form.page_number()
    )
    return {
        "search_form": form,
        "session_page": page,
        "sessions": page.sessions,
        "sessions_deleted": deleted,
    }


@require_GET
async def card(request: HtmxHttpRequest) -> HttpResponse:
    """The card's results alone, for a search as one types or a page turned without
    reloading; the address bar gets the home page's address of that search and page."""
    form = SessionSearchForm(request.GET)
    home = f"{reverse('home')}?{form.query(page=request.GET.get('page', ''))}"
    if not request.htmx:
        return redirect(home)
    response = render(request, RESULTS, await sessions_context(request, form))
    response["HX-Push-Url"] = home
    return response


@require_GET
async def index_json(request: HtmxHttpRequest) -> JsonResponse:
    form = SessionSearchForm(request.GET)
    page = await services.session_page(
        owner_id=await request_owner_id(request), search=form.search(), page=form.page_number()
    )
    answer: dict[str, Any] = {
        "sessions": [snapshot_json(session) for session in page.sessions],
        "total": page.total,
        "page": page.page,
        "pages": page.pages,
        "page_size": page.page_size,
    }
    if form.errors:
        # The page still holds what the valid fields find, as the HTML list shows it.
        return JsonResponse({**answer, "errors": form.errors.get_json_data()}, status=400)
    return JsonResponse(answer)


@require_POST
async def delete(request: HtmxHttpRequest, session_id: str) -> HttpResponse:
    owner_id = await request_owner_id(request)
    form = SessionSearchForm(_search_data(request))
    if not _confirmed(request):
        snapshot = await _owned(session_id, owner_id)
        return render(request, CONFIRM, {"session": snapshot, "search_form": form})
    try:
        await services.session_delete(session_id=session_id, owner_id=owner_id)
    except services.SessionNotFound as exc:
        raise Http404("No such session.") from exc
    return await _after_delete(request, form, 1)


@require_POST
async def delete_matching(request: HtmxHttpRequest) -> HttpResponse:
    form = SessionSearchForm(_search_data(request))
    if not form.is_valid():
        # The list leaves a wrong field out; a delete must not: it would reach further
        # than the person asked.
        context = await sessions_context(request, form)
        refused = {**context, "sessions_refused": True}
        template = RESULTS if request.htmx else "inspector/home.html"
        return render(request, template, refused, status=422)
    if not _confirmed(request):
        context = await sessions_context(request, form)
        return render(request, CONFIRM, {**context, "matching": True})
    count = await services.session_delete_matching(
        owner_id=await request_owner_id(request), search=form.search()
    )
    return await _after_delete(request, form, count)


async def _owned(session_id: str, owner_id: int | None) -> services.SessionSnapshot:
    try:
        return await services.session_owned(session_id=session_id, owner_id=owner_id)
    except services.SessionNotFound as exc:
        raise Http404("No such session.") from exc


def _confirmed(request: HtmxHttpRequest) -> bool:
    return request.POST.get("confirmed") == "1"


def _search_data(request: HtmxHttpRequest) -> dict[str, str]:
    """The search the list showed when the delete was asked for, so it is shown again."""
    return {name: request.POST.get(name, "") for name in ("q", "status", "since", "until", "page")}


async def _after_delete(
    request: HtmxHttpRequest, form: SessionSearchForm, count: int
) -> HttpResponse:
    """The list again, saying how many went; without JavaScript, by a redirect to the home
    page whose query carries the count (a number only: a link cannot make it say more)."""
    if not request.htmx:
        query = form.query(page=form.data.get("page", ""), deleted=count)
        return redirect(f"{reverse('home')}?{query}#sessions-heading")
    return render(request, RESULTS, await sessions_context(request, form, deleted=count))


def deleted_count(request: HtmxHttpRequest) -> int | None:
    """The count a delete's redirect carries, if any."""
    text = request.GET.get("deleted", "")
    return int(text) if text.isdigit() else None
