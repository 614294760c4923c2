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
import sys
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.browser.support import choose_era, connect_stdio, screenshot

pytestmark = pytest.mark.browser

REPO_ROOT = Path(__file__).resolve().parents[2]
RESOURCES_SERVER = REPO_ROOT / "tests" / "servers" / "resources_server.py"


def connect(page: Page, inspector_url: str) -> None:
    connect_stdio(page, inspector_url, str(RESOURCES_SERVER))
    expect(page.locator("#live-status")).to_have_text("Live")


def palette(page: Page) -> Locator:
    return page.get_by_role("dialog", name="Command palette")


def search(page: Page, query: str, *, keys: str = "Control+k") -> Locator:
    """Open the palette with its shortcut and type; the listbox of what it found."""
    page.keyboard.press(keys)
    dialog = palette(page)
    expect(dialog).to_be_visible()
    box = dialog.get_by_role("combobox")
    expect(box).to_be_focused()
    box.fill(query)
    return dialog.get_by_role("listbox", name="Results")


def tabs(page: Page) -> Locator:
    return page.get_by_role("tablist", name="Session views").get_by_role("tab")


def test_session_tabs_follow_the_tabs_pattern(page: Page, inspector_url: str) -> None:
    connect(page, inspector_url)
    names = ["Tools", "Resources", "Prompts", "Client", "Compose", "Playground"]
    names += ["Server log", "Protocol"]
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


def test_palette_finds_and_opens_items_tabs_and_forms(page: Page, inspector_url: str) -> None:
    connect(page, inspector_url)
    before = page.get_by_role("tab", name="Tools")
    before.focus()

    # Opened with nothing typed, it offers everything, the server's items first; Esc
    # closes it and gives the focus back.
    results = search(page, "")
    expect(results.get_by_role("option").first).to_contain_text("bump")
    screenshot(page, "palette-everything")
    page.keyboard.press("Escape")
    expect(palette(page)).to_be_hidden()
    expect(before).to_be_focused()

    # A resource on the listing's second page, found before its tab was ever opened,
    # by part of its URI; Enter opens its read view.
    results = search(page, "counter")
    options = results.get_by_role("option")
    expect(options.first).to_contain_text("fixture://counter")
    expect(options.first).to_contain_text("Resources")
    expect(options.first).to_have_attribute("aria-selected", "true")
    box = palette(page).get_by_role("combobox")
    expect(box).to_have_attribute("aria-activedescendant", "palette-option-0")
    screenshot(page, "palette-results")
    page.keyboard.press("Enter")
    expect(palette(page)).to_be_hidden()
    expect(page.get_by_role("tab", name="Resources")).to_have_attribute("aria-selected", "true")
    detail = page.locator("#resource-detail")
    expect(detail.get_by_role("heading", name="Counter", exact=True).first).to_be_visible()
    expect(detail.get_by_role("region", name="Contents of fixture://counter")).to_be_visible()

    # Fuzzy: the letters of a prompt's name in order; Down and Up move the choice.
    results = search(page, "grt")
    expect(results.get_by_role("option").first).to_contain_text("Greeting")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowUp")
    expect(results.get_by_role("option").first).to_have_attribute("aria-selected", "true")
    page.keyboard.press("Enter")
    expect(page.get_by_role("tab", name="Prompts")).to_have_attribute("aria-selected", "true")
    prompt = page.locator("#prompt-detail")
    expect(prompt.get_by_role("heading", name="Greeting")).to_be_visible()
    name = prompt.get_by_label("Your name")
    expect(name).to_be_focused()
    # Ctrl+Enter runs the form from inside it.
    name.fill("Ada")
    page.keyboard.press("Control+Enter")
    result = prompt.locator("#prompt-results > article").first
    expect(result.get_by_role("list", name="Messages")).to_contain_text("Say hello to Ada")

    # Cmd+K opens it too; a tool opens the Tools tab with its form, and Cmd+Enter runs it.
    results = search(page, "bump", keys="Meta+k")
    expect(results.get_by_role("option").first).to_contain_text("bump")
    results.get_by_role("option").first.click()
    expect(page.get_by_role("tab", name="Tools")).to_have_attribute("aria-selected", "true")
    tool = page.locator("#tool-detail")
    expect(tool.get_by_role("heading", name="bump")).to_be_visible()
    uri = tool.get_by_label("uri")
    expect(uri).to_be_focused()
    uri.fill("fixture://counter")
    page.keyboard.press("Meta+Enter")
    expect(tool.locator("#tool-results > article")).to_have_count(1)

    # A template's variables, and Ctrl+Enter reads it.
    results = search(page, "fixture://items")
    expect(results.get_by_role("option").first).to_contain_text("Resource templates")
    page.keyboard.press("Enter")
    detail = page.locator("#resource-detail")
    expect(detail.get_by_role("heading", name="Catalog item")).to_be_visible()
    expect(detail.get_by_label("category")).to_be_focused()
    detail.get_by_label("category").fill("books")
    ids = detail.get_by_label("id", exact=True)
    ids.fill("b-100")
    expect(detail.locator("#template-uri output")).to_have_text("fixture://items/books/b-100")
    ids.press("Control+Enter")
    contents = detail.get_by_role("region", name="Contents of fixture://items/books/b-100")
    expect(contents.get_by_text("Item b-100 of books")).to_be_visible()

    # A tab.
    search(page, "protocol")
    page.keyboard.press("Enter")
    protocol = page.get_by_role("tab", name="Protocol")
    expect(protocol).to_have_attribute("aria-selected", "true")
    expect(protocol).to_be_focused()

    # Esc closes and gives the focus back; nothing matching says so.
    results = search(page, "zzzqqq")
    expect(results.get_by_role("option")).to_have_count(0)
    expect(palette(page).get_by_role("status")).to_have_text("Nothing matches.")
    page.keyboard.press("Tab")  # focus stays inside the dialog
    expect(palette(page).get_by_role("combobox")).to_be_focused()
    page.keyboard.press("Escape")
    expect(palette(page)).to_be_hidden()
    expect(protocol).to_be_focused()


def test_compose_runs_with_ctrl_enter(page: Page, inspector_url: str) -> None:
    connect(page, inspector_url)
    page.get_by_role("tab", name="Compose").click()
    form = page.locator("#compose-form")
    form.get_by_label("Method").fill("ping")
    form.get_by_label("Method").press("Control+Enter")
    expect(page.get_by_role("article", name="Sent ping")).to_be_visible()


def test_palette_opens_saved_servers_and_pages_from_home(page: Page, inspector_url: str) -> None:
    # A name with markup in it: shown as text, never as markup.
    name = "<img src=x id=injected> Resources fixture"
    page.goto(inspector_url)
    form = page.get_by_role("region", name="Connect to a server")
    form.get_by_label("Transport", exact=True).select_option("stdio")
    choose_era(form, "legacy")
    form.get_by_label("Command", exact=True).fill(sys.executable)
    form.get_by_label("Arguments", exact=True).fill(str(RESOURCES_SERVER))
    form.get_by_label("Save as", exact=True).fill(name)
    form.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_role("row", name=re.compile("Resources fixture"))).to_be_visible()

    # The top bar's button, on a page that is not a session's.
    page.get_by_role("button", name="Search… Ctrl K").click()
    dialog = palette(page)
    expect(dialog).to_be_visible()
    dialog.get_by_role("combobox").fill("resources fix")
    option = dialog.get_by_role("option").first
    expect(option).to_contain_text(name)
    expect(option).to_contain_text("Saved servers")
    expect(dialog.locator("#injected")).to_have_count(0)
    screenshot(page, "palette-home")
    page.keyboard.press("Enter")
    expect(page.get_by_role("status", name="Session status")).to_have_text("connected")
    expect(page).to_have_url(re.compile(r"/sessions/"))

    # Pages: home, from a session's page.
    search(page, "home")
    page.keyboard.press("Enter")
    expect(page.get_by_role("region", name="Connect to a server")).to_be_visible()


def test_question_mark_lists_the_shortcuts(page: Page, inspector_url: str) -> None:
    connect(page, inspector_url)
    page.get_by_role("tab", name="Tools").focus()
    # Typed in a field, "?" is a character.
    page.get_by_role("searchbox", name="Search Tools").fill("")
    page.get_by_role("searchbox", name="Search Tools").press("?")
    shortcuts = page.get_by_role("dialog", name="Keyboard shortcuts")
    expect(shortcuts).to_be_hidden()
    expect(page.get_by_role("searchbox", name="Search Tools")).to_have_value("?")

    tab = page.get_by_role("tab", name="Tools")
    tab.focus()
    page.keyboard.press("?")
    expect(shortcuts).to_be_visible()
    rows = shortcuts.get_by_role("row")
    expect(rows.filter(has_text="Open the command palette")).to_have_count(1)
    expect(rows.filter(has_text="Run the form you are in")).to_have_count(1)
    screenshot(page, "shortcuts")
    # Focus stays inside the dialog.
    close = shortcuts.get_by_role("button", name="Close")
    page.keyboard.press("Tab")
    expect(close).to_be_focused()
    page.keyboard.press("Tab")
    expect(close).to_be_focused()
    page.keyboard.press("Escape")
    expect(shortcuts).to_be_hidden()
    expect(tab).to_be_focused()

    page.get_by_role("button", name="Shortcuts ?").click()
    expect(shortcuts).to_be_visible()
    shortcuts.get_by_role("button", name="Close").click()
    expect(shortcuts).to_be_hidden()
