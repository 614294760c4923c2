"""End to end, in Chromium: the approvals inbox against the real consent fixture server
(`tests/servers/consent_server.py`).

A sampling request is approved with an edited answer and another rejected; a form
elicitation is refused once for a bad email, then accepted with its defaults; another is
declined; a URL elicitation shows its host before anything can be opened, then follows
the server to "completed"; a root added in the Client tab is re-listed by the server and
shared; consent mode holds a destructive tool until confirmed; and two pages on one
session see the same request, answered on one and gone from the other.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import APIResponse, BrowserContext, Locator, Page, Route, expect

from tests.browser.support import connect_stdio, inbox, inbox_button, open_inbox

pytestmark = pytest.mark.browser

REPO_ROOT = Path(__file__).resolve().parents[2]
CONSENT_SERVER = REPO_ROOT / "tests" / "servers" / "consent_server.py"
QUESTION = "What does the inspector show?"
ANSWER_URL = re.compile(r"/sessions/[0-9a-f]+/inbox/[^/]+/answer$")


# -- helpers -----------------------------------------------------------------------------


def connect_consent_server(page: Page, inspector_url: str) -> None:
    connect_stdio(page, inspector_url, str(CONSENT_SERVER))
    expect(page.get_by_role("tab", name="Tools")).to_have_attribute("aria-selected", "true")
    expect(page.locator("#live-status")).to_have_text("Live")
    expect_waiting(page, 0)


def expect_waiting(page: Page, count: int) -> None:
    """The count on the button that opens the inbox, as shown and as read out."""
    expect(inbox_button(page)).to_have_accessible_name(f"Inbox {count} waiting")


def card(page: Page, kind: str) -> Locator:
    """The one pending item of this kind (its article is labelled with the kind)."""
    open_inbox(page)
    found = inbox(page).get_by_role("article", name=kind, exact=True)
    expect(found).to_have_count(1)
    return found


def open_tool(page: Page, name: str) -> Locator:
    page.get_by_role("tab", name="Tools").click()
    tools = page.get_by_role("list", name="Tools")
    tools.get_by_role("button", name=f"Tool {name}", exact=True).click()
    detail = page.locator("#tool-detail")
    expect(detail.get_by_role("heading", name=name)).to_be_visible()
    return detail


def run_tool(page: Page, name: str, **arguments: str) -> Locator:
    """Runs a tool from the Tools tab; the call's result will be the newest article."""
    detail = open_tool(page, name)
    for label, value in arguments.items():
        detail.get_by_label(label, exact=True).fill(value)
    detail.get_by_role("button", name="Run tool").click()
    return detail


def results(page: Page) -> Locator:
    return page.locator("#tool-results > article")


def latest_result(page: Page) -> Locator:
    return results(page).first


def result_json(result: Locator) -> Any:
    """The text the tool returned, read as JSON (the page shows it pretty-printed)."""
    return json.loads(result.locator(".content-text").first.inner_text())


def show_client_tab(page: Page) -> Locator:
    page.get_by_role("tab", name="Client").click()
    panel = page.get_by_role("tabpanel", name="Client")
    expect(panel.get_by_role("heading", name="Consent")).to_be_visible()
    return panel


def answer_sampling(page: Page, *, text: str, model: str) -> None:
    sampling = card(page, "Sampling request")
    sampling.get_by_label("Model", exact=True).fill(model)
    sampling.get_by_label("Response text", exact=True).fill(text)
    sampling.get_by_role("button", name="Approve").click()


# -- sampling ----------------------------------------------------------------------------


def test_sampling_approved_with_an_edited_response(page: Page, inspector_url: str) -> None:
    connect_consent_server(page, inspector_url)
    detail = run_tool(page, "ask_llm", question=QUESTION)
    sampling = card(page, "Sampling request")
    expect_waiting(page, 1)
    expect(sampling).to_contain_text("from Fixture Consent")
    expect(sampling.get_by_text("You are a careful assistant.", exact=True)).to_be_visible()
    expect(sampling.get_by_role("list", name="Messages")).to_contain_text(QUESTION)
    expect(sampling.get_by_label("Model", exact=True)).to_have_value("claude-sonnet")
    expect(sampling.get_by_label("Stop reason", exact=True)).to_have_value("endTurn")
    expect(sampling.get_by_role("combobox", name="Role")).to_have_value("assistant")
    # The call waits for the answer: nothing is shown as its result yet.
    expect(detail.get_by_role("button", name="Run tool")).to_be_disabled()
    expect(results(page)).to_have_count(0)

    answer_sampling(page, text="It shows every message.", model="typed-by-hand")
    expect(sampling.get_by_role("status")).to_have_text("Approved by the local user.")
    expect(latest_result(page)).to_contain_text(
        "assistant said 'It shows every message.' (model typed-by-hand, stop endTurn)"
    )
    expect_waiting(page, 0)
    # The note stays a moment on the page that answered, then the card leaves.
    expect(inbox(page).get_by_role("article")).to_have_count(0)


def test_sampling_rejected(page: Page, inspector_url: str) -> None:
    connect_consent_server(page, inspector_url)
    run_tool(page, "ask_llm")
    sampling = card(page, "Sampling request")
    expect(sampling.get_by_role("list", name="Messages")).to_contain_text("What is MCP?")
    sampling.get_by_role("button", name="Reject").click()
    expect(latest_result(page)).to_contain_text(
        "sampling refused (-1): The user rejected the sampling request."
    )
    expect_waiting(page, 0)


# -- elicitation -------------------------------------------------------------------------


def test_form_elicitation_refused_once_then_accepted_with_defaults(
    page: Page, inspector_url: str
) -> None:
    connect_consent_server(page, inspector_url)
    run_tool(page, "collect_profile")
    elicitation = card(page, "Elicitation")
    expect(elicitation).to_contain_text("Fixture Consent asks: Tell us about yourself.")
    # The defaults are filled in.
    expect(elicitation.get_by_label("Your name")).to_have_value("Ada")
    expect(elicitation.get_by_label("age", exact=True)).to_have_value("36")
    expect(elicitation.get_by_label("Newsletter")).to_be_checked()

    email = elicitation.get_by_label("Email")
    email.fill("not an email")
    elicitation.get_by_role("button", name="Accept").click()
    expect(elicitation.get_by_role("alert")).to_contain_text("is not a 'email'")
    expect(email).to_have_value("not an email")  # what was typed is kept
    expect(elicitation.get_by_label("Your name")).to_have_value("Ada")
    expect_waiting(page, 1)
    expect(results(page)).to_have_count(0)

    email.fill("ada@example.com")
    elicitation.get_by_role("button", name="Accept").click()
    expect(elicitation.get_by_role("status")).to_have_text("Accepted by the local user.")
    result = latest_result(page)
    expect(result).to_contain_text('"action": "accept"')
    answer = result_json(result)
    assert answer["action"] == "accept", answer
    content = answer["content"]
    assert content["email"] == "ada@example.com", content
    assert content["name"] == "Ada", content
    assert content["age"] == 36, content
    assert content["plan"] == "free", content
    assert content["topics"] == ["mcp"], content
    assert content["newsletter"] is True, content
    expect_waiting(page, 0)


def test_form_elicitation_declined(page: Page, inspector_url: str) -> None:
    connect_consent_server(page, inspector_url)
    run_tool(page, "collect_profile")
    elicitation = card(page, "Elicitation")
    elicitation.get_by_role("button", name="Decline").click()
    expect(elicitation.get_by_role("status")).to_have_text("Declined by the local user.")
    result = latest_result(page)
    expect(result).to_contain_text('"action": "decline"')
    assert result_json(result) == {"action": "decline", "content": None}
    expect_waiting(page, 0)


def test_url_elicitation_shown_then_followed_to_completion(page: Page, inspector_url: str) -> None:
    connect_consent_server(page, inspector_url)
    run_tool(page, "connect_account")
    elicitation = card(page, "Elicitation")
    expect(elicitation).to_contain_text("Connect your account to continue.")
    url = elicitation.get_by_label("Full URL")
    expect(url).to_have_text("https://auth.example.com/connect?account=42")
    expect(url.locator("mark")).to_have_text("auth.example.com")
    # Nothing to click before consent, anywhere on the page.
    expect(page.locator('a[href^="https://auth.example.com"]')).to_have_count(0)
    expect(inbox(page).get_by_role("region", name="Accepted links")).to_have_count(0)

    elicitation.get_by_role("button", name="Accept").click()
    expect(latest_result(page)).to_contain_text("connect: accept")
    accepted = inbox(page).get_by_role("region", name="Accepted links")
    link = accepted.get_by_role("link", name="Open auth.example.com")
    expect(link).to_have_attribute("href", "https://auth.example.com/connect?account=42")
    expect(link).to_have_attribute("rel", "noopener noreferrer")
    expect(link).to_have_attribute("target", "_blank")
    expect(accepted.get_by_label("Full URL")).to_have_text(
        "https://auth.example.com/connect?account=42"
    )
    # The server sends notifications/elicitation/complete shortly after the answer.
    expect(accepted.get_by_text("completed", exact=True)).to_be_visible()
    expect(accepted).to_contain_text("The server reports it done.")
    expect(accepted.get_by_text("waiting", exact=True)).to_have_count(0)
    expect_waiting(page, 0)


# -- roots -------------------------------------------------------------------------------


def test_roots_changed_are_relisted_by_the_server_and_shared(
    page: Page, inspector_url: str
) -> None:
    connect_consent_server(page, inspector_url)
    client = show_client_tab(page)
    roots = client.get_by_role("region", name="Roots")
    expect(roots).to_contain_text("No roots shared.")
    roots.get_by_label("Root path or file:// URI").fill("/srv/demo")
    roots.get_by_label("Name", exact=True).fill("Demo")
    roots.get_by_role("button", name="Add root").click()
    shared = roots.get_by_role("listitem").filter(has_text="file:///srv/demo")
    expect(shared).to_contain_text("Demo")
    expect(shared.get_by_role("button", name="Remove root file:///srv/demo")).to_be_visible()

    # notifications/roots/list_changed makes the server ask roots/list again.
    request = card(page, "Roots request")
    expect_waiting(page, 1)
    expect(request.get_by_role("listitem")).to_have_text("file:///srv/demo Demo")
    request.get_by_role("button", name="Share roots").click()
    expect_waiting(page, 0)
    page.get_by_role("tab", name="Server log").click()
    expect(page.get_by_role("list", name="Server log")).to_contain_text(
        "roots now: file:///srv/demo"
    )


# -- consent mode ------------------------------------------------------------------------


def test_consent_mode_holds_a_destructive_tool_until_confirmed(
    page: Page, inspector_url: str
) -> None:
    connect_consent_server(page, inspector_url)
    # The tool list is loaded first, so the inspector knows the tool's annotations.
    open_tool(page, "delete_everything")
    client = show_client_tab(page)
    confirm = client.get_by_role("checkbox", name="Confirm every tool call")
    expect(confirm).not_to_be_checked()
    confirm.check()
    expect(client.get_by_role("checkbox", name="Confirm every tool call")).to_be_checked()

    detail = run_tool(page, "delete_everything")
    held = card(page, "Tool call awaiting confirmation")
    expect_waiting(page, 1)
    expect(held).to_contain_text("Run delete_everything?")
    expect(held.get_by_text("Destructive.", exact=True)).to_be_visible()
    expect(detail.get_by_role("button", name="Run tool")).to_be_disabled()
    expect(results(page)).to_have_count(0)

    held.get_by_role("button", name="Run the tool").click()
    expect(latest_result(page)).to_contain_text("deleted everything")
    expect_waiting(page, 0)


# -- two pages ---------------------------------------------------------------------------


def test_two_pages_see_one_request_answered_on_either(
    context: BrowserContext, page: Page, inspector_url: str
) -> None:
    connect_consent_server(page, inspector_url)
    other = context.new_page()
    other.goto(page.url)
    expect(other.get_by_role("status", name="Session status")).to_have_text("connected")
    expect(other.locator("#live-status")).to_have_text("Live")
    expect_waiting(other, 0)

    run_tool(page, "ask_llm", question=QUESTION)
    for seen_on in (page, other):
        expect_waiting(seen_on, 1)
        sampling = card(seen_on, "Sampling request")
        expect(sampling.get_by_role("list", name="Messages")).to_contain_text(QUESTION)

    answered = card(other, "Sampling request")
    answered.get_by_role("button", name="Reject").click()
    expect(answered.get_by_role("status")).to_have_text("Rejected by the local user.")
    expect_waiting(other, 0)
    expect_waiting(page, 0)
    expect(inbox(page).get_by_role("article")).to_have_count(0)
    expect(latest_result(page)).to_contain_text(
        "sampling refused (-1): The user rejected the sampling request."
    )


# -- the answering page, when its answer's response comes back late ----------------------


def test_the_note_shows_even_when_the_answer_comes_back_after_the_inbox_refresh(
    page: Page, inspector_url: str
) -> None:
    """On a slow link the live stream can tell the page that the inbox changed before the
    answer's own response is back. The answering page must still show the note (here
    "Rejected by the local user."), as it does when the response wins the race.

    The answer reaches the server at once; only its response is held back until the page
    has reloaded the inbox, then delivered untouched."""
    connect_consent_server(page, inspector_url)
    held: list[tuple[Route, APIResponse]] = []

    def hold_the_response(route: Route) -> None:
        held.append((route, route.fetch()))

    page.route(ANSWER_URL, hold_the_response)
    run_tool(page, "ask_llm")
    card(page, "Sampling request").get_by_role("button", name="Reject").click()
    expect(latest_result(page)).to_contain_text(
        "sampling refused (-1): The user rejected the sampling request."
    )
    expect_waiting(page, 0)  # the inbox was reloaded from the live stream's signal
    assert len(held) == 1, f"{len(held)} answers were posted"
    route, response = held[0]
    route.fulfill(response=response)
    expect(
        inbox(page).get_by_text("Rejected by the local user.", exact=True),
        "The page that answered never shows its note: the inbox reload removed the card "
        "while the answer was in flight, so the answer's response had nowhere to go "
        "(static/inspector/js/inbox.js).",
    ).to_be_visible()
