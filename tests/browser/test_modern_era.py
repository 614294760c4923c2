"""End to end, in Chromium: the same flows as the other browser tests, against a server of
the 2026-07-28 era (`tests/servers/modern_everything.py`), reached with the connect form's
default, auto-detection.

The session says which era it settled on and why; a tool is called; a resource is read,
subscribed to through `subscriptions/listen`, and its update arrives; a prompt is got; a
sampling and an elicitation asked for through `input_required` are answered in the inbox,
and the tool's result arrives after. Auto-detection against a server that only knows the
initialize handshake settles on the legacy era.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.browser.support import choose_era, inbox, inbox_button, open_inbox

pytestmark = pytest.mark.browser

REPO_ROOT = Path(__file__).resolve().parents[2]
MODERN_SERVER = REPO_ROOT / "tests" / "servers" / "modern_everything.py"


# -- helpers -----------------------------------------------------------------------------


def connect(page: Page, inspector_url: str, arguments: str, cwd: str = "") -> None:
    """Fill the connect form with the era auto-detected (new connections are legacy)."""
    page.goto(inspector_url)
    form = page.get_by_role("region", name="Connect to a server")
    expect(form.get_by_label("Protocol era", exact=True)).to_have_value("legacy")
    choose_era(form, "auto")
    form.get_by_label("Transport", exact=True).select_option("stdio")
    form.get_by_label("Command", exact=True).fill(sys.executable)
    form.get_by_label("Arguments", exact=True).fill(arguments)
    form.get_by_label("Working directory", exact=True).fill(cwd)
    form.get_by_role("button", name="Connect").click()
    expect(page.get_by_role("status", name="Session status")).to_have_text("connected")
    expect(page.locator("#live-status")).to_have_text("Live")


def connect_modern(page: Page, inspector_url: str) -> None:
    connect(page, inspector_url, str(MODERN_SERVER))
    expect(page.get_by_role("heading", name="Fixture Modern", level=1)).to_be_visible()


def show_tab(page: Page, name: str) -> Locator:
    page.get_by_role("tab", name=name).click()
    expect(page.get_by_role("tab", name=name)).to_have_attribute("aria-selected", "true")
    return page.get_by_role("tabpanel", name=name)


def run_tool(page: Page, name: str, **arguments: str) -> Locator:
    """Run a tool by its title (its name when it has none)."""
    show_tab(page, "Tools")
    tools = page.get_by_role("list", name="Tools")
    tools.get_by_role("button", name=f"Tool {name}", exact=True).click()
    detail = page.locator("#tool-detail")
    expect(detail.get_by_role("heading", name=name)).to_be_visible()
    for label, value in arguments.items():
        detail.get_by_label(label, exact=True).fill(value)
    detail.get_by_role("button", name="Run tool").click()
    return detail


def latest_result(page: Page) -> Locator:
    return page.locator("#tool-results > article").first


def card(page: Page, kind: str) -> Locator:
    open_inbox(page)
    found = inbox(page).get_by_role("article", name=kind, exact=True)
    expect(found).to_have_count(1)
    return found


def expect_waiting(page: Page, count: int) -> None:
    """The count on the button that opens the inbox, as shown and as read out."""
    expect(inbox_button(page)).to_have_accessible_name(f"Inbox {count} waiting")


# -- the era -------------------------------------------------------------------------------


def test_auto_detects_the_modern_era_and_says_why(page: Page, inspector_url: str) -> None:
    connect_modern(page, inspector_url)
    expect(page.locator("#session-era")).to_have_text("modern")
    expect(page.locator("#era-reason")).to_contain_text(
        "Auto-detected modern: server/discover answered"
    )
    expect(page.locator("#negotiated-version")).to_have_text("2026-07-28")
    # What the era removed is not offered.
    expect(page.get_by_role("button", name="Ping")).to_have_count(0)
    logs = show_tab(page, "Server log")
    expect(logs.get_by_label("Log level asked for by each request")).to_have_value("")

    # The Protocol tab shows the probe, and no initialize.
    protocol = show_tab(page, "Protocol")
    log = protocol.get_by_role("list", name="Protocol messages")
    expect(log.locator("li.event[data-method='server/discover']").first).to_be_visible()
    expect(log.locator("li.event[data-method='initialize']")).to_have_count(0)


def test_auto_settles_on_legacy_with_a_handshake_only_server(
    page: Page, inspector_url: str
) -> None:
    connect(page, inspector_url, "-m tests.servers.broken_stdio", str(REPO_ROOT))
    expect(page.locator("#session-era")).to_have_text("legacy")
    expect(page.locator("#era-reason")).to_contain_text("Auto-detected legacy")
    expect(page.locator("#negotiated-version")).to_have_text("2025-11-25")
    expect(page.get_by_role("button", name="Ping")).to_be_visible()


# -- tools, resources, prompts -------------------------------------------------------------


def test_a_tool_is_called(page: Page, inspector_url: str) -> None:
    connect_modern(page, inspector_url)
    show_tab(page, "Tools")
    tools = page.get_by_role("list", name="Tools")
    tools.get_by_role("button", name="Tool Add", exact=True).click()
    detail = page.locator("#tool-detail")
    detail.get_by_role("textbox", name="a *", exact=True).fill("2")
    detail.get_by_role("textbox", name="b *", exact=True).fill("3")
    detail.get_by_role("button", name="Run tool").click()
    expect(latest_result(page).locator(".content-text").first).to_have_text("5")


def test_a_resource_is_read_subscribed_to_and_its_update_arrives(
    page: Page, inspector_url: str
) -> None:
    connect_modern(page, inspector_url)
    show_tab(page, "Resources")
    resources = page.get_by_role("list", name="Resources", exact=True)
    resources.get_by_role("button", name="Resource Counter", exact=True).click()
    detail = page.locator("#resource-detail")
    contents = detail.get_by_role("region", name="Contents of modern://counter")
    expect(contents.locator(".content-text")).to_have_text("count: 0")
    expect(contents).to_contain_text("Cache hint: fresh for 5 s (ttlMs 5000)")
    notice = contents.get_by_text("The server says this resource changed.")
    expect(notice).to_be_hidden()

    # Subscribing opens subscriptions/listen; the server acknowledges, then changes the
    # counter half a second later.
    contents.get_by_role("button", name="Subscribe").click()
    expect(contents.get_by_role("button", name="Unsubscribe")).to_be_visible()
    subscriptions = page.get_by_role("region", name="Subscriptions")
    expect(subscriptions.locator("#listen-stream")).to_contain_text("listening")
    expect(subscriptions.get_by_label("Acknowledged notifications")).to_contain_text(
        "modern://counter"
    )
    row = subscriptions.get_by_role("listitem").filter(has_text="modern://counter")
    expect(row.get_by_text("changed")).to_be_visible()
    expect(notice).to_be_visible()
    contents.get_by_role("button", name="Read again").click()
    expect(contents.locator(".content-text")).to_have_text("count: 1")


def test_a_prompt_is_got(page: Page, inspector_url: str) -> None:
    connect_modern(page, inspector_url)
    show_tab(page, "Prompts")
    page.get_by_role("button", name="Prompt Greeting").click()
    detail = page.locator("#prompt-detail")
    detail.locator("#f-prompt-arg_2f_name").fill("Grace")
    detail.get_by_role("button", name="Get prompt").click()
    messages = detail.locator("#prompt-results > article").first.get_by_role(
        "list", name="Messages"
    )
    expect(messages).to_contain_text("Say hello to Grace in a casual way.")


# -- input required ------------------------------------------------------------------------


def test_a_sampling_asked_for_through_input_required(page: Page, inspector_url: str) -> None:
    connect_modern(page, inspector_url)
    detail = run_tool(page, "ask_llm", question="Which colour is the sky?")
    sampling = card(page, "Sampling request")
    expect_waiting(page, 1)
    expect(sampling.get_by_role("list", name="Messages")).to_contain_text(
        "Which colour is the sky?"
    )
    expect(sampling).to_contain_text("Input llm asked for by tools/call ask_llm")
    expect(sampling).to_contain_text("round 1")
    expect(detail.get_by_role("button", name="Run tool")).to_be_disabled()

    sampling.get_by_label("Model", exact=True).fill("typed-by-hand")
    sampling.get_by_label("Response text", exact=True).fill("Blue.")
    sampling.get_by_role("button", name="Approve").click()
    expect(sampling.get_by_role("status")).to_have_text("Approved by the local user.")
    expect(latest_result(page)).to_contain_text("assistant said 'Blue.' (model typed-by-hand)")
    expect_waiting(page, 0)

    # The rounds are grouped under the call that started them.
    protocol = show_tab(page, "Protocol")
    rounds = protocol.locator("li.event.round-of-request")
    expect(rounds.first).to_be_visible()
    origin = rounds.first.get_attribute("data-origin-seq")
    first_call = protocol.locator(f"#event-{origin}")
    expect(first_call).to_have_attribute("data-method", "tools/call")
    expect(rounds.filter(has_text=f"round 2 of #{origin}").first).to_be_visible()
    # Right below the call: the result that asked for input, then the rounds.
    below = first_call.locator("xpath=following-sibling::li")
    expect(below.nth(0)).to_have_attribute("data-answers", str(origin))
    expect(below.nth(1)).to_have_attribute("data-origin-seq", str(origin))
    expect(below.nth(1)).to_contain_text(f"input llm, round 1 of #{origin}")


def test_an_elicitation_asked_for_through_input_required(page: Page, inspector_url: str) -> None:
    connect_modern(page, inspector_url)
    run_tool(page, "collect_profile")
    elicitation = card(page, "Elicitation")
    expect(elicitation).to_contain_text("Tell us about yourself.")
    expect(elicitation).to_contain_text("Input profile asked for by tools/call collect_profile")
    expect(elicitation.get_by_label("Your name")).to_have_value("Ada")
    elicitation.get_by_label("Your name").fill("Grace")
    elicitation.get_by_label("Newsletter").check()
    elicitation.get_by_role("button", name="Accept").click()
    expect(elicitation.get_by_role("status")).to_have_text("Accepted by the local user.")
    result = latest_result(page)
    expect(result).to_contain_text('"action": "accept"')
    answer = json.loads(result.locator(".content-text").first.inner_text())
    assert answer == {"action": "accept", "content": {"name": "Grace", "newsletter": True}}
    expect_waiting(page, 0)
