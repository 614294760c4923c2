"""What a session's server last listed: tools, prompts, resources and templates by key.

Pages ask for one item by its key (a tool's name, a resource's URI) after the list was
shown; the catalog answers without listing again. It starts empty on every connection.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class Listing(StrEnum):
    TOOLS = "tools"
    PROMPTS = "prompts"
    RESOURCES = "resources"
    TEMPLATES = "templates"

    @property
    def method(self) -> str:
        return {
            "tools": "tools/list",
            "prompts": "prompts/list",
            "resources": "resources/list",
            "templates": "resources/templates/list",
        }[self.value]

    @property
    def result_key(self) -> str:
        return "resourceTemplates" if self is Listing.TEMPLATES else self.value

    @property
    def item_key(self) -> str:
        return {"tools": "name", "prompts": "name", "resources": "uri", "templates": "uriTemplate"}[
            self.value
        ]

    @property
    def capability(self) -> str:
        return "resources" if self is Listing.TEMPLATES else self.value


@dataclass(slots=True)
class Page:
    """One page of a listing, as the server sent it."""

    items: list[dict[str, Any]]
    next_cursor: str | None


class Catalog:
    def __init__(self) -> None:
        self._items: dict[Listing, dict[str, dict[str, Any]]] = {kind: {} for kind in Listing}
        self._complete: set[Listing] = set()
        self._listed: set[Listing] = set()
        self._first_pages: dict[Listing, int] = dict.fromkeys(Listing, 0)

    def first_pages(self, listing: Listing) -> int:
        """How many times the listing was started again from its first page."""
        return self._first_pages[listing]

    def remember(
        self, listing: Listing, page: Page, *, first: bool, first_pages_seen: int | None = None
    ) -> None:
        """Keep a page's items. A later page says with `first_pages_seen` how many first
        pages had been listed when it was asked for: if another began since (a tab and
        the palette listing at once), the catalog holds that listing's pages and this
        one's, and the last page does not make it complete."""
        if first:
            self._items[listing].clear()
            self._complete.discard(listing)
            self._listed.add(listing)
            self._first_pages[listing] += 1
        for item in page.items:
            key = item.get(listing.item_key)
            if isinstance(key, str):
                self._items[listing][key] = item
        same_listing = first or first_pages_seen == self._first_pages[listing]
        if page.next_cursor is None and same_listing:
            self._complete.add(listing)

    def listed(self, listing: Listing) -> bool:
        """Whether the server was asked for this listing on this connection."""
        return listing in self._listed

    def complete(self, listing: Listing) -> bool:
        """Whether the last listing was followed to its last page."""
        return listing in self._complete

    def keys(self, listing: Listing) -> list[str]:
        """The names (or URIs) of the last listing's items, as listed."""
        return list(self._items[listing])

    def find(self, listing: Listing, key: str) -> dict[str, Any] | None:
        return self._items[listing].get(key)


def page_of(listing: Listing, result: dict[str, Any]) -> Page:
    """The items of a list result (entries that are not objects are dropped)."""
    items = result.get(listing.result_key)
    cursor = result.get("nextCursor")
    return Page(
        [item for item in items if isinstance(item, dict)] if isinstance(items, list) else [],
        cursor if isinstance(cursor, str) and cursor else None,
    )
