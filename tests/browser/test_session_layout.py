"""End to end, in Chromium: a server's request arriving in the inbox moves nothing on the
session page (the inbox is a drawer opened by a button that keeps the count in view), and
the Protocol tab can take the full width.

Elements are found by role and label, as a person would find them.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.browser.support import connect_stdio, screenshot

pytestmark = pytest.mark.browser

REPO_ROOT = Path(__file__).resolve().parents[2]
CONSENT_SERVER = REPO_ROOT / "tests" / "servers" / "consent_server.py"
TOOLS_SERVER = REPO_ROOT / "tests" / "servers" / "tools_server.py"


def page_top(element: Locator) -> float:
    """Where the element starts on the page (not in the window: the page may scroll)."""
    return float(element.evaluate("e => e.getBoundingClientRect().top + window.scrollY"))


def test_a_request_arriving_moves_nothing_and_is_announced(page: Page, inspector_url: str) -> None:
    page.set_viewport_size({"width": 1280, "height": 800})
    connect_stdio(page, inspector_url, str(CONSENT_SERVER))
    inbox_button = page.get_by_role("button", name=re.compile(r"^Inbox \d+ waiting$"))
    expect(inbox_button).to_have_accessible_name("Inbox 0 waiting")
    expect(inbox_button).to_be_in_viewport()
    tabs = page.get_by_role("tablist", name="Session views")
    before = page_top(tabs)

    page.get_by_role("tab", name="Tools").click()
    page.get_by_role("list", name="Tools").get_by_role(
        "button", name="Tool ask_llm", exact=True
    ).click()
    detail = page.locator("#tool-detail")
    detail.get_by_label("question", exact=True).fill("Still here?")
    detail.get_by_role("button", name="Run tool").click()

    expect(inbox_button).to_have_accessible_name("Inbox 1 waiting")
    expect(
        page.get_by_role("status").filter(has_text="1 request waits in the inbox.")
    ).to_have_count(1)
    assert page_top(tabs) == before, "the tabs moved when the request arrived"
    # Scrolled down, the count is still in view.
    page.mouse.wheel(0, 2000)
    expect(inbox_button).to_be_in_viewport()

    # By keyboard: the button opens the drawer and puts the focus in it; Escape closes it.
    inbox_button.focus()
    page.keyboard.press("Enter")
    inbox = page.get_by_role("region", name="Inbox")
    expect(inbox).to_be_visible()
    expect(inbox_button).to_have_attribute("aria-expanded", "true")
    expect(inbox).to_be_focused()
    sampling = inbox.get_by_role("article", name="Sampling request", exact=True)
    expect(sampling).to_be_visible()
    # Open, the drawer takes a column of its own: nothing on the page is under it.
    drawer = inbox.bounding_box()
    tools_panel = page.get_by_role("tabpanel", name="Tools").bounding_box()
    assert drawer is not None
    assert tools_panel is not None
    assert tools_panel["x"] + tools_panel["width"] <= drawer["x"]
    page.mouse.wheel(0, -4000)
    screenshot(page, "session-inbox-pending", full_page=False)
    page.keyboard.press("Tab")
    expect(page.locator("#inbox :focus")).to_have_count(1)
    page.keyboard.press("Escape")
    expect(inbox).to_be_hidden()
    expect(inbox_button).to_be_focused()
    expect(inbox_button).to_have_attribute("aria-expanded", "false")

    # Remembered open for the next page.
    inbox_button.click()
    page.reload()
    expect(page.get_by_role("region", name="Inbox")).to_be_visible()
    expect(inbox_button).to_have_attribute("aria-expanded", "true")


def test_the_protocol_tab_takes_the_full_width(page: Page, inspector_url: str) -> None:
    page.set_viewport_size({"width": 1280, "height": 800})
    connect_stdio(page, inspector_url, str(TOOLS_SERVER))
    page.get_by_role("tab", name="Protocol").click()
    panel = page.get_by_role("tabpanel", name="Protocol")
    messages = panel.get_by_role("list", name="Protocol messages")
    output = panel.get_by_role("list", name="Server output")
    toggle = panel.get_by_role("button", name="Full width")
    expect(toggle).to_have_attribute("aria-pressed", "false")
    narrow = messages.bounding_box()
    assert narrow is not None

    toggle.click()
    expect(toggle).to_have_attribute("aria-pressed", "true")
    expect(messages).not_to_have_css("width", f"{narrow['width']}px")
    wide = messages.bounding_box()
    panel_box = panel.bounding_box()
    out_box = output.bounding_box()
    assert wide is not None
    assert panel_box is not None
    assert out_box is not None
    assert wide["width"] > narrow["width"] * 1.2
    assert wide["width"] > panel_box["width"] * 0.9
    assert out_box["y"] > wide["y"] + wide["height"] - 1, "the server output sits below"
    page.get_by_role("tablist", name="Session views").evaluate("e => e.scrollIntoView()")
    screenshot(page, "session-protocol-full-width", full_page=False)

    page.reload()
    page.get_by_role("tab", name="Protocol").click()
    expect(panel.get_by_role("button", name="Full width")).to_have_attribute("aria-pressed", "true")
    panel.get_by_role("button", name="Full width").click()
    expect(panel.get_by_role("button", name="Full width")).to_have_attribute(
        "aria-pressed", "false"
    )
