"""End to end, in Chromium: the keyboard, against a real stdio server
(`tests/servers/resources_server.py`: a tool, resources paged five at a time, templates,
prompts).

The session's tabs follow the WAI-ARIA tabs pattern; the command palette (Ctrl+K, Cmd+K,
or the top bar's button) finds tools, resources, templates, prompts, tabs, saved servers
and pages, and opens them; Ctrl/Cmd+Enter runs the form the focus is in; "?" lists the
shortcuts.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.browser.support import connect_stdio

pytestmark = pytest.mark.browser

REPO_ROOT = Path(__file__).resolve().parents[2]
RESOURCES_SERVER = REPO_ROOT / "tests" / "servers" / "resources_server.py"


def connect(page: Page, inspector_url: str) -> None:
    connect_stdio(page, inspector_url, str(RESOURCES_SERVER))
    expect(page.locator("#live-status")).to_have_text("Live")


def tabs(page: Page) -> Locator:
    return page.get_by_role("tablist", name="Session views").get_by_role("tab")


def test_session_tabs_follow_the_tabs_pattern(page: Page, inspector_url: str) -> None:
    connect(page, inspector_url)
    names = ["Tools", "Resources", "Prompts", "Client", "Compose", "Server log", "Protocol"]
    expect(tabs(page)).to_have_text([*names, "Findings"])
    tools = page.get_by_role("tab", name="Tools")
    expect(tools).to_have_attribute("aria-selected", "true")
    # Roving tabindex: only the selected tab is in the Tab order.
    tabbable = page.locator('[role="tablist"][aria-label="Session views"] [tabindex="0"]')
    expect(tabbable).to_have_count(1)
    expect(tools).to_have_attribute("tabindex", "0")
    expect(page.get_by_role("tab", name="Resources")).to_have_attribute("tabindex", "-1")

    tools.focus()
    page.keyboard.press("ArrowRight")
    resources = page.get_by_role("tab", name="Resources")
    expect(resources).to_be_focused()
    expect(resources).to_have_attribute("aria-selected", "true")
    expect(resources).to_have_attribute("tabindex", "0")
    expect(tools).to_have_attribute("aria-selected", "false")
    expect(tools).to_have_attribute("tabindex", "-1")
    expect(page.get_by_role("tabpanel", name="Resources")).to_be_visible()
    expect(page.get_by_role("tabpanel", name="Tools")).to_be_hidden()
    expect(page).to_have_url(re.compile(r"#resources$"))

    page.keyboard.press("End")
    findings = page.get_by_role("tab", name="Findings")
    expect(findings).to_be_focused()
    expect(findings).to_have_attribute("aria-selected", "true")
    expect(page).to_have_url(re.compile(r"#findings$"))
    page.keyboard.press("ArrowRight")  # wraps to the first
    expect(tools).to_be_focused()
    expect(tools).to_have_attribute("aria-selected", "true")
    page.keyboard.press("ArrowLeft")  # and back round to the last
    expect(findings).to_have_attribute("aria-selected", "true")
    page.keyboard.press("Home")
    expect(tools).to_be_focused()
    expect(tools).to_have_attribute("aria-selected", "true")
    expect(page).to_have_url(re.compile(r"#tools$"))

    # Tab leaves the tablist for what follows it, in one press.
    page.keyboard.press("Tab")
    expect(page.locator('[role="tab"]:focus')).to_have_count(0)

    # The address still opens the tab it names.
    page.get_by_role("tab", name="Prompts").click()
    page.reload()
    prompts = page.get_by_role("tab", name="Prompts")
    expect(prompts).to_have_attribute("aria-selected", "true")
    expect(prompts).to_have_attribute("tabindex", "0")
    expect(tools).to_have_attribute("tabindex", "-1")


def test_the_arguments_view_tabs_follow_the_pattern_too(page: Page, inspector_url: str) -> None:
    connect(page, inspector_url)
    page.get_by_role("list", name="Tools").get_by_role("button", name="Tool bump").click()
    views = page.get_by_role("tablist", name="Arguments view")
    form_tab = views.get_by_role("tab", name="Form")
    json_tab = views.get_by_role("tab", name="JSON")
    expect(form_tab).to_have_attribute("tabindex", "0")
    expect(json_tab).to_have_attribute("tabindex", "-1")
    form_tab.focus()
    page.keyboard.press("ArrowRight")
    expect(json_tab).to_be_focused()
    expect(json_tab).to_have_attribute("aria-selected", "true")
    expect(json_tab).to_have_attribute("tabindex", "0")
    expect(page.get_by_role("tabpanel", name="JSON")).to_be_visible()
    expect(page.get_by_label("Arguments as JSON")).to_be_visible()
    page.keyboard.press("Home")
    expect(form_tab).to_have_attribute("aria-selected", "true")
    expect(page.get_by_role("tabpanel", name="Form")).to_be_visible()
    expect(page.get_by_label("Arguments as JSON")).to_be_hidden()
