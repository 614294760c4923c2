"""End to end, in Chromium: a load test started from a session's page follows its run,
then shows its figures and the latency chart."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.support import connect_stdio, screenshot

pytestmark = pytest.mark.browser

EVERYTHING = Path(__file__).resolve().parents[1] / "servers" / "everything_py.py"


def test_a_load_test_from_the_session_page_charts_its_latency(
    page: Page, inspector_url: str
) -> None:
    connect_stdio(page, inspector_url, str(EVERYTHING))
    page.get_by_role("link", name="Load test a tool…").click()
    page.get_by_label("Tool", exact=True).fill("add")
    page.get_by_label("Arguments").fill('{"a": 1, "b": 2}')
    page.get_by_label("Concurrency").fill("4")
    page.get_by_label("Duration (seconds)").fill("2")
    page.get_by_role("button", name="Start the load test").click()
    expect(page.get_by_role("heading", name="Load test of add")).to_be_visible()
    expect(page.locator("#load-throughput")).to_contain_text("calls a second", timeout=30_000)
    expect(page.locator("#load-errors")).to_contain_text("none")
    chart = page.get_by_role("img", name="Latency over time")
    expect(chart).to_be_visible()
    expect(chart.locator("polyline.p50")).to_have_count(1)
    expect(chart.locator("rect.bar")).not_to_have_count(0)
    screenshot(page, "load-test")
    page.get_by_role("link", name="everything").first.click()
    expect(page.locator("#load-tests")).to_contain_text("add")
