"""axe-core over every page, in the light and the dark theme, and the theme control.

Each test walks one group of pages a person reaches in turn, against the real fixture
servers, and asks axe-core for WCAG 2.1 A/AA violations in both colour schemes (the
system setting, emulated). Screenshots of each land under INSPECTOR_SCREENS.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Locator, Page, expect

from tests.browser.axe import assert_clean, audit, axe_script
from tests.browser.conftest import EXPECT_TIMEOUT_MS

pytestmark = pytest.mark.browser

REPO_ROOT = Path(__file__).resolve().parents[2]
CONFIG = {
    "mcpServers": {
        "fixture-everything": {
            "command": sys.executable,
            "args": ["-m", "tests.servers.everything_py"],
            "cwd": str(REPO_ROOT),
            "env": {"MODE": "accessibility"},
        }
    }
}


@pytest.fixture(scope="session")
def axe() -> Path:
    return axe_script()


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    # axe is injected as a script tag, which the pages' strict CSP would refuse.
    context = browser.new_context(viewport={"width": 1280, "height": 800}, bypass_csp=True)
    context.set_default_timeout(EXPECT_TIMEOUT_MS)
    yield context
    context.close()


def background(page: Page) -> str:
    return str(page.evaluate("() => getComputedStyle(document.body.parentElement).backgroundColor"))


def show_tab(page: Page, label: str) -> Locator:
    """Opens a session tab and waits until its panel has loaded."""
    page.get_by_role("tab", name=label, exact=True).click()
    panel = page.get_by_role("tabpanel", name=label, exact=True)
    expect(panel).to_be_visible()
    expect(panel.get_by_text("Loading…", exact=True)).to_have_count(0)
    return panel


def test_theme_follows_the_system_and_the_remembered_choice(page: Page, inspector_url: str) -> None:
    page.emulate_media(color_scheme="light")
    page.goto(inspector_url)
    light = background(page)
    choice = page.get_by_label("Theme", exact=True)
    expect(choice).to_have_value("system")
    page.emulate_media(color_scheme="dark")
    dark = background(page)
    assert dark != light
    # Chosen Light, the page stays light under a dark system setting, after a reload too.
    choice.select_option("light")
    assert background(page) == light
    page.reload()
    expect(page.get_by_label("Theme", exact=True)).to_have_value("light")
    assert background(page) == light
    # Chosen Dark under a light system setting.
    page.emulate_media(color_scheme="light")
    page.get_by_label("Theme", exact=True).select_option("dark")
    page.reload()
    # Applied before the stylesheet's first use: no page script runs later than this one.
    assert page.evaluate("() => document.documentElement.dataset.theme") == "dark"
    assert background(page) == dark
    # Back to System: the setting decides again.
    page.get_by_label("Theme", exact=True).select_option("system")
    assert background(page) == light


def test_home_saved_servers_and_every_session_tab(
    page: Page, inspector_url: str, axe: Path
) -> None:
    problems: list[str] = []
    # A saved server, and a session of it, so that both lists have rows.
    page.goto(inspector_url)
    page.get_by_role("region", name="Saved servers").get_by_role("link", name="Import…").click()
    expect(page.get_by_role("heading", name="Import servers")).to_be_visible()
    problems += audit(page, axe, "servers-import")
    page.get_by_label("Or paste JSON").fill(json.dumps(CONFIG))
    page.get_by_role("button", name="Import").click()
    expect(page.get_by_role("status").filter(has_text="Saved:")).to_be_visible()
    page.goto(inspector_url)
    saved = page.get_by_role("region", name="Saved servers")
    saved.get_by_role("button", name="Connect").first.click()
    expect(page.get_by_role("status", name="Session status")).to_have_text("connected")
    session_url = page.url
    page.goto(inspector_url)
    expect(page.locator("#sessions-results").get_by_role("link").first).to_be_visible()
    problems += audit(page, axe, "home")

    page.goto(session_url)
    expect(page.locator("#live-status")).to_have_text("Live")
    tools = show_tab(page, "Tools")
    tools.get_by_role("button", name="Tool echo", exact=True).click()
    detail = page.locator("#tool-detail")
    expect(detail.get_by_role("heading", name="echo")).to_be_visible()
    detail.get_by_role("textbox").first.fill("hello from the accessibility pass")
    detail.get_by_role("button", name="Run tool").click()
    expect(page.locator("#tool-results > article").first).to_contain_text("accessibility pass")
    problems += audit(page, axe, "session-tools")
    labels = page.get_by_role("tablist", name="Session views").get_by_role("tab").all_inner_texts()
    for label in labels:
        if label == "Tools":
            continue
        show_tab(page, label)
        problems += audit(page, axe, f"session-{label.lower().replace(' ', '-')}")

    # The pages one level down: an event's permalink, compare, replay.
    show_tab(page, "Protocol")
    permalink = page.locator("#protocol-log .permalink").first.get_attribute("href")
    assert permalink
    page.goto(
        re.sub(r"/sessions/.*", "", page.url) + permalink
        if permalink.startswith("/")
        else permalink
    )
    expect(page.locator(".event.focused")).to_have_count(1)
    problems += audit(page, axe, "event-permalink")
    page.goto(session_url)
    page.get_by_role("link", name="Compare with another session…").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    problems += audit(page, axe, "compare")
    page.goto(session_url)
    page.get_by_role("link", name="Replay…").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    problems += audit(page, axe, "replay")
    assert_clean(problems)
