"""End to end, in Chromium: the In flight panel of a session page follows a long tool
call with its progress, and cancels it."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_tools_tab import connect_tools_server, latest_result, open_tool

pytestmark = pytest.mark.browser


def test_a_long_tool_with_progress_is_cancelled_from_the_in_flight_panel(
    page: Page, inspector_url: str
) -> None:
    connect_tools_server(page, inspector_url)
    count = page.locator("#inflight-count")
    expect(count).to_have_text("0")
    detail = open_tool(page, "slow")
    detail.get_by_label("steps").fill("40")
    detail.get_by_role("button", name="Run tool").click()

    expect(count).to_have_text("1")
    page.locator("#inflight > summary").click()
    requests = page.get_by_role("list", name="Requests in flight")
    row = requests.get_by_role("listitem", name=re.compile(r"^tools\/call slow \(id \d+\)$"))
    bar = row.get_by_role("progressbar", name=re.compile(r"^Progress of tools\/call slow"))
    expect(bar).to_be_visible()
    expect(row).to_contain_text(re.compile(r"step \d+ \(\d+ of 40\)"))
    expect(row.locator(".inflight-elapsed")).to_have_text(re.compile(r"^\d+(\.\d)? s$"))

    row.get_by_role("button", name=re.compile(r"^Cancel tools\/call slow")).click()
    expect(page.get_by_role("status").filter(has_text="Cancelled tools/call slow")).to_be_visible()
    expect(page.locator("#inflight")).to_contain_text("Nothing in flight.")
    expect(count).to_have_text("0")
    result = latest_result(page)
    expect(result.get_by_text("Cancelled", exact=True)).to_be_visible()
    expect(result).to_contain_text("Cancelled by the user.")
    # The panel stays open across its reloads.
    expect(page.locator("#inflight")).to_have_attribute("open", "")
