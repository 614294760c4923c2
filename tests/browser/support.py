"""What the browser tests share: connecting to a stdio fixture as a person does, and
screenshots for people to look at (kept out of the repository)."""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

from playwright.sync_api import Locator, Page, expect

SCREENS = os.environ.get("INSPECTOR_SCREENS", "")


def connect_stdio(page: Page, inspector_url: str, arguments: str, *, era: str = "legacy") -> None:
    """Connect to `python ARGUMENTS` through the connect form, and wait until connected."""
    page.goto(inspector_url)
    form = page.get_by_role("region", name="Connect to a server")
    form.get_by_label("Transport", exact=True).select_option("stdio")
    choose_era(form, era)
    form.get_by_label("Command", exact=True).fill(sys.executable)
    form.get_by_label("Arguments", exact=True).fill(arguments)
    form.get_by_role("button", name="Connect").click()
    expect(page.get_by_role("status", name="Session status")).to_have_text("connected")


def choose_era(form: Locator, era: str) -> None:
    """Pick the protocol era, which lives in the connect form's collapsed Advanced group."""
    advanced = form.locator("summary", has_text="Advanced")
    if advanced.count() and form.locator("details.connect-advanced:not([open])").count():
        advanced.click()
    form.get_by_label("Protocol era", exact=True).select_option(era)


def inbox(page: Page) -> Locator:
    return page.get_by_role("region", name=re.compile(r"^Inbox\b"))


def inbox_button(page: Page) -> Locator:
    """The button, always in view, that shows the inbox's count and opens its drawer."""
    return page.get_by_role("button", name=re.compile(r"^Inbox \d+ waiting$"))


def open_inbox(page: Page) -> None:
    """The inbox is a drawer: its button opens it (a second call leaves it open)."""
    button = inbox_button(page)
    if button.get_attribute("aria-expanded") != "true":
        button.click()
    expect(button).to_have_attribute("aria-expanded", "true")


def screenshot(page: Page, name: str, *, full_page: bool = True) -> None:
    """The whole page (or the window: where fixed elements sit), under INSPECTOR_SCREENS
    when it is set."""
    if SCREENS:
        page.screenshot(path=str(Path(SCREENS) / f"{name}.png"), full_page=full_page)
