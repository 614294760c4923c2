"""End to end, in Chromium: MCP Apps against the Apps fixture server of our own.

A tool's View renders under its result, in a frame on the sandbox origin (not the
inspector's); its button calls an app-only tool through the inspector, and the call is
in the Protocol tab marked as the app's; a fetch of a domain the View did not declare
is blocked by its Content-Security-Policy; a link opens only after the person confirms;
Views that cannot be shown, never initialize, flood or loop are stopped and say so.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import FrameLocator, Locator, Page, expect

from tests.browser.support import connect_stdio, screenshot

pytestmark = pytest.mark.browser

REPO_ROOT = Path(__file__).resolve().parents[2]
APPS_SERVER = REPO_ROOT / "tests" / "servers" / "apps_server.py"


def connect_apps_server(page: Page, inspector_url: str) -> None:
    connect_stdio(page, inspector_url, str(APPS_SERVER))
    expect(page.get_by_role("tab", name="Tools")).to_have_attribute("aria-selected", "true")


def run_tool(page: Page, name: str, title: str = "") -> Locator:
    """Call `name` (listed by its `title` when it has one) from the Tools tab; its App
    panel."""
    shown = title or name
    page.get_by_role("list", name="Tools").get_by_role("button", name=f"Tool {shown}").click()
    detail = page.locator("#tool-detail")
    expect(detail.get_by_role("heading", name=shown)).to_be_visible()
    detail.get_by_role("button", name="Run tool").click()
    return page.get_by_role("region", name=f"App: {name}")


def view_of(panel: Locator) -> FrameLocator:
    """The View's document: the frame in the sandbox proxy's frame."""
    return panel.frame_locator("iframe").frame_locator("iframe")


def test_a_views_button_calls_a_tool_through_the_inspector(page: Page, inspector_url: str) -> None:
    connect_apps_server(page, inspector_url)
    # The app-only tool is not the person's to call.
    expect(page.get_by_role("button", name="Tool show_panel")).to_be_visible()
    expect(page.get_by_role("button", name="Tool greet_from_app")).to_have_count(0)
    panel = run_tool(page, "show_panel")
    expect(panel.get_by_role("status", name="App status")).to_have_text("running")
    frame = panel.locator("iframe")
    inspector_port = re.search(r":(\d+)/", inspector_url)
    assert inspector_port is not None
    src = frame.get_attribute("src") or ""
    assert src.startswith("http://127.0.0.1:")
    assert f":{inspector_port[1]}/" not in src  # another origin than the inspector's
    assert frame.get_attribute("sandbox") == "allow-scripts allow-same-origin allow-forms"
    view = view_of(panel)
    expect(view.get_by_role("heading", name="Fixture panel")).to_be_visible()
    # The handshake's host context, then tool-input and tool-result.
    expect(view.locator("#theme")).to_have_text(re.compile("light|dark"))
    expect(view.locator("#input")).to_have_text("{}")
    expect(view.locator("#result")).to_have_text("show_panel ran for someone")
    # size-changed resized the frame.
    expect(frame).to_have_attribute("style", re.compile("height: 420px"))
    view.get_by_role("button", name="Greet through the host").click()
    expect(view.locator("#answer")).to_have_text("Hello, View, from the server")
    screenshot(page, "apps-fixture-view")

    page.get_by_role("tab", name="Protocol").click()
    call = page.locator("li.event.dir-out[data-method='tools/call']").filter(has_text="from app")
    expect(call).to_have_count(1)
    expect(page.locator("li.event.kind-app").filter(has_text="ui/initialize").first).to_be_visible()
    expect(
        page.locator("li.event.kind-app").filter(has_text="app: host → View").first
    ).to_be_visible()
    screenshot(page, "apps-protocol-lane")


def test_an_undeclared_domain_is_blocked_by_the_views_policy(
    page: Page, inspector_url: str
) -> None:
    connect_apps_server(page, inspector_url)
    panel = run_tool(page, "show_panel")
    expect(panel.get_by_role("status", name="App status")).to_have_text("running")
    view = view_of(panel)
    view.get_by_role("button", name="Fetch an undeclared domain").click()
    expect(view.locator("#fetched")).to_contain_text("failed")
    notes = panel.get_by_role("list", name="What the View said")
    expect(notes).to_contain_text("Blocked by the View's Content-Security-Policy (connect-src)")
    expect(notes).to_contain_text("https://undeclared.example/secret")
    expect(panel.locator(".app-csp pre")).to_contain_text("connect-src https://declared.example")


def test_open_link_asks_the_person_first(page: Page, inspector_url: str) -> None:
    connect_apps_server(page, inspector_url)
    panel = run_tool(page, "show_panel")
    expect(panel.get_by_role("status", name="App status")).to_have_text("running")
    view = view_of(panel)
    view.get_by_role("button", name="Open the docs").click()
    dialog = page.get_by_role("dialog", name="Open a link for the App")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("https://example.com/docs?from=app")
    screenshot(page, "apps-open-link")
    dialog.get_by_role("button", name="Don't open").click()
    expect(dialog).to_be_hidden()
    expect(view.locator("#linked")).to_have_text("declined")
    # Accepted, the link opens in a new tab (whether the network reaches it is no matter).
    view.get_by_role("button", name="Open the docs").click()
    with page.context.expect_page() as opened:
        dialog.get_by_role("button", name="Open the link").click()
    opened.value.close()
    expect(view.locator("#linked")).to_have_text("opened")


def test_message_display_mode_and_close(page: Page, inspector_url: str) -> None:
    connect_apps_server(page, inspector_url)
    panel = run_tool(page, "show_panel")
    expect(panel.get_by_role("status", name="App status")).to_have_text("running")
    view = view_of(panel)
    view.get_by_role("button", name="Say hello").click()
    notes = panel.get_by_role("list", name="What the View said")
    expect(notes).to_contain_text("Message from the View: Hello from the View")
    view.get_by_role("button", name="Go fullscreen").click()
    expect(view.locator("#mode")).to_have_text("fullscreen")
    expect(panel).to_have_class(re.compile("app-fullscreen"))
    screenshot(page, "apps-fullscreen")
    panel.get_by_role("button", name="Exit fullscreen").click()
    expect(panel).not_to_have_class(re.compile("app-fullscreen"))
    panel.get_by_role("button", name="Close the View").click()
    expect(panel.get_by_role("status", name="App status")).to_have_text("The View was closed.")
    expect(panel.locator("iframe")).to_have_count(0)
    page.get_by_role("tab", name="Protocol").click()
    expect(
        page.locator("li.event.kind-app").filter(has_text="ui/resource-teardown").first
    ).to_be_visible()


@pytest.mark.parametrize(
    ("tool", "said"),
    [
        ("not_html", "is not an MCP App: its type is text/plain"),
        ("too_big", "is too large to show"),
        ("missing_view", "could not be read"),
    ],
)
def test_a_view_that_cannot_be_shown_says_why(
    page: Page, inspector_url: str, tool: str, said: str
) -> None:
    connect_apps_server(page, inspector_url)
    panel = run_tool(page, tool)
    expect(panel.get_by_role("alert")).to_contain_text(said)
    expect(panel.locator("iframe")).to_have_count(0)
    if tool == "not_html":
        screenshot(page, "apps-not-html")


def test_misbehaving_views_are_stopped_and_the_page_says_so(page: Page, inspector_url: str) -> None:
    connect_apps_server(page, inspector_url)
    flood = run_tool(page, "flood_view")
    expect(flood.get_by_role("status", name="App status")).to_contain_text(
        "more than 200 messages in a second"
    )
    expect(flood.locator("iframe")).to_have_count(0)
    loop = run_tool(page, "loop_view")
    notes = loop.get_by_role("list", name="What the View said")
    expect(notes).to_contain_text("Rate-limited: The View sent more than 20 requests")
    expect(view_of(loop).locator("#last")).to_contain_text("refused until it slows down")
    silent = run_tool(page, "silent_view")
    expect(silent.get_by_role("status", name="App status")).to_have_text(
        "The View did not initialize within 10 s; it was removed.", timeout=20_000
    )
    screenshot(page, "apps-stopped")
