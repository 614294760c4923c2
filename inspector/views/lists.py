"""A server's listings, page by page: tools, prompts, resources, resource templates."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from inspector import services
from inspector.mcp.apps import app_only
from inspector.presenters.cache_hints import cache_hint
from inspector.presenters.failures import failure_text
from inspector.services import Listing
from inspector.views.common import HtmxHttpRequest, fresh_call_key, resident_snapshot

ITEM_TEMPLATES = {
    Listing.TOOLS: "inspector/tabs/tools.html#list-item",
    Listing.PROMPTS: "inspector/tabs/prompts.html#list-item",
    Listing.RESOURCES: "inspector/tabs/resources.html#list-item",
    Listing.TEMPLATES: "inspector/tabs/resources.html#template-item",
}
LABELS = {
    Listing.TOOLS: "Tools",
    Listing.PROMPTS: "Prompts",
    Listing.RESOURCES: "Resources",
    Listing.TEMPLATES: "Resource templates",
}


@require_GET
async def list_page(request: HtmxHttpRequest, session_id: str, listing: str) -> HttpResponse:
    """The first page renders the whole list; a cursor's page is appended to it."""
    try:
        kind = Listing(listing)
    except ValueError as exc:
        raise Http404("No such listing.") from exc
    snapshot = await resident_snapshot(session_id)
    cursor = request.GET.get("cursor") or None
    if not request.access.may_act:
        return await _as_last_listed(request, snapshot, kind)
    call, page = await services.listing_page(
        session_id=session_id, listing=kind, cursor=cursor, call_key=fresh_call_key()
    )
    error = failure_text(call.error) if call.error is not None else ""
    context = await _list_context(
        snapshot,
        kind,
        page.items if page else [],
        next_cursor=page.next_cursor if page else None,
        cache=cache_hint(call.result),
    )
    if cursor is None:
        context["error"] = error
        return render(request, "inspector/lists.html#list-block", context)
    context["page_error"] = error
    context["retry_cursor"] = cursor
    return render(request, "inspector/lists.html#list-page", context)


async def _as_last_listed(
    request: HtmxHttpRequest, snapshot: services.SessionSnapshot, kind: Listing
) -> HttpResponse:
    """A viewer watches: the list as the session last listed it (every page its members
    loaded), with no request to the server."""
    listed = await services.catalog_items(session_id=snapshot.id, listing=kind)
    context = await _list_context(snapshot, kind, listed or [], next_cursor=None, cache="")
    context["error"] = ""
    context["not_listed_yet"] = listed is None
    return render(request, "inspector/lists.html#list-block", context)


async def _list_context(
    snapshot: services.SessionSnapshot,
    kind: Listing,
    items: list[dict[str, Any]],
    *,
    next_cursor: str | None,
    cache: str,
) -> dict[str, Any]:
    if kind is Listing.TOOLS:
        # MCP Apps: a tool visible only to apps is not the person's to call.
        items = [item for item in items if not app_only(item)]
    context: dict[str, Any] = {
        "session": snapshot,
        "listing": kind.value,
        "listing_label": LABELS[kind],
        "items": items,
        "next_cursor": next_cursor,
        "item_template": ITEM_TEMPLATES[kind],
        "list_url": reverse("session-list", args=[snapshot.id, kind.value]),
        "cache": cache,
    }
    if kind is Listing.TOOLS and snapshot.modern:
        context["excluded"] = await services.tool_list_excluded(session_id=snapshot.id)
    return context
