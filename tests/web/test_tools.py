"""The Tools tab's views over the real tools fixture server: the form and the JSON view in
step, nothing sent while arguments are invalid unless on purpose, results and their
parts served safely, ping and the log level."""

from __future__ import annotations

import html
import json
import re
import sys
from pathlib import Path

import pytest
from django.test import AsyncClient

from inspector import services
from inspector.mcp.trace import MessageType
from inspector.mcp.versions import EraChoice
from inspector.sessions.spec import ConnectionSpec, TransportKind
from inspector.sessions.status import SessionStatus

pytestmark = pytest.mark.django_db(transaction=True)

TOOLS_SERVER = Path(__file__).resolve().parents[1] / "servers" / "tools_server.py"


async def open_session(client: AsyncClient) -> str:
    spec = ConnectionSpec(
        TransportKind.STDIO,
        command=sys.executable,
        args=(str(TOOLS_SERVER),),
        era=EraChoice.LEGACY,
    )
    snapshot = await services.session_connect(spec=spec)
    assert snapshot.status is SessionStatus.CONNECTED, snapshot.error
    response = await client.get(f"/sessions/{snapshot.id}/list/tools")
    assert response.status_code == 200
    return snapshot.id


async def sent_calls(session_id: str) -> list[dict[str, object]]:
    events = await services.event_list_after(session_id=session_id, after_seq=0, limit=10_000)
    return [
        e.payload["params"]
        for e in events
        if e.method == "tools/call" and e.message_type is MessageType.REQUEST
    ]


def body(response: object) -> str:
    return html.unescape(response.content.decode())  # type: ignore[attr-defined]


async def test_listing_shows_the_first_page_and_a_cursor_for_the_next(client: AsyncClient) -> None:
    session_id = await open_session(client)
    first = body(await client.get(f"/sessions/{session_id}/list/tools"))
    assert "Tool Create user" in first
    cursor = re.search(r"\?cursor=(\w+)", first)
    assert cursor is not None
    second = body(await client.get(f"/sessions/{session_id}/list/tools?cursor={cursor[1]}"))
    assert "Tool filler_04" in second
    assert "Load more" not in second


async def test_a_tool_outside_the_last_listing_is_not_found(client: AsyncClient) -> None:
    session_id = await open_session(client)
    response = await client.get(f"/sessions/{session_id}/tools/detail?name=no_such_tool")
    assert response.status_code == 404
    assert "not in the server&#x27;s last listing" in response.content.decode()


async def test_form_edits_come_back_as_json_and_field_errors(client: AsyncClient) -> None:
    session_id = await open_session(client)
    response = await client.post(
        f"/sessions/{session_id}/tools/arguments",
        {"tool": "create_user", "source": "form", "arg/name": "A", "arg/address/city": "Oslo"},
    )
    text = body(response)
    assert response["HX-Reswap"] == "none"
    assert '"name": "A"' in text
    assert re.search(r'id="f-arg_2f_name-errors" hx-swap-oob="true"><li>.*too short', text)
    assert "--method tools/call --tool-name create_user --tool-arg name=A" in text


async def test_json_edits_redraw_the_form_and_bad_json_is_reported(client: AsyncClient) -> None:
    session_id = await open_session(client)
    url = f"/sessions/{session_id}/tools/arguments"
    arguments = {"name": "Ada", "address": {"city": "London"}, "tags": ["x", "y"]}
    text = body(
        await client.post(
            url, {"tool": "create_user", "source": "json", "arguments_json": json.dumps(arguments)}
        )
    )
    assert 'name="arg/tags/1" value="y"' in text
    assert "The arguments match the input schema." in text
    broken = await client.post(
        url, {"tool": "create_user", "source": "json", "arguments_json": '{"name": '}
    )
    assert broken["HX-Reswap"] == "none"
    assert "The JSON is not valid" in body(broken)


async def test_invalid_arguments_are_sent_only_on_purpose(client: AsyncClient) -> None:
    session_id = await open_session(client)
    url = f"/sessions/{session_id}/tools/call"
    form = {"tool": "create_user", "source": "form", "arg/name": "Ada", "arg/age": "-1"}
    refused = await client.post(url, form)
    assert "Nothing was sent." in body(refused)
    assert await sent_calls(session_id) == []
    forced = body(await client.post(url, {**form, "force": "1"}))
    assert "Sent on purpose with arguments that break the input schema" in forced
    (sent,) = await sent_calls(session_id)
    assert sent["arguments"] == {"name": "Ada", "age": -1, "address": {}}


async def test_results_distinguish_tool_errors_from_protocol_errors(client: AsyncClient) -> None:
    session_id = await open_session(client)
    url = f"/sessions/{session_id}/tools/call"
    assert "tool error (isError)" in body(await client.post(url, {"tool": "failing"}))
    verdict = body(await client.post(url, {"tool": "bad_report"}))
    assert "structuredContent does not match the outputSchema." in verdict
    assert "<code>count</code>: 'three' is not of type 'integer'" in verdict


async def test_parts_are_served_from_the_stored_event_and_never_sniffed(
    client: AsyncClient,
) -> None:
    session_id = await open_session(client)
    result = body(await client.post(f"/sessions/{session_id}/tools/call", {"tool": "media"}))
    image_url = re.search(r'<img class="content-image" src="([^"]+)"', result)
    assert image_url is not None
    image = await client.get(image_url[1])
    assert image["Content-Type"] == "image/png"
    assert image["X-Content-Type-Options"] == "nosniff"
    assert image.content.startswith(b"\x89PNG")
    seq = re.search(r"/events/(\d+)/part", image_url[1])
    assert seq is not None
    text = await client.get(
        f"/sessions/{session_id}/events/{seq[1]}/part?at=result.content.3.resource&field=text"
    )
    assert text.content == b"embedded text"
    assert text["Content-Type"].startswith("text/plain")
    missing = await client.get(f"/sessions/{session_id}/events/{seq[1]}/part?at=result.nothing")
    assert missing.status_code == 404


async def test_ping_reports_the_round_trip(client: AsyncClient) -> None:
    session_id = await open_session(client)
    pong = body(await client.post(f"/sessions/{session_id}/ping"))
    assert re.search(r"Pong in \d+\.\d ms", pong)


async def test_log_level_is_checked_then_sent(client: AsyncClient) -> None:
    session_id = await open_session(client)
    url = f"/sessions/{session_id}/logging/level"
    assert "is not a log level" in body(await client.post(url, {"level": "loud"}))
    assert "Level set to warning." in body(await client.post(url, {"level": "warning"}))
