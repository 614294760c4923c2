"""In Chromium, the session page under a flood of log notifications: the Protocol tab
counts what arrived, stays on the rows the person is reading, and "load earlier" reaches
every event once the flood is over."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.support import connect_stdio, screenshot

pytestmark = pytest.mark.browser

REPO_ROOT = Path(__file__).resolve().parents[2]
FLOOD_SERVER = REPO_ROOT / "tests" / "servers" / "flood_stdio.py"
# Generous: the whole flood must be read, stored and pushed on a busy machine.
FLOOD_TIMEOUT_MS = 120_000


def connect_flood_server(page: Page, inspector_url: str) -> None:
    connect_stdio(page, inspector_url, str(FLOOD_SERVER))


def start_flood(page: Page, count: int, seconds: float = 0) -> None:
    page.get_by_role("tab", name="Tools").click()
    page.get_by_role("list", name="Tools").get_by_role("button", name="Tool flood").click()
    detail = page.locator("#tool-detail")
    detail.get_by_label("count").fill(str(count))
    if seconds:
        detail.get_by_label("seconds").fill(str(seconds))
    detail.get_by_role("button", name="Run tool").click()


def total_events(page: Page) -> int:
    return int(page.locator("#event-count").get_attribute("data-total") or 0)


def protocol_seqs(page: Page) -> list[int]:
    seqs: list[int] = page.eval_on_selector_all(
        "#protocol-log > li, #console-log > li", "rows => rows.map(row => Number(row.dataset.seq))"
    )
    return sorted(seqs)


def test_after_a_flood_load_earlier_reaches_every_event(page: Page, inspector_url: str) -> None:
    connect_flood_server(page, inspector_url)
    start_flood(page, 2500)
    expect(page.locator("#tool-results > article").first).to_contain_text(
        "flooded 2500", timeout=FLOOD_TIMEOUT_MS
    )
    page.get_by_role("tab", name="Protocol").click()
    count = page.get_by_role("status", name="Events received")
    expect(count).to_have_text(re.compile(r"^2,5\d\d events$"))
    last = total_events(page)
    shown = protocol_seqs(page)
    assert shown[-1] == last
    assert len(shown) < 500, "a flood is shown as its newest rows"
    earlier = page.get_by_role("button", name="Load earlier events")
    while earlier.count():
        before = len(protocol_seqs(page))
        earlier.click()
        expect(page.locator("#protocol-log > li")).not_to_have_count(before)
    assert protocol_seqs(page) == list(range(1, last + 1)), "every event, once, in order"

    page.get_by_role("tab", name="Server log").click()
    log = page.get_by_role("list", name="Server log")
    earlier_logs = page.get_by_role("button", name="Load earlier log messages")
    while earlier_logs.count():
        before = log.get_by_role("listitem").count()
        earlier_logs.click()
        expect(log.get_by_role("listitem")).not_to_have_count(before)
    expect(log.get_by_role("listitem")).to_have_count(2500)
    expect(log.get_by_role("listitem").first).to_contain_text('{"n": 0}')


def test_a_reader_scrolled_up_stays_put_while_a_flood_arrives(
    page: Page, inspector_url: str
) -> None:
    connect_flood_server(page, inspector_url)
    start_flood(page, 20_000, seconds=8)  # spread, so that the person reads meanwhile
    page.get_by_role("tab", name="Protocol").click()
    log = page.locator("#protocol-log")
    # Once the log scrolls, the person scrolls up to read.
    page.wait_for_function(
        "() => { const l = document.getElementById('protocol-log');"
        " return l.scrollHeight > l.clientHeight + 200; }"
    )
    log.evaluate("list => { list.scrollTop = 0; }")
    read = log.locator("li").first
    seq = read.get_attribute("data-seq")
    top = read.bounding_box()
    # The count follows the flood (request, 20,000 notifications, response) while the
    # rows read stay where they are.
    count = page.get_by_role("status", name="Events received")
    expect(count).to_have_text(
        re.compile(r"^20,0\d\d events · [\d,]+ new below$"), timeout=FLOOD_TIMEOUT_MS
    )
    assert log.locator("li").first.get_attribute("data-seq") == seq
    assert log.locator("li").first.bounding_box() == top
    assert log.evaluate("list => list.scrollTop") == 0
    # The page answers meanwhile: its buttons work.
    page.get_by_role("button", name="Ping").click()
    expect(page.locator("#ping-result")).to_contain_text("Pong")
    screenshot(page, "flood-reading")
    page.get_by_role("button", name="Show latest").click()
    # The ping's own events may still be on their way: wait until the count and the rows
    # agree on the newest event, then that row is the one in view.
    page.wait_for_function(
        "() => { const count = document.getElementById('event-count');"
        " const total = Number(count.dataset.total);"
        " return Boolean(document.getElementById('event-' + total))"
        " && count.textContent.trim() === total.toLocaleString('en-US') + ' events'; }"
    )
    last = total_events(page)
    expect(page.locator(f"#event-{last}")).to_be_in_viewport()
    expect(count).to_have_text(f"{last:,} events")
    expect(page.get_by_role("button", name="Show latest")).to_be_hidden()
