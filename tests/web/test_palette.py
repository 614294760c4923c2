"""The command palette's JSON: what it can open on a session's page (every tool, resource,
template and prompt the server lists, on every page of its listings; the tabs; saved
servers; pages) and on any other page, over the real fixture server
`tests/servers/resources_server.py`."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import AsyncClient

from inspector import services
from inspector.mcp.trace import MessageType
from inspector.sessions.status import SessionStatus
from tests.conftest import fixture_spec

pytestmark = pytest.mark.django_db(transaction=True)


async def open_session() -> str:
    snapshot = await services.session_connect(spec=fixture_spec("resources_server"))
    assert snapshot.status is SessionStatus.CONNECTED, snapshot.error
    return snapshot.id


async def entries(client: AsyncClient, url: str) -> list[dict[str, Any]]:
    response = await client.get(url)
    assert response.status_code == 200, response.content.decode()[:2000]
    found: list[dict[str, Any]] = response.json()["entries"]
    return found


def labels(found: list[dict[str, Any]], group: str) -> list[str]:
    return [entry["label"] for entry in found if entry["group"] == group]


async def requests_of(session_id: str, method: str) -> int:
    events = await services.event_list_tail(session_id=session_id)
    return sum(
        1
        for event in events
        if event.message_type is MessageType.REQUEST and event.method == method
    )


async def test_a_session_palette_finds_every_item_tab_server_and_page(client: AsyncClient) -> None:
    session_id = await open_session()
    await services.saved_server_create(
        name="<b>fixture</b>", spec=fixture_spec("resources_server"), owner_id=None
    )
    found = await entries(client, f"/sessions/{session_id}/palette.json")

    assert labels(found, "Tools") == ["bump"]
    # Resources come five to a page: the counter is on the second, found all the same.
    resources = labels(found, "Resources")
    assert "fixture://counter" in resources
    assert len(resources) == 8
    assert labels(found, "Resource templates") == [
        "fixture://items/{category}/{id}",
        "fixture://search{?q,limit}",
    ]
    assert labels(found, "Prompts")[:2] == ["Greeting", "showcase"]
    assert labels(found, "Tabs")[:3] == ["Tools", "Resources", "Prompts"]
    assert "Protocol" in labels(found, "Tabs")
    assert labels(found, "Saved servers") == ["<b>fixture</b>"]
    assert "Sessions and connect (home)" in labels(found, "Go to")

    counter = next(entry for entry in found if entry["label"] == "fixture://counter")
    assert counter["action"] == "open"
    assert counter["tab"] == "resources"
    assert counter["list"] == "#items-resources"
    assert counter["key"] == "fixture://counter"
    assert counter["hint"].startswith("Counter")
    greeting = next(entry for entry in found if entry["label"] == "Greeting")
    assert (greeting["tab"], greeting["key"], greeting["target"]) == (
        "prompts",
        "greet",
        "#prompt-detail",
    )
    server = next(entry for entry in found if entry["group"] == "Saved servers")
    assert server["action"] == "post"
    assert server["url"].endswith("/connect")


async def test_the_palette_lists_only_what_no_tab_has_listed(client: AsyncClient) -> None:
    session_id = await open_session()
    await entries(client, f"/sessions/{session_id}/palette.json")
    first = await requests_of(session_id, "resources/list")
    assert first == 2  # both pages
    # Opened again, the catalog already holds them: nothing is listed again.
    await entries(client, f"/sessions/{session_id}/palette.json")
    assert await requests_of(session_id, "resources/list") == first
    assert await requests_of(session_id, "tools/list") == 1


async def test_after_a_tab_listed_one_page_the_palette_still_finds_the_next(
    client: AsyncClient,
) -> None:
    # The palette's own listing, or a tab's, may have reached the last page before: a tab
    # listing the first page again leaves the catalog holding that page only.
    session_id = await open_session()
    await entries(client, f"/sessions/{session_id}/palette.json")
    response = await client.get(f"/sessions/{session_id}/list/resources")
    assert response.status_code == 200
    assert "fixture://counter" not in response.content.decode()  # on the second page
    found = await entries(client, f"/sessions/{session_id}/palette.json")
    assert "fixture://counter" in labels(found, "Resources")


async def test_a_disconnected_session_offers_its_tabs_only(client: AsyncClient) -> None:
    session_id = await open_session()
    response = await client.post(f"/sessions/{session_id}/disconnect")
    assert response.status_code in (200, 204, 302)
    found = await entries(client, f"/sessions/{session_id}/palette.json")
    assert not labels(found, "Tools")
    assert not labels(found, "Resources")
    assert "Protocol" in labels(found, "Tabs")


async def test_the_palette_elsewhere_offers_saved_servers_and_pages(client: AsyncClient) -> None:
    await services.saved_server_create(
        name="fixture", spec=fixture_spec("resources_server"), owner_id=None
    )
    found = await entries(client, "/palette.json")
    assert labels(found, "Saved servers") == ["fixture"]
    assert "Sessions and connect (home)" in labels(found, "Go to")
    assert not labels(found, "Tabs")


async def test_no_palette_for_an_unknown_session(client: AsyncClient) -> None:
    response = await client.get("/sessions/0123456789abcdef0123456789abcdef/palette.json")
    assert response.status_code == 404
