"""The model at hand in the views: its settings page, the connection test naming each
failure, and "Draft with model" on a sampling request, against our OpenAI-compatible
fixture (`tests/servers/openai_fixture.py`) and the consent fixture server."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from cryptography.fernet import Fernet
from django.test import AsyncClient

from inspector import services
from inspector.models import ModelEndpointSetting
from inspector.sessions.status import SessionStatus
from inspector.storage import encryption
from tests.conftest import fixture_spec
from tests.servers.http_harness import RunningServer, refused_port, run_server
from tests.servers.openai_fixture import API_KEY
from tests.web.support import (
    LOGIN_REQUIRED,
    OWNER_CHECK,
    answer_url,
    page,
    signed_in,
    start_tool,
    text_reply,
    tool_text,
    waiting,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(scope="module")
def model_server() -> Iterator[RunningServer]:
    with run_server("openai_fixture.py") as server:
        yield server


def endpoint(
    server: RunningServer, model: str = "fixture-model", key: str = API_KEY
) -> dict[str, str]:
    return {"base_url": server.url("/v1"), "model": model, "api_key": key}


async def configure(client: AsyncClient, server: RunningServer, **fields: str) -> str:
    return await page(client, "/model/", {**endpoint(server), **fields})


async def check(client: AsyncClient, fields: dict[str, str]) -> str:
    return await page(client, "/model/test", fields)


async def test_the_settings_keep_the_key_encrypted_and_never_show_it(
    client: AsyncClient, model_server: RunningServer, private_key: Any
) -> None:
    saved = await configure(client, model_server)
    assert "Saved." in saved
    assert "Configured: <strong>fixture-model</strong>" in saved
    assert "an API key stored (encrypted)" in saved
    assert API_KEY not in saved
    row = await ModelEndpointSetting.objects.aget(owner=None)
    assert API_KEY not in row.api_key_encrypted
    # Saving again with the key left empty keeps the stored key.
    again = await page(client, "/model/", {**endpoint(model_server), "api_key": ""})
    assert "an API key stored (encrypted)" in again
    assert "Connected" in await check(client, {**endpoint(model_server), "api_key": ""})
    # The top bar links the page.
    assert 'href="/model/">Model</a>' in await page(client, "/")


async def test_the_connection_test_says_which_part_failed(
    client: AsyncClient, model_server: RunningServer, private_key: Any
) -> None:
    good = await check(client, endpoint(model_server))
    assert "Connected: 127.0.0.1:" in good
    assert "answered with model fixture-model" in good

    bad_key = await check(client, endpoint(model_server, key="wrong"))
    assert "refused the API key (HTTP 401)" in bad_key

    unknown = await check(client, endpoint(model_server, model="no-such-model"))
    assert "does not know the model 'no-such-model' (HTTP 404)" in unknown

    failing = await check(client, endpoint(model_server, model="failing-model"))
    assert "answered HTTP 503: upstream overloaded" in failing

    broken = await check(client, endpoint(model_server, model="broken-model"))
    assert "is not a chat completion" in broken

    with refused_port() as port:
        unreachable = await check(
            client, {**endpoint(model_server), "base_url": f"http://127.0.0.1:{port}/v1"}
        )
    assert f"The model endpoint at 127.0.0.1:{port} is unreachable" in unreachable


async def open_consent_session() -> str:
    snapshot = await services.session_connect(spec=fixture_spec("consent_server"))
    assert snapshot.status is SessionStatus.CONNECTED, snapshot.error
    return snapshot.id


async def last_sent(server: RunningServer) -> Any:
    """The body of the last completion request the fixture model received."""
    async with httpx.AsyncClient() as http:
        return (await http.get(server.url("/v1/last"))).json()


def shown_request(preview: str) -> dict[str, Any]:
    found = re.search(
        r'<pre class="json" aria-label="Request body" tabindex="0">(.*?)</pre>', preview, re.S
    )
    assert found, preview
    body: dict[str, Any] = json.loads(found.group(1))
    return body


async def test_a_draft_shows_the_request_then_fills_the_reply_and_waits_for_approval(
    client: AsyncClient, model_server: RunningServer, private_key: Any
) -> None:
    session_id = await open_consent_session()
    running = start_tool(session_id, "ask_llm", question="What is MCP?")
    approval = await waiting(session_id)
    inbox = await page(client, f"/sessions/{session_id}/inbox")
    assert "Draft with model" in inbox
    draft_url = f"/sessions/{session_id}/inbox/{approval.id}/draft"

    unconfigured = await page(client, draft_url, {})
    assert "No model is configured" in unconfigured

    await configure(client, model_server)
    before = await last_sent(model_server)
    preview = await page(client, draft_url, {})
    assert model_server.url("/v1/chat/completions") in preview
    assert API_KEY not in preview
    sent = shown_request(preview)
    assert sent["model"] == "fixture-model"
    assert sent["max_tokens"] == 200
    assert sent["temperature"] == 0.2
    assert sent["stop"] == ["END"]
    assert sent["messages"][0] == {"role": "system", "content": "You are a careful assistant."}
    assert sent["messages"][1] == {"role": "user", "content": "What is MCP?"}
    image = sent["messages"][2]["content"][0]
    assert image["type"] == "image_url"
    assert image["image_url"]["url"].startswith("data:image/png;base64,iVBOR")
    # Nothing was sent yet.
    assert await last_sent(model_server) == before

    drafted = await page(client, f"{draft_url}/send", {})
    assert "Drafted by <strong>fixture-model</strong> (stop reason endTurn)" in drafted
    assert '<textarea name="text" rows="3">Fixture answer to: What is MCP?</textarea>' in drafted
    assert 'name="model" value="fixture-model"' in drafted
    assert 'hx-swap-oob="true"' in drafted
    # What went to the model is what was shown.
    assert await last_sent(model_server) == sent
    # The server still waits: only the person's approval answers it.
    assert not running.done()
    assert (await services.approval_get(session_id=session_id, approval_id=approval.id)).pending

    answered = await page(
        client,
        answer_url(session_id, approval),
        text_reply("Fixture answer, edited.", "fixture-model"),
    )
    assert "Approved by the local user." in answered
    assert tool_text(await running) == (
        "assistant said 'Fixture answer, edited.' (model fixture-model, stop endTurn)"
    )


async def test_a_failed_draft_says_why_and_offers_to_send_again(
    client: AsyncClient, model_server: RunningServer, private_key: Any
) -> None:
    session_id = await open_consent_session()
    running = start_tool(session_id, "ask_llm")
    approval = await waiting(session_id)
    await configure(client, model_server, api_key="wrong")
    drafted = await page(client, f"/sessions/{session_id}/inbox/{approval.id}/draft/send", {})
    assert "The model did not answer." in drafted
    assert "refused the API key (HTTP 401)" in drafted
    assert "Send to model" in drafted
    assert not running.done()
    await page(client, answer_url(session_id, approval), {"decision": "refuse"})
    await running


# -- the Playground ------------------------------------------------------------------------


async def raw(client: AsyncClient, url: str, data: dict[str, Any]) -> str:
    """The page as sent (attribute values still escaped)."""
    response = await client.post(url, data)
    assert response.status_code == 200, response.content.decode()[:2000]
    return str(response.content.decode())


def conversation(panel: str) -> str:
    """The conversation the Playground's form carries, as the browser would send it."""
    found = re.search(r'name="messages" value="([^"]*)"', panel)
    assert found, panel
    return html.unescape(found.group(1))


async def test_the_playground_asks_before_each_tool_call_and_feeds_back_its_result(
    client: AsyncClient, model_server: RunningServer, private_key: Any
) -> None:
    snapshot = await services.session_connect(spec=fixture_spec("everything_py"))
    session_id = snapshot.id
    base = f"/sessions/{session_id}/playground/"
    unconfigured = await page(client, base)
    assert "No model is configured." in unconfigured

    await configure(client, model_server)
    assert 'aria-label="Message to the model"' in await page(client, base)
    asked = await raw(
        client, f"{base}send", {"messages": "[]", "text": 'call tool echo {"message": "hi"}'}
    )
    assert 'The model asks to call <strong class="mono">echo</strong>' in asked
    sent = await last_sent(model_server)
    echo = next(tool for tool in sent["tools"] if tool["function"]["name"] == "echo")
    assert echo["type"] == "function"
    assert echo["function"]["parameters"]["properties"]["message"]["type"] == "string"
    before = await services.event_list_after(session_id=session_id, after_seq=0, limit=10_000)

    history = conversation(asked)
    confirmed = await raw(client, f"{base}decide", {"messages": history, "decision": "confirm"})
    assert "The tool said: hi" in confirmed
    after = await services.event_list_after(session_id=session_id, after_seq=0, limit=10_000)
    called = [e for e in after[len(before) :] if e.method == "tools/call"]
    assert called, "the confirmed call went through the session"

    refused = await raw(
        client,
        f"{base}send",
        {
            "messages": conversation(confirmed),
            "text": 'call tool echo {"message": "again"}',
        },
    )
    history = conversation(refused)
    calls_before = len(
        await services.event_list_after(session_id=session_id, after_seq=0, limit=10_000)
    )
    answer = await raw(client, f"{base}decide", {"messages": history, "decision": "refuse"})
    assert "The tool said: The person refused this tool call." in answer
    events = await services.event_list_after(session_id=session_id, after_seq=0, limit=10_000)
    assert not [e for e in events[calls_before:] if e.method == "tools/call"]


# -- hosted mode: one endpoint per account, outbound requests guarded ----------------------


@pytest.fixture
def hosted(settings: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """Hosted mode with accounts, nothing allow-listed, and a secrets key of its own."""
    settings.LOCAL_MODE = False
    settings.INSPECTOR_OUTBOUND_ALLOW = []
    middleware = list(settings.MIDDLEWARE)
    middleware.insert(middleware.index(OWNER_CHECK), LOGIN_REQUIRED)
    settings.MIDDLEWARE = middleware
    monkeypatch.setenv(encryption.KEY_VARIABLE, Fernet.generate_key().decode())
    encryption.reset_key_cache()
    yield settings
    encryption.reset_key_cache()


async def test_each_account_has_its_own_endpoint_and_key(
    hosted: Any, model_server: RunningServer
) -> None:
    hosted.INSPECTOR_OUTBOUND_ALLOW = ["127.0.0.1/32"]
    alice = await signed_in("alice")
    bob = await signed_in("bob")
    assert "an API key stored (encrypted)" in await configure(alice, model_server)
    assert "Nothing is configured yet." in await page(bob, "/model/")
    # With the key left empty, each uses their own stored key: Alice's works, Bob has none.
    fields = {**endpoint(model_server), "api_key": ""}
    assert "Connected" in await check(alice, fields)
    assert "refused the API key (HTTP 401)" in await check(bob, fields)


async def test_hosted_mode_guards_the_model_endpoint(
    hosted: Any, model_server: RunningServer
) -> None:
    alice = await signed_in("alice")
    refused = await check(alice, endpoint(model_server))
    assert "The model endpoint at 127.0.0.1:" in refused
    assert "is unreachable: Refused to connect to 127.0.0.1" in refused
    assert "non-public addresses are refused in hosted mode" in refused
    hosted.INSPECTOR_OUTBOUND_ALLOW = ["127.0.0.1/32"]
    assert "Connected" in await check(alice, endpoint(model_server))
