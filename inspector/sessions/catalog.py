"""What a session's server last listed: tools, prompts, resources and templates by key.

Pages ask for one item by its key (a tool's name, a resource's URI) after the list was
shown; the catalog answers without listing again. It starts empty on every connection.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
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


@dataclass(frozen=True, slots=True)
class CacheHint:
    """How long a result may be reused, and by whom (2026-07-28 `ttlMs`, `cacheScope`)."""

    ttl_ms: int | None
    scope: str | None
    received_at: float = field(default_factory=time.time)

    @property
    def expires_at(self) -> float | None:
        return self.received_at + self.ttl_ms / 1000 if self.ttl_ms is not None else None

    def fresh(self, now: float | None = None) -> bool:
        expires = self.expires_at
        return expires is not None and (now if now is not None else time.time()) < expires


def cache_hint(result: dict[str, Any]) -> CacheHint | None:
    """The caching hints of a list, read or discover result; None when it has none."""
    ttl = result.get("ttlMs")
    scope = result.get("cacheScope")
    ttl_ms = ttl if isinstance(ttl, int) and not isinstance(ttl, bool) and ttl >= 0 else None
    scope_text = scope if isinstance(scope, str) else None
    if ttl_ms is None and scope_text is None:
        return None
    return CacheHint(ttl_ms, scope_text)


@dataclass(slots=True)
class Page:
    """One page of a listing, as the server sent it."""

    items: list[dict[str, Any]]
    next_cursor: str | None
    cache: CacheHint | None = None


class Catalog:
    def __init__(self) -> None:
        self._items: dict[Listing, dict[str, dict[str, Any]]] = {kind: {} for kind in Listing}
        self._cache: dict[Listing, CacheHint] = {}

    def remember(self, listing: Listing, page: Page, *, first: bool) -> None:
        if first:
            self._items[listing].clear()
            self._cache.pop(listing, None)
        if page.cache is not None:
            self._cache[listing] = page.cache
        for item in page.items:
            key = item.get(listing.item_key)
            if isinstance(key, str):
                self._items[listing][key] = item

    def find(self, listing: Listing, key: str) -> dict[str, Any] | None:
        return self._items[listing].get(key)

    def cache_hint(self, listing: Listing) -> CacheHint | None:
        """The caching hints of the listing's last page, if the server gave any."""
        return self._cache.get(listing)


def page_of(listing: Listing, result: dict[str, Any]) -> Page:
    """The items of a list result (entries that are not objects are dropped)."""
    items = result.get(listing.result_key)
    cursor = result.get("nextCursor")
    return Page(
        [item for item in items if isinstance(item, dict)] if isinstance(items, list) else [],
        cursor if isinstance(cursor, str) and cursor else None,
        cache_hint(result),
    )
