"""End to end, in Chromium: "Check this server" on a session's page runs the report card
on a server with planted faults (`tests/servers/doctor_faults.py`), the page follows the
checks to their verdict, and a failure's evidence leads to the event that proves it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.support import connect_stdio, screenshot

pytestmark = pytest.mark.browser

REPO_ROOT = Path(__file__).resolve().parents[2]
DOCTOR_FAULTS = REPO_ROOT / "tests" / "servers" / "doctor_faults.py"
# Screenshots are looked at by people, not compared: they are kept out of the repository.
# The checks of the fixture take a few seconds; the page polls every second.
REPORT_TIMEOUT_MS = 60_000


def test_a_report_is_run_from_the_session_page_and_a_failure_leads_to_its_event(
    page: Page, inspector_url: str
) -> None:
    connect_stdio(page, inspector_url, f"{DOCTOR_FAULTS} faults")
    session_url = page.url
    card = page.get_by_role("region", name="Report card")
    expect(card).to_contain_text("This session is not touched")
    card.get_by_role("button", name="Check this server").click()

    expect(page).to_have_url(re.compile(r"/reports/[0-9a-f]{32}/$"))
    report_url = page.url
    verdict = page.get_by_role("heading", name=re.compile("^Verdict:"))
    expect(verdict).to_have_text("Verdict: Needs fixing", timeout=REPORT_TIMEOUT_MS)
    to_fix = page.get_by_role("region", name="What to fix")
    expect(to_fix).to_contain_text("remove text addressed to the model")
    expect(page.get_by_role("link", name="JUnit XML")).to_be_visible()
    screenshot(page, "report-page")

    # The stdout banner is a failure of the connection; its evidence is the line itself.
    noise = page.get_by_role("listitem", name="connection.stdio.stdout: Failed")
    expect(noise).to_contain_text("stdout")
    noise.scroll_into_view_if_needed()
    screenshot(page, "report-section")
    evidence = noise.get_by_role("link", name=re.compile("evidence of connection.stdio.stdout"))
    expect(evidence).to_have_count(1)
    evidence.click()
    expect(page).to_have_url(re.compile(r"/sessions/[0-9a-f]{32}/events/\d+/$"))
    assert not page.url.startswith(session_url), "the evidence is in the checks' own session"
    focused = page.locator("li.event.focused")
    expect(focused).to_contain_text("doctor-faults v0 ready")
    screenshot(page, "evidence-event")

    # The session's page lists the report, and leads back to it.
    page.goto(session_url)
    reports = page.get_by_role("region", name="Report card")
    expect(reports).to_contain_text("Reports:")
    reports.scroll_into_view_if_needed()
    screenshot(page, "session-page-with-check")
    reports.get_by_role("link", name=re.compile("fail")).click()
    expect(page).to_have_url(report_url)
