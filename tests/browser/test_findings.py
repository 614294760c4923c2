"""End to end, in Chromium: the findings of the message checks on a server that breaks a
rule on purpose (`tests/servers/rule_breaker.py`), and none on one that does not."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.support import connect_stdio, screenshot

pytestmark = pytest.mark.browser

REPO_ROOT = Path(__file__).resolve().parents[2]
RULE_BREAKER = REPO_ROOT / "tests" / "servers" / "rule_breaker.py"
TOOLS_SERVER = REPO_ROOT / "tests" / "servers" / "tools_server.py"
# Screenshots are looked at by people, not compared: they are kept out of the repository.


def test_a_rule_breaking_message_is_badged_listed_and_counted(
    page: Page, inspector_url: str
) -> None:
    # Its tools/list answer names a tool against the naming rules: a warning, drawn once
    # the Tools tab has listed the tools, after the page was shown.
    connect_stdio(page, inspector_url, f"{RULE_BREAKER} tools.name")
    totals = page.get_by_role("status", name="Findings in this session")
    expect(totals).to_contain_text("1 warning")
    expect(totals).to_contain_text("0 errors")

    page.get_by_role("tab", name="Protocol").click()
    row = page.locator("#protocol-log > li.event.flagged")
    expect(row).to_have_count(1)
    badge = row.locator(".findings-badge")
    expect(badge).to_have_text("1 warning1 finding, worst: warning")
    expect(badge).to_have_class("badge badge-warning findings-badge")
    row.locator("summary").click()
    finding = row.get_by_role("list", name="Findings").get_by_role("listitem")
    expect(finding).to_contain_text("tools.name")
    expect(finding).to_contain_text("warning")
    spec = finding.get_by_role("link", name="spec")
    expect(spec).to_have_attribute(
        "href", "https://modelcontextprotocol.io/specification/2025-11-25/server/tools"
    )
    mark = row.locator("mark.finding-mark")
    expect(mark).to_have_count(1)
    expect(mark).to_have_text('        "name": "bad name!",')
    expect(mark).to_have_attribute("title", "tools.name")
    screenshot(page, "protocol-row-with-findings")

    page.get_by_label("With findings").check()
    expect(page.locator("#protocol-log > li.event:visible")).to_have_count(1)
    page.get_by_label("With findings").uncheck()
    expect(page.locator("#protocol-log > li.event:visible")).not_to_have_count(1)

    # The Findings view, from the header: the rule, its explanation and spec link, and a
    # link back to the event in the Protocol tab.
    row.locator("summary").click()  # closed again, for the link to open
    totals.get_by_role("link", name="See them by rule").click()
    expect(page.get_by_role("tab", name="Findings")).to_have_attribute("aria-selected", "true")
    group = page.locator("#findings-panel li.rule-group")
    expect(group).to_have_count(1)
    expect(group.get_by_role("heading")).to_contain_text("tools.name")
    expect(group.get_by_role("heading")).to_contain_text("warning")
    expect(group.get_by_role("heading")).to_contain_text("1 time")
    expect(group).to_contain_text("A tool name follows the version's naming rules.")
    expect(group.get_by_role("link", name="The spec on it")).to_have_attribute(
        "href", "https://modelcontextprotocol.io/specification/2025-11-25/server/tools"
    )
    screenshot(page, "findings-view")
    group.get_by_role("link", name="result of tools/list").click()
    expect(page.get_by_role("tab", name="Protocol")).to_have_attribute("aria-selected", "true")
    expect(row.locator("details")).to_have_attribute("open", "")


def test_a_clean_server_shows_no_badge(page: Page, inspector_url: str) -> None:
    connect_stdio(page, inspector_url, str(TOOLS_SERVER))
    expect(page.get_by_role("list", name="Tools")).to_be_visible()
    totals = page.get_by_role("status", name="Findings in this session")
    expect(totals).to_contain_text("0 errors")
    expect(totals).to_contain_text("0 warnings")
    page.get_by_role("tab", name="Protocol").click()
    expect(page.locator("#protocol-log > li.event").first).to_be_visible()
    expect(page.locator(".findings-badge")).to_have_count(0)
    page.get_by_role("tab", name="Findings").click()
    expect(page.locator("#findings-none")).to_be_visible()
    screenshot(page, "protocol-clean")


def test_a_tool_result_shows_the_findings_of_its_answer(page: Page, inspector_url: str) -> None:
    # The call's answer holds an image whose data is not base64.
    connect_stdio(page, inspector_url, f"{RULE_BREAKER} content.base64")
    page.get_by_role("list", name="Tools").get_by_role(
        "button", name="Tool probe", exact=True
    ).click()
    page.locator("#tool-form").get_by_role("button", name="Run tool").click()
    result = page.locator("#tool-results > article").first
    finding = result.get_by_role("list", name="Findings").get_by_role("listitem")
    expect(finding).to_contain_text("content.base64")
    expect(finding).to_contain_text("$.result.content[0].data")
    expect(finding.get_by_role("link", name="spec")).to_be_visible()
    totals = page.get_by_role("status", name="Findings in this session")
    expect(totals).to_contain_text("1 error")
    screenshot(page, "tool-result-with-findings")


def open_afresh(page: Page, url: str) -> None:
    """A page load, even where only the address's fragment differs from the one shown."""
    page.goto("about:blank")
    page.goto(url)


def test_an_event_far_above_the_loaded_rows_is_one_click_away(
    page: Page, inspector_url: str
) -> None:
    # The finding comes early; 130 pings after it push it out of the rows a page loads.
    connect_stdio(page, inspector_url, f"{RULE_BREAKER} tools.name")
    expect(page.get_by_role("status", name="Findings in this session")).to_contain_text("1 warning")
    session_url = page.url.split("#")[0]
    page.evaluate(
        """async (url) => {
            const token = JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRFToken"];
            for (let i = 0; i < 130; i++) {
                await fetch(url + "ping", {method: "POST", headers: {"X-CSRFToken": token}});
            }
        }""",
        session_url,
    )
    open_afresh(page, session_url + "#findings")
    link = page.locator("#findings-panel .occurrences a").first
    seq = link.get_attribute("data-show-event")
    assert seq is not None
    expect(page.locator(f"#event-{seq}")).to_have_count(0)

    link.click()
    row = page.locator(f"#event-{seq}")
    expect(row).to_have_class(re.compile(r"\bfocused\b"))
    expect(row.locator("details")).to_have_attribute("open", "")
    expect(row).to_be_in_viewport()
    expect(page).to_have_url(f"{session_url}#event-{seq}")
    # The rows between came with it: the log is one unbroken run down to the newest.
    seqs = [int(s) for s in page.locator("#protocol-log > li").evaluate_all(
        "rows => rows.map(row => row.dataset.seq)"
    )]  # fmt: skip
    assert seqs[0] <= int(seq)
    assert len(seqs) > 200
    assert seqs == sorted(set(seqs))
    screenshot(page, "protocol-jumped-to-event")

    # The address is a permalink: opened afresh, the page goes to that event.
    open_afresh(page, f"{session_url}#event-{seq}")
    expect(page.locator(f"#event-{seq}")).to_have_class(re.compile(r"\bfocused\b"))

    # Farther up than a jump loads, the event opens on a page of its own.
    open_afresh(page, session_url + "#findings")
    page.locator("#protocol-log").evaluate("log => { log.dataset.jumpLimit = '1'; }")
    page.locator("#findings-panel .occurrences a").first.click()
    expect(page).to_have_url(f"{session_url}events/{seq}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"Event #{seq} of")
    focused = page.locator("li.event.focused")
    expect(focused.get_by_role("list", name="Findings")).to_contain_text("tools.name")
    expect(page.locator("li.event")).to_have_count(2)  # with the request it answers
    screenshot(page, "event-page")
    page.get_by_role("link", name="Open in the session's Protocol tab").click()
    expect(page.locator(f"#event-{seq}")).to_have_class(re.compile(r"\bfocused\b"))
