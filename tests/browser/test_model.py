"""End to end, in Chromium: the model at hand, against our OpenAI-compatible fixture
(`tests/servers/openai_fixture.py`) and the consent fixture server.

The Model page is filled in, a wrong key is named by Test connection, then the right one
connects; a sampling request is drafted by the model (its request shown first), the
draft is edited and approved, and the server gets the edited answer.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.support import connect_stdio, screenshot
from tests.browser.test_inbox import (
    card,
    connect_consent_server,
    expect_waiting,
    latest_result,
    run_tool,
)
from tests.servers.http_harness import RunningServer, run_server
from tests.servers.openai_fixture import API_KEY

pytestmark = pytest.mark.browser
EVERYTHING = Path(__file__).resolve().parents[1] / "servers" / "everything_py.py"


@pytest.fixture(scope="module")
def model_server() -> Iterator[RunningServer]:
    with run_server("openai_fixture.py") as server:
        yield server


def configure_model(page: Page, inspector_url: str, server: RunningServer) -> None:
    page.goto(inspector_url)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Model").click()
    form = page.get_by_role("form", name="Model endpoint")
    form.get_by_label("Base URL").fill(server.url("/v1"))
    form.get_by_label("Model").fill("fixture-model")
    form.get_by_label("API key").fill("not-the-key")
    form.get_by_role("button", name="Test connection").click()
    check = page.get_by_role("status", name="Connection test")
    expect(check).to_contain_text("refused the API key (HTTP 401)")
    form.get_by_label("API key").fill(API_KEY)
    form.get_by_role("button", name="Test connection").click()
    expect(check).to_contain_text("Connected")
    form.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status").filter(has_text="Saved.")).to_be_visible()
    expect(page.get_by_text("an API key stored (encrypted)")).to_be_visible()
    page.get_by_role("form", name="Model endpoint").get_by_role(
        "button", name="Test connection"
    ).click()
    expect(check).to_contain_text("Connected: 127.0.0.1")
    screenshot(page, "model-settings")


def test_a_drafted_answer_is_edited_then_approved(
    page: Page, inspector_url: str, model_server: RunningServer
) -> None:
    configure_model(page, inspector_url, model_server)
    connect_consent_server(page, inspector_url)
    run_tool(page, "ask_llm", question="What is MCP?")
    sampling = card(page, "Sampling request")
    sampling.get_by_role("button", name="Draft with model").click()
    shown = sampling.get_by_role("region", name="Request to the model")
    expect(shown).to_contain_text('"max_tokens": 200')
    expect(shown).to_contain_text('"content": "You are a careful assistant."')
    expect(shown).to_contain_text('"model": "fixture-model"')
    screenshot(page, "inbox-draft-request")
    sampling.get_by_role("button", name="Send to model").click()
    expect(sampling.get_by_role("status").filter(has_text="Drafted by")).to_contain_text(
        "Drafted by fixture-model (stop reason endTurn)"
    )
    text = sampling.get_by_role("textbox", name="Response text", exact=True)
    expect(text).to_have_value("Fixture answer to: What is MCP?")
    expect(sampling.get_by_label("Model", exact=True)).to_have_value("fixture-model")
    screenshot(page, "inbox-drafted")
    # Nothing went to the server yet: the request still waits in the inbox.
    expect_waiting(page, 1)

    text.fill("Fixture answer to: What is MCP? Edited by hand.")
    sampling.get_by_role("button", name="Approve").click()
    expect(latest_result(page)).to_contain_text(
        "assistant said 'Fixture answer to: What is MCP? Edited by hand.' "
        "(model fixture-model, stop endTurn)"
    )
    expect_waiting(page, 0)


def test_the_playground_calls_a_tool_once_confirmed(
    page: Page, inspector_url: str, model_server: RunningServer
) -> None:
    configure_model(page, inspector_url, model_server)
    connect_stdio(page, inspector_url, str(EVERYTHING))
    page.get_by_role("tab", name="Playground").click()
    send = page.get_by_role("form", name="Message to the model")
    send.get_by_label("Message").fill('Please call tool echo {"message": "from the playground"}')
    send.get_by_role("button", name="Send").click()
    call = page.get_by_role("form", name="Tool call to confirm")
    expect(call).to_contain_text("The model asks to call echo")
    expect(call).to_contain_text('{"message": "from the playground"}')
    call.get_by_role("button", name="Confirm").click()
    chat = page.get_by_role("list", name="Conversation")
    expect(chat.get_by_role("listitem").filter(has_text="tool result")).to_contain_text(
        "from the playground"
    )
    expect(chat.get_by_role("listitem").last).to_contain_text("The tool said: from the playground")
    screenshot(page, "playground")
    # The call went through the session: the Protocol tab shows it.
    page.get_by_role("tab", name="Protocol").click()
    expect(page.locator("#panel-protocol")).to_contain_text("tools/call")
