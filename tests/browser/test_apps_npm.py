"""End to end, in Chromium: an MCP App published by the extension's authors, the npm
package `@modelcontextprotocol/server-basic-vanillajs` (its `get-time` tool and
`ui://get-time/mcp-app.html`, built on the ext-apps SDK), over stdio: the View renders
and its button gets the time through the inspector."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.support import choose_era, screenshot
from tests.browser.test_apps import run_tool, view_of
from tests.headless.npm import INSTALL_TIMEOUT_SECONDS, npm_install

pytestmark = pytest.mark.browser

PACKAGE = "@modelcontextprotocol/server-basic-vanillajs@2.0.3"
# An ISO 8601 time, as the server writes it.
A_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d")


@pytest.fixture(scope="module")
def vanillajs_server() -> Path:
    """The package's stdio entry point, installed once into the npm cache."""
    prefix = npm_install(PACKAGE)
    return (
        prefix
        / "node_modules"
        / "@modelcontextprotocol"
        / "server-basic-vanillajs"
        / "dist"
        / "index.js"
    )


@pytest.mark.timeout(300 + INSTALL_TIMEOUT_SECONDS)
def test_the_get_time_view_gets_the_time_through_the_inspector(
    page: Page, inspector_url: str, vanillajs_server: Path
) -> None:
    page.goto(inspector_url)
    form = page.get_by_role("region", name="Connect to a server")
    form.get_by_label("Transport", exact=True).select_option("stdio")
    choose_era(form, "legacy")
    form.get_by_label("Command", exact=True).fill("node")
    form.get_by_label("Arguments", exact=True).fill(f"{vanillajs_server} --stdio")
    form.get_by_role("button", name="Connect").click()
    expect(page.get_by_role("status", name="Session status")).to_have_text("connected")

    panel = run_tool(page, "get-time", "Get Time")
    expect(panel.get_by_role("status", name="App status")).to_have_text("running")
    view = view_of(panel)
    server_time = view.locator("#server-time")
    # Filled from the tool-result notification the host sent after the handshake.
    expect(server_time).to_have_text(A_TIME)
    first = server_time.inner_text()
    # The View reported its size (ui/notifications/size-changed) and the frame followed;
    # the View measures itself once drawn, and Chromium draws no frame out of view.
    panel.scroll_into_view_if_needed()
    expect(panel.locator("iframe")).to_have_attribute("style", re.compile(r"height: \d+px"))
    screenshot(page, "apps-vanillajs-view")

    view.get_by_role("button", name="Get Server Time").click()
    expect(server_time).not_to_have_text(first)
    expect(server_time).to_have_text(A_TIME)

    page.get_by_role("tab", name="Protocol").click()
    from_app = page.locator("li.event.dir-out[data-method='tools/call']").filter(
        has_text="from app"
    )
    expect(from_app).to_have_count(1)
    screenshot(page, "apps-vanillajs-protocol")
