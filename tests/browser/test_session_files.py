"""End to end, in Chromium: a session exported to a file, imported back on the home page,
and one of its events found again by its permalink."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.support import connect_stdio, screenshot

pytestmark = pytest.mark.browser

REPO_ROOT = Path(__file__).resolve().parents[2]
RULE_BREAKER = REPO_ROOT / "tests" / "servers" / "rule_breaker.py"


def test_export_import_and_a_permalink_into_the_imported_session(
    page: Page, inspector_url: str, tmp_path: Path
) -> None:
    connect_stdio(page, inspector_url, f"{RULE_BREAKER} tools.name")
    expect(page.get_by_role("status", name="Findings in this session")).to_contain_text("1 warning")

    with page.expect_download() as caught:
        page.get_by_role("button", name="Export session").click()
    saved = tmp_path / caught.value.suggested_filename
    caught.value.save_as(saved)
    header, *events = [json.loads(line) for line in saved.read_text().splitlines()]
    assert header["format"] == "mcp-inspector-session"
    flagged = next(event for event in events if event.get("findings"))

    page.get_by_role("link", name="Sessions").click()
    page.get_by_label("Import a session file").set_input_files(saved)
    page.get_by_role("button", name="Import", exact=True).click()
    expect(page.locator("#session-origin")).to_contain_text(f"Imported from {saved.name}")
    expect(page.get_by_role("heading", level=1)).to_have_text("rule-breaker")
    expect(page.get_by_role("status", name="Session status")).to_have_text("closed")
    expect(page.get_by_role("button", name="Disconnect")).to_have_count(0)
    screenshot(page, "imported-session")

    imported_url = page.url.split("#")[0]
    page.goto("about:blank")
    page.goto(f"{imported_url}#event-{flagged['seq']}")
    row = page.locator(f"#event-{flagged['seq']}")
    expect(row).to_have_class(re.compile(r"\bfocused\b"))
    expect(row.get_by_role("list", name="Findings")).to_contain_text("tools.name")
    row.get_by_role("link", name="Permalink").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"Event #{flagged['seq']} of")
    expect(page.locator("li.event.focused pre, li.event.focused .marked-json")).to_contain_text(
        "bad name!"
    )

    page.get_by_role("link", name="Sessions").click()
    expect(page.locator("table.sessions").get_by_text("imported")).to_be_visible()
    broken = tmp_path / "broken.jsonl"
    broken.write_text(saved.read_text()[:-40])
    page.get_by_label("Import a session file").set_input_files(broken)
    page.get_by_role("button", name="Import", exact=True).click()
    refusal = page.get_by_role("alert")
    expect(refusal).to_contain_text("broken.jsonl was not imported, line ")
    expect(refusal).to_contain_text("Nothing of it was kept.")
    screenshot(page, "import-refused")
