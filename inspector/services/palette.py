"""What the command palette finds in a session: every tool, prompt, resource and resource
template its server lists.

The catalog holds what the session's tabs last listed. A listing that no tab followed to
its last page is listed here, every page of it (up to a bound), so that the palette
finds an item on a page the person never opened. The palette answers from the pages it
listed itself: a tab, or another palette, listing at the same time restarts the
catalog's listing, never this answer's.
"""

from __future__ import annotations

import copy
from typing import Any

from inspector.services.calls import listing_page
from inspector.services.snapshots import from_live, resident_session
from inspector.sessions.catalog import Listing

# A server that pages without end must not hold the palette open for ever.
MAX_PAGES = 20


async def palette_catalog(
    *, session_id: str, call_key: str, ask_server: bool = True
) -> dict[Listing, list[dict[str, Any]]]:
    """The items of each listing the connected server offers, as it listed them (copies);
    empty for a session that is not connected. Without `ask_server` (a viewer watching),
    only what the session's listings already hold."""
    session = resident_session(session_id)
    snapshot = from_live(session)
    if not snapshot.connected:
        return {}
    found: dict[Listing, list[dict[str, Any]]] = {}
    for listing in Listing:
        if not snapshot.offers(listing.capability):
            continue
        if session.catalog.complete(listing) or not ask_server:
            items = (session.catalog.find(listing, key) for key in session.catalog.keys(listing))
            found[listing] = [copy.deepcopy(item) for item in items if item is not None]
        else:
            found[listing] = await _list_all(session_id, listing, call_key)
    return found


async def _list_all(session_id: str, listing: Listing, call_key: str) -> list[dict[str, Any]]:
    """Every page's items, once each by key, in the server's order."""
    by_key: dict[str, dict[str, Any]] = {}
    cursor: str | None = None
    for _ in range(MAX_PAGES):
        _call, page = await listing_page(
            session_id=session_id, listing=listing, cursor=cursor, call_key=call_key
        )
        if page is None:
            break
        for item in page.items:
            key = item.get(listing.item_key)
            if isinstance(key, str):
                by_key.setdefault(key, copy.deepcopy(item))
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    return list(by_key.values())
