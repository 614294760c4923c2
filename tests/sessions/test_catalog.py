"""What a session's catalog knows of the server's listings: whether one was listed, and
whether it was followed to its last page in one go."""

from __future__ import annotations

from inspector.sessions.catalog import Catalog, Listing, Page


def tools(*names: str) -> list[dict[str, object]]:
    return [{"name": name} for name in names]


def test_a_listing_followed_to_its_last_page_is_complete() -> None:
    catalog = Catalog()
    assert not catalog.listed(Listing.TOOLS)
    seen = catalog.first_pages(Listing.TOOLS)
    catalog.remember(Listing.TOOLS, Page(tools("a"), "2"), first=True)
    assert catalog.listed(Listing.TOOLS)
    assert not catalog.complete(Listing.TOOLS)
    seen = catalog.first_pages(Listing.TOOLS)
    catalog.remember(Listing.TOOLS, Page(tools("b"), None), first=False, first_pages_seen=seen)
    assert catalog.complete(Listing.TOOLS)
    assert catalog.keys(Listing.TOOLS) == ["a", "b"]
    assert not catalog.listed(Listing.PROMPTS)


def test_a_last_page_asked_for_before_another_first_page_does_not_complete_it() -> None:
    catalog = Catalog()
    catalog.remember(Listing.TOOLS, Page(tools("a"), "2"), first=True)
    seen = catalog.first_pages(Listing.TOOLS)  # the palette asks for page 2...
    catalog.remember(Listing.TOOLS, Page(tools("a"), "2"), first=True)  # ...a tab lists again
    catalog.remember(Listing.TOOLS, Page(tools("b"), None), first=False, first_pages_seen=seen)
    assert catalog.keys(Listing.TOOLS) == ["a", "b"]  # the tab's page shows "b": kept
    assert not catalog.complete(Listing.TOOLS)
