"""In Chromium: the home page's sessions list turned a page, searched as one types and by
status, and a live session deleted after the browser's confirmation."""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import run_inspector
from tests.browser.support import choose_era

pytestmark = pytest.mark.browser

REPO_ROOT = Path(__file__).resolve().parents[2]
SCREENS = os.environ.get("INSPECTOR_SCREENS", "")
IMPORTED = 25
DASH = "\u2013"  # the en dash between the first and last of a page


def screenshot(page: Page, name: str) -> None:
    if SCREENS:
        page.screenshot(path=str(Path(SCREENS) / f"{name}.png"), full_page=True)


@pytest.fixture
def own_inspector() -> Iterator[str]:
    """An inspector of this test's own: it counts every session it holds."""
    with run_inspector() as url:
        yield url


def connect_live(page: Page) -> str:
    form = page.get_by_role("region", name="Connect to a server")
    form.get_by_label("Transport", exact=True).select_option("stdio")
    choose_era(form, "legacy")
    form.get_by_label("Command", exact=True).fill(sys.executable)
    form.get_by_label("Arguments", exact=True).fill("-m tests.servers.everything_py")
    form.get_by_label("Working directory", exact=True).fill(str(REPO_ROOT))
    form.get_by_role("button", name="Connect").click()
    expect(page.get_by_role("status", name="Session status")).to_have_text("connected")
    match = re.search(r"/sessions/([0-9a-f]{32})/", page.url)
    assert match
    return match.group(1)


def import_copies(page: Page, base: str, session_id: str, tmp_path: Path, count: int) -> None:
    """The live session's file, imported `count` times, as the import form posts it."""
    exported = page.request.get(f"{base}sessions/{session_id}/export")
    assert exported.ok
    path = tmp_path / "session.jsonl"
    path.write_bytes(exported.body())
    token = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
    for _ in range(count):
        answer = page.request.post(
            f"{base}sessions/import",
            multipart={
                "file": {
                    "name": "session.jsonl",
                    "mimeType": "application/x-ndjson",
                    "buffer": path.read_bytes(),
                }
            },
            headers={"X-CSRFToken": token},
        )
        assert answer.ok, answer.text()[:500]


def test_the_sessions_list_pages_searches_and_deletes(
    page: Page, own_inspector: str, tmp_path: Path
) -> None:
    base = own_inspector.split("?")[0]
    page.goto(own_inspector)
    live = connect_live(page)
    import_copies(page, base, live, tmp_path, IMPORTED)

    page.get_by_role("link", name="Sessions").click()
    card = page.locator("#sessions-card")
    count = card.locator("#sessions-count")
    expect(count).to_have_text(f"Sessions 1{DASH}25 of {IMPORTED + 1}.")
    # The copies share the live session's start time, so which page holds it is open.
    expect(card.get_by_role("link", name="Disconnect and delete")).to_have_count(0)
    screenshot(page, "home-sessions-page-1")

    # The next page comes without reloading the page, and the address keeps it.
    card.get_by_role("link", name="Next").click()
    expect(count).to_have_text(f"Sessions 26{DASH}26 of {IMPORTED + 1}.")
    expect(card.locator("#sessions-page")).to_have_text("Page 2 of 2")
    expect(page).to_have_url(re.compile(r"/\?page=2$"))
    card.get_by_role("link", name="Previous").click()
    expect(card.locator("#sessions-page")).to_have_text("Page 1 of 2")

    # A search as one types; the field keeps its focus while the results change.
    search = card.get_by_label("Server or target")
    search.press_sequentially("no-such-server")
    expect(count).to_have_text("No session matches the search.")
    expect(search).to_be_focused()
    search.fill("everything_py")
    expect(count).to_have_text(f"Sessions 1{DASH}25 of {IMPORTED + 1} matching the search.")
    card.get_by_label("Status").select_option("connected")
    expect(count).to_have_text(f"Sessions 1{DASH}1 of 1 matching the search.")
    expect(card.get_by_role("button", name="Disconnect and delete")).to_have_count(1)
    expect(page).to_have_url(re.compile(r"q=everything_py&status=connected"))
    screenshot(page, "home-sessions-search")

    # Deleting the live session asks first, disconnects it, and keeps the search.
    page.once("dialog", lambda dialog: dialog.accept())
    card.get_by_role("button", name="Disconnect and delete").click()
    expect(card.get_by_role("status")).to_have_text("Deleted 1 session and its events.")
    expect(count).to_have_text("No session matches the search.")
    expect(card.get_by_label("Status")).to_have_value("connected")
    page.goto(f"{base}sessions/{live}/")
    expect(page.get_by_role("heading", name=re.compile("not found", re.I))).to_be_visible()

    # Every ended session at once, after the browser's confirmation.
    page.goto(base)
    page.once("dialog", lambda dialog: dialog.accept())
    card.get_by_role("button", name="Delete every ended session listed").click()
    expect(card.get_by_role("status")).to_have_text(
        f"Deleted {IMPORTED} sessions and their events."
    )
    expect(card.get_by_text("No sessions yet.")).to_be_visible()
    screenshot(page, "home-sessions-emptied")
