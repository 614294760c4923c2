"""The connect form, the session page, and their JSON twins, over real servers."""

from __future__ import annotations

import re

import pytest
from django.test import AsyncClient

from inspector.models import EventRecord
from inspector.services import runtime
from tests.web.support import connect, connect_form

pytestmark = pytest.mark.django_db(transaction=True)


async def test_the_home_page_has_the_labelled_connect_form(client: AsyncClient) -> None:
    html = (await client.get("/")).content.decode()
    for label in [
        "Transport",
        "Command",
        "Arguments",
        "Environment",
        "URL",
        "Headers",
        "Protocol version",
    ]:
        assert re.search(rf"<label for=\"[^\"]+\">{label}</label>", html), label
    assert '<button type="submit" class="primary">Connect</button>' in html
    assert '<option value="2025-11-25" selected>' in html


async def test_connecting_leads_to_the_session_page(client: AsyncClient) -> None:
    session_id = await connect(client)
    html = (await client.get(f"/sessions/{session_id}/")).content.decode()
    assert ">Fixture Everything</h1>" in html
    assert 'id="negotiated-version">2025-11-25<' in html
    assert "A test server. Call add to add two numbers." in html
    assert "initialize (id 1)" in html
    assert "ok · " in html, "the initialize request shows its outcome and duration"
    assert "fixture-everything starting" in html, "stderr is in its own lane"
    assert ">Disconnect</button>" in html


async def test_the_json_twin_describes_the_session_and_its_events(client: AsyncClient) -> None:
    session_id = await connect(client, environment="API_TOKEN=hunter2-very-secret\nMODE=test")
    data = (await client.get(f"/sessions/{session_id}.json")).json()
    assert data["session"]["status"] == "connected"
    assert data["session"]["server"]["server_info"]["name"] == "fixture-everything"
    assert data["session"]["spec"]["env"] == {"API_TOKEN": "hunt••••••", "MODE": "test"}
    methods = [event.get("method") for event in data["events"]]
    assert methods.count("initialize") == 2
    after = data["events"][-1]["seq"]
    assert (await client.get(f"/sessions/{session_id}.json?after={after}")).json()["events"] == []


async def test_an_offered_older_version_is_negotiated(client: AsyncClient) -> None:
    session_id = await connect(client, protocol_version="2024-11-05")
    data = (await client.get(f"/sessions/{session_id}.json")).json()
    assert data["session"]["server"]["protocol_version"] == "2024-11-05"


@pytest.mark.parametrize(
    ("fields", "layer", "words"),
    [
        ({"command": "no-such-command-xyz", "arguments": ""}, "process", "no-such-command-xyz"),
        (
            {"arguments": "-m tests.servers.broken_stdio exit-early"},
            "process",
            "exited with code 2",
        ),
        ({"arguments": "-m tests.servers.broken_stdio refuse"}, "protocol", "refused initialize"),
        ({"transport": "http", "url": "http://127.0.0.1:9/mcp"}, "tcp", "127.0.0.1:9"),
        (
            {"transport": "http", "url": "http://no-such-host.invalid/mcp"},
            "dns",
            "no-such-host.invalid",
        ),
    ],
)
async def test_a_failed_connection_names_the_layer(
    client: AsyncClient, fields: dict[str, str], layer: str, words: str
) -> None:
    response = await client.post("/connect", connect_form(**fields))
    assert response.status_code == 422
    html = response.content.decode()
    alert = re.search(r'id="connect-error">(.*?)</div>', html, re.S)
    assert alert, html[:3000]
    assert f"({layer} layer)" in alert.group(1)
    assert words in alert.group(1).replace("&#x27;", "'")
    assert "See what went over the wire" in alert.group(1)


async def test_an_incomplete_form_says_what_is_missing(client: AsyncClient) -> None:
    response = await client.post("/connect", connect_form(command="", transport="stdio"))
    assert response.status_code == 422
    assert "A stdio server needs a command to run." in response.content.decode()
    response = await client.post("/connect", connect_form(transport="http", url="ftp://x"))
    assert "Give the server&#x27;s http:// or https:// URL." in response.content.decode()
    response = await client.post("/connect", connect_form(environment="NOEQUALS"))
    assert "Line 1 of the environment must look like NAME=value" in response.content.decode()
    assert (await client.get("/sessions.json")).json()["sessions"] == []


async def test_htmx_connect_redirects_the_page(client: AsyncClient) -> None:
    response = await client.post("/connect", connect_form(), headers={"hx-request": "true"})
    assert response.status_code == 200
    assert response["HX-Redirect"].startswith("/sessions/")


async def test_disconnect_and_reconnect(client: AsyncClient) -> None:
    session_id = await connect(client)
    response = await client.post(f"/sessions/{session_id}/disconnect")
    assert response.status_code == 302
    data = (await client.get(f"/sessions/{session_id}.json")).json()
    assert data["session"]["status"] == "closed"
    html = (await client.get(f"/sessions/{session_id}/")).content.decode()
    assert ">Reconnect</button>" in html
    assert ">Disconnect</button>" not in html
    await client.post(f"/sessions/{session_id}/reconnect")
    data = (await client.get(f"/sessions/{session_id}.json")).json()
    assert data["session"]["status"] == "connected"
    seqs = [event["seq"] for event in data["events"]]
    assert seqs == sorted(set(seqs))


async def test_history_survives_the_session_leaving_memory(client: AsyncClient) -> None:
    session_id = await connect(client)
    await runtime.registry().close_all()
    runtime.registry.cache_clear()  # as after a restart of the inspector
    stored = await EventRecord.objects.filter(session_id=session_id).acount()
    assert stored > 0
    data = (await client.get(f"/sessions/{session_id}.json")).json()
    assert data["session"]["live"] is False
    assert len(data["events"]) == stored
    html = (await client.get(f"/sessions/{session_id}/")).content.decode()
    assert "This session is history" in html
    assert "initialize (id 1)" in html


async def test_long_logs_are_paged(client: AsyncClient) -> None:
    session_id = await connect(client, arguments="-m tests.servers.broken_stdio flood=450")
    session = runtime.registry().get(session_id)
    assert session is not None
    await session.request("tools/call", {"name": "flood"})
    html = (await client.get(f"/sessions/{session_id}/")).content.decode()
    assert html.count('<li class="event ') <= 200
    earlier = re.search(r'hx-get="(/sessions/[0-9a-f]+/events\?before=(\d+))"', html)
    assert earlier
    page = (await client.get(earlier.group(1))).content.decode()
    seqs = [int(seq) for seq in re.findall(r'<li class="event [^"]*" id="event-(\d+)"', page)]
    assert seqs
    assert max(seqs) < int(earlier.group(2))
    assert 'hx-swap-oob="afterbegin:#protocol-log"' in page


async def test_the_server_log_is_paged_back_to_its_first_message(client: AsyncClient) -> None:
    session_id = await connect(client, arguments="-m tests.servers.broken_stdio flood=450")
    session = runtime.registry().get(session_id)
    assert session is not None
    await session.request("tools/call", {"name": "flood"})
    html = (await client.get(f"/sessions/{session_id}/")).content.decode()
    shown = [int(n) for n in re.findall(r'<li class="log-line[^"]*"[^>]*id="log-(\d+)"', html)]
    link = re.compile(r'hx-get="(/sessions/[0-9a-f]+/events\?lane=log&amp;before=\d+)"')
    earlier = link.search(html)
    while earlier:
        page = (await client.get(earlier.group(1).replace("&amp;", "&"))).content.decode()
        assert 'hx-swap-oob="afterbegin:#server-log"' in page
        older = [int(n) for n in re.findall(r'id="log-(\d+)"', page)]
        assert older
        assert max(older) < min(shown)
        shown = older + shown
        earlier = link.search(page)
    assert len(shown) == 450, "every log message is reached, once"
    latest = (await client.get(f"/sessions/{session_id}/events?lane=log&tail=1")).content.decode()
    assert 'hx-swap-oob="innerHTML:#server-log"' in latest
    assert f'id="log-{max(shown)}"' in latest


async def test_show_latest_replaces_the_protocol_rows_with_the_newest(
    client: AsyncClient,
) -> None:
    session_id = await connect(client, arguments="-m tests.servers.broken_stdio flood=450")
    session = runtime.registry().get(session_id)
    assert session is not None
    await session.request("tools/call", {"name": "flood"})
    latest = (await client.get(f"/sessions/{session_id}/events?tail=1")).content.decode()
    assert 'hx-swap-oob="innerHTML:#protocol-log"' in latest
    assert f'id="event-{session.log.last_seq}"' in latest
    assert 'id="load-earlier"><button' in latest


async def test_raw_event_download_is_the_exact_text(client: AsyncClient) -> None:
    session_id = await connect(client, arguments="-m tests.servers.broken_stdio noise invalid")
    data = (await client.get(f"/sessions/{session_id}.json")).json()
    broken = next(e for e in data["events"] if e.get("findings") and e["kind"] == "message")
    response = await client.get(f"/sessions/{session_id}/events/{broken['seq']}/raw")
    assert response.content.decode() == broken["text"]
    assert "attachment" in response["Content-Disposition"]


async def test_unknown_sessions_are_404(client: AsyncClient) -> None:
    assert (await client.get("/sessions/0123456789abcdef0123456789abcdef/")).status_code == 404
    response = await client.post("/sessions/0123456789abcdef0123456789abcdef/disconnect")
    assert response.status_code == 404


async def test_a_failed_sessions_page_shows_the_error_and_the_traffic(client: AsyncClient) -> None:
    response = await client.post(
        "/connect", connect_form(arguments="-m tests.servers.broken_stdio exit-early")
    )
    link = re.search(
        r'href="(/sessions/[0-9a-f]{32}/)">See what went over the wire', response.content.decode()
    )
    assert link
    html = (await client.get(link.group(1))).content.decode()
    assert "(process layer)" in html
    assert "exited with code 2" in html
    assert "fatal: missing configuration file" in html
    assert "initialize (id 1)" in html
    assert ">Reconnect</button>" in html


async def test_long_instructions_show_their_beginning_and_short_ones_show_whole(
    client: AsyncClient,
) -> None:
    short = await connect(client, arguments="-m tests.servers.surface_server v1")
    page = (await client.get(f"/sessions/{short}/")).content.decode()
    assert '<details class="instructions" id="server-instructions" open>' in page
    long = await connect(client, arguments="-m tests.servers.surface_server v1 long")
    page = (await client.get(f"/sessions/{long}/")).content.decode()
    assert '<details class="instructions" id="server-instructions">' in page
    assert 'Instructions from the server: <span class="muted">Ask about the weather. Be' in page
