"""A session exported to a file, imported back, and refused when the file is bad; the
HAR of an HTTP session's exchanges."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import StreamingHttpResponse
from django.test import AsyncClient

from inspector import services
from inspector.models import EventRecord, SessionRecord
from inspector.services import runtime
from inspector.sessions.spec import ConnectionSpec, TransportKind
from tests.servers.http_harness import RunningServer
from tests.web.support import connect

pytestmark = pytest.mark.django_db(transaction=True)

BREAKER = "-m tests.servers.rule_breaker tools.name"


async def download(client: AsyncClient, url: str) -> tuple[Any, bytes]:
    response = await client.get(url)
    assert response.status_code == 200
    assert isinstance(response, StreamingHttpResponse)
    body = b"".join([bytes(chunk) async for chunk in response])
    return response, body


async def exported(client: AsyncClient, session_id: str, query: str = "") -> list[Any]:
    response, body = await download(client, f"/sessions/{session_id}/export{query}")
    assert response["Content-Type"] == "application/x-ndjson"
    assert re.fullmatch(
        r'attachment; filename="rule-breaker-[0-9a-f]{8}\.jsonl"', response["Content-Disposition"]
    )
    return [json.loads(line) for line in body.decode().splitlines()]


async def upload(client: AsyncClient, name: str, content: bytes) -> Any:
    return await client.post("/sessions/import", {"file": SimpleUploadedFile(name, content)})


async def test_an_exported_session_imports_back_with_every_event(client: AsyncClient) -> None:
    session_id = await connect(client, arguments=BREAKER, environment="API_KEY=s3cret-value")
    session = runtime.registry().get(session_id)
    assert session is not None
    await session.request("tools/list", {})
    header, *events = await exported(client, session_id)
    assert header["format"] == "mcp-inspector-session"
    assert header["version"] == 1
    assert header["events"] == len(events) > 4
    assert header["secrets"] == "masked"
    assert header["session"]["server"]["server_info"]["name"] == "rule-breaker"
    assert "s3cret-value" not in json.dumps(header)
    stored = await services.event_list_after(session_id=session_id, after_seq=0, limit=10_000)
    assert [event["seq"] for event in events] == [event.seq for event in stored]
    assert [event["text"] for event in events] == [event.text for event in stored]
    flagged = [event for event in events if event.get("findings")]
    assert [finding["rule"] for finding in flagged[0]["findings"]] == ["tools.name"]
    assert any(event.get("request_seq") for event in events), "pairing travels too"

    body = "".join(json.dumps(line) + "\n" for line in [header, *events]).encode()
    response = await upload(client, "mine.jsonl", body)
    assert response.status_code == 302
    imported_id = re.fullmatch(r"/sessions/([0-9a-f]{32})/", response["Location"])
    assert imported_id
    assert imported_id.group(1) != session_id
    page = (await client.get(response["Location"])).content.decode()
    assert 'Imported from <span class="mono">mine.jsonl</span>' in page
    assert "a record, read-only" in page
    assert "Disconnect" not in page
    assert "Reconnect" not in page
    again = await services.event_list_after(
        session_id=imported_id.group(1), after_seq=0, limit=10_000
    )
    assert [event.to_dict() for event in again] == [event.to_dict() for event in stored]
    home = (await client.get("/")).content.decode()
    assert '<span class="badge badge-info">imported</span>' in home


async def test_the_connections_secrets_go_only_when_asked_for(client: AsyncClient) -> None:
    session_id = await connect(client, arguments=BREAKER, environment="API_KEY=s3cret-value")
    header, *_ = await exported(client, session_id, "?secrets=1")
    assert header["secrets"] == "included"
    assert header["session"]["spec"]["env"] == {"API_KEY": "s3cret-value"}


@pytest.mark.parametrize(
    ("damage", "reason"),
    [
        (lambda lines: lines[:-1], "cut short: its header promises"),
        (lambda lines: [*lines[:-1], lines[-1][:15]], "ends in the middle of this line"),
        (lambda lines: [lines[0].replace('"version": 1', '"version": 9'), *lines[1:]], "newer"),
        (lambda lines: [*lines[:3], "{oops\n", *lines[4:]], "line 4: not JSON"),
    ],
)
async def test_a_bad_file_is_refused_with_its_line_and_nothing_is_kept(
    client: AsyncClient, damage: Any, reason: str
) -> None:
    session_id = await connect(client, arguments=BREAKER)
    _, body = await download(client, f"/sessions/{session_id}/export")
    lines = body.decode().splitlines(keepends=True)
    sessions = await SessionRecord.objects.acount()
    rows = await EventRecord.objects.acount()
    refused = await upload(client, "broken.jsonl", "".join(damage(lines)).encode())
    assert refused.status_code == 422
    page = refused.content.decode()
    message = re.search(
        r'<div class="alert alert-error" role="alert" id="import-error">(.*?)</div>', page
    )
    assert message, page[:3000]
    assert message.group(1).startswith("broken.jsonl was not imported, line ")
    assert reason in message.group(1)
    assert message.group(1).endswith("Nothing of it was kept.")
    assert await SessionRecord.objects.acount() == sessions
    assert await EventRecord.objects.acount() == rows


async def test_a_cli_trace_imports_as_a_session_with_its_server(client: AsyncClient) -> None:
    session_id = await connect(client, arguments=BREAKER)
    _, body = await download(client, f"/sessions/{session_id}/export")
    trace = b"".join(body.splitlines(keepends=True)[1:])  # what --trace writes: no header
    response = await upload(client, "call.trace", trace)
    assert response.status_code == 302
    page = (await client.get(response["Location"])).content.decode()
    assert '<h1 id="server-heading">rule-breaker</h1>' in page


async def test_no_file_is_a_clear_refusal(client: AsyncClient) -> None:
    response = await client.post("/sessions/import", {})
    assert response.status_code == 422
    assert "Choose a session file (.jsonl) to import." in response.content.decode()


async def test_an_http_sessions_exchanges_download_as_har(
    client: AsyncClient, mcp_http_server: RunningServer
) -> None:
    spec = ConnectionSpec(TransportKind.HTTP, url=mcp_http_server.url("/json/mcp"))
    snapshot = await services.session_connect(spec=spec)
    assert snapshot.status is services.SessionStatus.CONNECTED, snapshot.error
    session = runtime.registry().get(snapshot.id)
    assert session is not None
    await session.request("tools/list", {})
    page = (await client.get(f"/sessions/{snapshot.id}/")).content.decode()
    assert f'href="/sessions/{snapshot.id}/export.har" download' in page
    response, body = await download(client, f"/sessions/{snapshot.id}/export.har")
    assert response["Content-Type"] == "application/json"
    log = json.loads(body)["log"]
    assert log["version"] == "1.2"
    posts = [entry for entry in log["entries"] if entry["request"]["method"] == "POST"]
    assert len(posts) >= 3  # initialize, initialized, tools/list
    assert all(entry["request"]["url"] == mcp_http_server.url("/json/mcp") for entry in posts)
    assert posts[0]["response"]["status"] == 200
    stdio = await connect(client, arguments=BREAKER)
    assert "export.har" not in (await client.get(f"/sessions/{stdio}/")).content.decode()


async def test_an_imported_session_lists_what_its_server_offered(client: AsyncClient) -> None:
    session_id = await connect(client, arguments=BREAKER)
    session = runtime.registry().get(session_id)
    assert session is not None
    await session.request("tools/list", {})
    live = (await client.get(f"/sessions/{session_id}/")).content.decode()
    assert 'id="tab-catalog"' not in live, "a live session has its own tabs"
    _, body = await download(client, f"/sessions/{session_id}/export")
    response = await upload(client, "listed.jsonl", body)
    imported = response["Location"]
    page = (await client.get(imported)).content.decode()
    assert 'id="tab-catalog"' in page
    catalog = (await client.get(f"{imported}catalog/")).content.decode()
    tools = catalog[catalog.index('aria-labelledby="catalog-tools"') :]
    assert '<strong class="mono">bad name!</strong>' in tools[: tools.index("</section>")]
    assert "Not listed in this session." in catalog, "the prompts it never listed"
