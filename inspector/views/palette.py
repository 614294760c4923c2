"""What the command palette (Ctrl+K) can open, as JSON, asked for when the palette opens:
on any page the main places and the saved servers; on a session's page also its tabs and
every tool, resource, resource template and prompt its server lists.

Each entry says what choosing it does (`action`), and the palette's script does only
that: show a tab, load an item's detail into its tab, follow a link, or post a form.
Names come from servers and people: the script renders them as text.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, JsonResponse
from django.urls import reverse
from django.views.decorators.http import require_GET

from inspector import services
from inspector.middleware import request_owner_id
from inspector.presenters.tools import display_name
from inspector.services import Listing
from inspector.views.common import HtmxHttpRequest, fresh_call_key
from inspector.views.session import session_tabs

# A description is a hint under the name, not the whole text.
HINT_LENGTH = 120

# Where each listing's items open: the group they are shown under, and the element their
# detail goes into. The palette's script clicks the item in its tab's list (paging the
# list until it is there), as a person would: the tab's own listing is then what the
# detail is read from.
OPENS: dict[Listing, tuple[str, str]] = {
    Listing.TOOLS: ("Tools", "#tool-detail"),
    Listing.RESOURCES: ("Resources", "#resource-detail"),
    Listing.TEMPLATES: ("Resource templates", "#resource-detail"),
    Listing.PROMPTS: ("Prompts", "#prompt-detail"),
}


@require_GET
async def everywhere(request: HtmxHttpRequest) -> JsonResponse:
    """The palette on a page that is not a session's."""
    return JsonResponse({"entries": _places() + await _saved_servers(request)})


@require_GET
async def for_session(request: HtmxHttpRequest, session_id: str) -> JsonResponse:
    """The palette on a session's page: its tabs and its server's items first."""
    try:
        snapshot = await services.session_get(session_id=session_id)
    except services.SessionNotFound as exc:
        raise Http404("No such session.") from exc
    tabs = [
        {"group": "Tabs", "label": tab.label, "hint": "", "action": "tab", "tab": tab.slug}
        for tab in session_tabs(snapshot)
    ]
    catalog = (
        await services.palette_catalog(
            session_id=session_id,
            call_key=fresh_call_key(),
            ask_server=request.access.may_act,
        )
        if snapshot.connected
        else {}
    )
    items = [
        _item(listing, item)
        for listing, listed in catalog.items()
        for item in listed
        if isinstance(item.get(listing.item_key), str)
    ]
    places = [
        *_places(),
        _go("Compare with another session", reverse("session-compare", args=[session_id])),
        _go("Replay this session", reverse("session-replay", args=[session_id])),
    ]
    entries = items + tabs + await _saved_servers(request) + places
    return JsonResponse({"entries": entries})


def _item(listing: Listing, item: dict[str, Any]) -> dict[str, Any]:
    group, target = OPENS[listing]
    key = item[listing.item_key]
    by_uri = listing in (Listing.RESOURCES, Listing.TEMPLATES)
    # A resource is known by its URI, a tool or prompt by its name; the other name (and
    # the description) is the hint under it.
    label = key if by_uri else display_name(item)
    other = display_name(item) if by_uri else key
    description = item.get("description")
    parts = [other if other != label else "", description if isinstance(description, str) else ""]
    return {
        "group": group,
        "label": label,
        "hint": " · ".join(part for part in parts if part)[:HINT_LENGTH],
        "action": "open",
        "tab": listing.capability,
        "list": f"#items-{listing.value}",
        "key": key,
        "target": target,
    }


def _places() -> list[dict[str, Any]]:
    return [
        _go("Sessions and connect (home)", reverse("home")),
        _go("Import servers from a configuration file", reverse("servers-import")),
    ]


def _go(label: str, url: str, hint: str = "") -> dict[str, Any]:
    return {"group": "Go to", "label": label, "hint": hint, "action": "go", "url": url}


async def _saved_servers(request: HtmxHttpRequest) -> list[dict[str, Any]]:
    servers = await services.saved_server_list(owner_id=await request_owner_id(request))
    return [
        {
            "group": "Saved servers",
            "label": server.name,
            "hint": f"Connect · {server.transport.label} · {server.target}"[:HINT_LENGTH],
            "action": "post",
            "url": reverse("server-connect", args=[server.id]),
        }
        for server in servers
    ]
