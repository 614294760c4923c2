"""End to end, in Chromium: the Compose tab sends a method the server did not advertise,
marked as such; an earlier request is edited and sent again from its Protocol row."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.support import connect_stdio, screenshot

pytestmark = pytest.mark.browser

REPO_ROOT = Path(__file__).resolve().parents[2]
SURFACE_SERVER = REPO_ROOT / "tests" / "servers" / "surface_server.py"


def test_compose_an_unadvertised_method_then_edit_and_send_a_request_again(
    page: Page, inspector_url: str
) -> None:
    connect_stdio(page, inspector_url, f"{SURFACE_SERVER} v1")

    page.get_by_role("tab", name="Compose").click()
    composer = page.locator("#compose-form")
    composer.get_by_label("Method").fill("resources/list")
    composer.get_by_role("button", name="Send").click()
    result = page.get_by_role("article", name="Sent resources/list")
    expect(result).to_contain_text("not advertised by the server")
    expect(result).to_contain_text("JSON-RPC error -32601")
    screenshot(page, "compose-unadvertised")

    composer.get_by_label("Method").fill("tools/call")
    composer.get_by_label("Params").fill('{"name": "forecast", "arguments": {"city": "Paris"}}')
    composer.get_by_role("button", name="Send").click()
    expect(page.get_by_role("article", name="Sent tools/call")).to_contain_text('"sunny"')

    page.get_by_role("tab", name="Protocol").click()
    row = (
        page.locator("#protocol-log > li.event", has_text="tools/call")
        .filter(has_text="composed")
        .first
    )
    expect(row.locator(".badge", has_text="composed")).to_be_visible()
    row.locator("summary").click()
    row.get_by_role("link", name="Edit and send again").click()
    expect(page.get_by_role("tab", name="Compose")).to_have_attribute("aria-selected", "true")
    params = page.locator("#compose-form").get_by_label("Params")
    expect(params).to_have_value(
        '{\n  "name": "forecast",\n  "arguments": {\n    "city": "Paris"\n  }\n}'
    )
    params.fill('{"name": "forecast", "arguments": {"city": "Lyon"}}')
    page.locator("#compose-form").get_by_role("button", name="Send").click()
    expect(page.get_by_role("article", name="Sent tools/call")).to_have_count(2)
    screenshot(page, "compose-sent-again")
