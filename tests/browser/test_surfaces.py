"""End to end, in Chromium: a server changes between two connections (the surface fixture,
v1 then v2); the person replays the first session against the second and sees what differs,
and compares the two sessions' surfaces.

Elements are found by role and label, as a person would find them.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.browser.support import choose_era

pytestmark = pytest.mark.browser

REPO_ROOT = Path(__file__).resolve().parents[2]
SHOTS = Path("/tmp/shots-surface-web")
SESSION_URL = re.compile(r"/sessions/([0-9a-f]{32})/$")


def connect_surface(page: Page, inspector_url: str, version: str) -> str:
    """Connect to the fixture at `version` from the home page, and list its tools to the
    last page in the Tools tab; the session's id."""
    page.goto(inspector_url)
    form = page.get_by_role("region", name="Connect to a server")
    form.get_by_label("Transport", exact=True).select_option("stdio")
    choose_era(form, "legacy")
    form.get_by_label("Command", exact=True).fill(sys.executable)
    form.get_by_label("Arguments", exact=True).fill(f"-m tests.servers.surface_server {version}")
    form.get_by_label("Working directory", exact=True).fill(str(REPO_ROOT))
    form.get_by_role("button", name="Connect").click()
    expect(page).to_have_url(SESSION_URL)
    match = SESSION_URL.search(page.url)
    assert match
    page.get_by_role("tab", name="Tools").click()
    tools = page.get_by_role("tabpanel", name="Tools")
    expect(tools.get_by_text("forecast")).to_be_visible()
    # Two tools a page: the third is on the next, which the person loads too.
    tools.get_by_role("button", name="Load more").click()
    third = "legacy_lookup" if version == "v1" else "geocode"
    expect(tools.get_by_text(third, exact=True)).to_be_visible()
    return match.group(1)


def test_replay_against_the_changed_server_and_compare(page: Page, inspector_url: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.set_viewport_size({"width": 1280, "height": 800})
    before = connect_surface(page, inspector_url, "v1")
    after = connect_surface(page, inspector_url, "v2")

    page.goto(inspector_url.split("/?")[0] + f"/sessions/{before}/")
    page.get_by_role("link", name="Replay…").click()
    expect(page.get_by_role("heading", name=re.compile("Replay the requests"))).to_be_visible()
    page.get_by_label("Replay against").select_option(after)
    page.screenshot(path=str(SHOTS / "replay-form.png"), full_page=True)
    page.get_by_role("button", name="Run the replay").click()

    progress = page.get_by_role("status").filter(has_text="same,")
    expect(progress).to_contain_text("Done:")
    expect(progress).to_contain_text("different")
    listing = page.get_by_role("row").filter(
        has=page.get_by_role("rowheader", name="tools/list", exact=True)
    )
    expect(listing.first).to_contain_text("$.result.tools[0].description")
    expect(listing.first).to_contain_text('"The weather, ahead."')
    page.screenshot(path=str(SHOTS / "replay-results.png"), full_page=True)
    # The replayed answer is one click away, in the session it went through.
    listing.first.get_by_role("link").nth(1).click()
    expect(page).to_have_url(re.compile(rf"/sessions/{after}/events/\d+/$"))

    page.goto(inspector_url.split("/?")[0] + f"/sessions/{after}/")
    page.get_by_role("link", name="Compare with another session…").click()
    page.get_by_label("Compare with", exact=True).select_option(before)
    page.get_by_role("button", name="Compare", exact=True).click()
    summary = page.locator("#surface-diff-summary")
    expect(summary).to_contain_text("added")
    changes = page.get_by_role("list", name="Changes")
    expect(changes).to_contain_text("geocode")
    expect(changes).to_contain_text("inputSchema.properties.city.type")
    page.screenshot(path=str(SHOTS / "compare.png"), full_page=True)


def saved_row(page: Page, name: str) -> Locator:
    return (
        page.get_by_role("region", name="Saved servers")
        .get_by_role("row")
        .filter(has=page.get_by_role("rowheader", name=name, exact=True))
    )


def test_pin_a_baseline_then_see_the_drift_when_the_server_changed(
    page: Page, inspector_url: str
) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.set_viewport_size({"width": 1280, "height": 800})
    page.on("dialog", lambda dialog: dialog.accept())  # "Accept as new baseline?"
    page.goto(inspector_url)
    form = page.get_by_role("region", name="Connect to a server")
    form.get_by_label("Transport", exact=True).select_option("stdio")
    choose_era(form, "legacy")
    form.get_by_label("Command", exact=True).fill(sys.executable)
    form.get_by_label("Arguments", exact=True).fill("-m tests.servers.surface_server v1")
    form.get_by_label("Working directory", exact=True).fill(str(REPO_ROOT))
    form.get_by_label("Save as", exact=True).fill("weather")
    form.get_by_role("button", name="Save", exact=True).click()
    expect(form.get_by_role("status").filter(has_text="Saved as")).to_be_visible()

    saved_row(page, "weather").get_by_role("button", name="Connect").click()
    expect(page).to_have_url(SESSION_URL)
    page.get_by_role("button", name="Pin as baseline").click()
    expect(page.get_by_role("status").filter(has_text="Pinned as the baseline")).to_be_visible()

    # The server changes: its saved settings now start v2.
    page.goto(inspector_url)
    saved_row(page, "weather").get_by_role("link", name="Edit").click()
    page.get_by_label("Arguments", exact=True).fill("-m tests.servers.surface_server v2")
    page.get_by_role("button", name="Save").click()
    saved_row(page, "weather").get_by_role("button", name="Connect").click()
    expect(page).to_have_url(SESSION_URL)

    drift = page.get_by_role("alert").filter(has_text="changed since the baseline pinned")
    expect(drift).to_contain_text("3 tools")
    expect(drift).to_contain_text("legacy_lookup")
    drift.get_by_text("What changed").click()
    expect(drift.get_by_role("list", name="Changes")).to_contain_text(
        "inputSchema.properties.city.type"
    )
    page.screenshot(path=str(SHOTS / "drift-banner.png"), full_page=True)

    # In consent mode, the changed tool's confirmation says it drifted.
    page.get_by_role("tab", name="Client").click()
    page.get_by_role("tabpanel", name="Client").get_by_role(
        "checkbox", name="Confirm every tool call"
    ).check()
    page.get_by_role("tab", name="Tools").click()
    page.get_by_role("list", name="Tools").get_by_role("button", name="Tool forecast").click()
    detail = page.locator("#tool-detail")
    detail.get_by_label(re.compile(r"^city\b")).fill("3")
    detail.get_by_label(re.compile(r"^days\b")).fill("2")
    detail.get_by_role("button", name="Run tool").click()
    # The call waits in the inbox, a drawer its button opens.
    inbox_button = page.get_by_role("button", name=re.compile(r"^Inbox \d+ waiting$"))
    expect(inbox_button).to_have_accessible_name("Inbox 1 waiting")
    inbox_button.click()
    held = page.get_by_role("article", name="Tool call awaiting confirmation", exact=True)
    expect(held.get_by_role("alert")).to_contain_text("Drifted since the baseline pinned")
    expect(held).to_contain_text("description or schema changed")
    held.scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "consent-drift.png"))
    held.get_by_role("button", name="Run the tool").click()
    expect(page.locator("#tool-results > article").first).to_contain_text("sunny")

    page.get_by_role("link", name="Compare with another session…").click()
    page.get_by_role("link", name="Compare with the baseline").click()
    expect(page.locator("#surface-diff-summary")).to_contain_text("1 added, 1 removed, 3 changed.")
    page.screenshot(path=str(SHOTS / "compare-baseline.png"), full_page=True)
    page.go_back()
    page.go_back()

    page.get_by_role("button", name="Accept as new baseline").click()
    expect(page.get_by_role("status").filter(has_text="Pinned as the baseline")).to_be_visible()
