"""The Compose tab: any request or notification sent by hand, advertised or not, marked
as such in its result and on its row; and an earlier request edited and sent again."""

from __future__ import annotations

import html
import json
import re

import pytest
from django.test import AsyncClient

from inspector.services import runtime
from tests.web.support import connect

pytestmark = pytest.mark.django_db(transaction=True)

HTMX = {"hx-request": "true"}
TOOLS_ONLY = "-m tests.servers.surface_server v1"  # tools and prompts, no resources


async def send(client: AsyncClient, session_id: str, **fields: str) -> tuple[int, str]:
    form = {"method": "", "kind": "request", "params": "", **fields}
    response = await client.post(f"/sessions/{session_id}/compose/send", form, headers=HTMX)
    return response.status_code, html.unescape(response.content.decode())


async def test_a_method_the_server_did_not_advertise_is_sent_and_marked(
    client: AsyncClient,
) -> None:
    session_id = await connect(client, arguments=TOOLS_ONLY)
    status, result = await send(client, session_id, method="resources/list")
    assert status == 200
    assert '<strong class="mono">resources/list</strong>' in result
    assert "not advertised by the server" in result
    assert "JSON-RPC error -32601" in result
    request_seq = re.search(r'data-show-event="(\d+)">request #\1<', result)
    assert request_seq
    page = html.unescape((await client.get(f"/sessions/{session_id}/")).content.decode())
    row = page[page.index(f'id="event-{request_seq.group(1)}"') :]
    row = row[: row.index("</summary>")]
    assert '<span class="badge badge-info">composed</span>' in row
    assert '<span class="badge badge-warning">not advertised</span>' in row


async def test_an_advertised_request_shows_its_answer(client: AsyncClient) -> None:
    session_id = await connect(client, arguments=TOOLS_ONLY)
    status, result = await send(
        client, session_id, method="tools/call",
        params='{"name": "forecast", "arguments": {"city": "Paris"}}',
    )  # fmt: skip
    assert status == 200
    assert "not advertised" not in result
    assert '<span class="status status-connected">answered</span>' in result
    assert '"text": "sunny"' in result


async def test_a_notification_is_sent_without_waiting(client: AsyncClient) -> None:
    session_id = await connect(client, arguments=TOOLS_ONLY)
    status, result = await send(
        client, session_id, method="notifications/roots/list_changed", kind="notification"
    )
    assert status == 200
    assert '<span class="status status-connected">sent</span>' in result
    session = runtime.registry().get(session_id)
    assert session is not None
    sent = [event for event in await session.log.after(0, 1000) if event.detail.get("composed")]
    assert [event.method for event in sent] == ["notifications/roots/list_changed"]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        (
            "{oops",
            "Not JSON: Expecting property name enclosed in double quotes (line 1, column 2).",
        ),
        ("[1, 2]", "Params are a JSON object ({...}), or nothing."),
        ('{"x": NaN}', "Not JSON: NaN is not a JSON value."),
    ],
)
async def test_params_that_are_not_a_json_object_send_nothing(
    client: AsyncClient, params: str, message: str
) -> None:
    session_id = await connect(client, arguments=TOOLS_ONLY)
    session = runtime.registry().get(session_id)
    assert session is not None
    before = session.log.last_seq
    status, form = await send(client, session_id, method="tools/list", params=params)
    assert status == 422
    assert 'id="compose-form"' in form
    assert 'hx-swap-oob="outerHTML"' in form
    assert message in form
    assert session.log.last_seq == before


async def test_an_earlier_request_fills_the_composer_to_be_sent_again(
    client: AsyncClient,
) -> None:
    session_id = await connect(client, arguments=TOOLS_ONLY)
    await send(client, session_id, method="tools/call", params='{"name": "alerts"}')
    session = runtime.registry().get(session_id)
    assert session is not None
    call = next(e for e in await session.log.after(0, 1000) if e.method == "tools/call")
    assert '"_meta"' in call.text, "the sent request carried the session's progress token"
    page = html.unescape((await client.get(f"/sessions/{session_id}/")).content.decode())
    assert 'id="tab-compose"' in page
    assert 'id="compose-form"' in page
    again = f'href="/sessions/{session_id}/compose/?from={call.seq}"'
    assert again in page
    initialize = next(e for e in await session.log.after(0, 1000) if e.method == "initialize")
    assert f"compose/?from={initialize.seq}" not in page, "the handshake is not sent by hand"
    filled = html.unescape(
        (
            await client.get(f"/sessions/{session_id}/compose/?from={call.seq}", headers=HTMX)
        ).content.decode()
    )
    assert 'value="tools/call"' in filled
    params = re.search(r'<textarea name="params"[^>]*>\s*(.*?)</textarea>', filled, re.S)
    assert params
    assert json.loads(params.group(1)) == {"name": "alerts"}, "without its _meta"
    assert "Filled in from event #" in filled
    plain = await client.get(f"/sessions/{session_id}/compose/?from={call.seq}")
    assert plain.status_code == 200
    assert "<title>Send a request · surface-fixture" in plain.content.decode()
