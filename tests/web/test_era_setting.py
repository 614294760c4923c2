"""The protocol era setting (legacy, modern, auto) as a person meets it: the connect form,
saved servers and their files, and the session page that says which era it settled on and
why, showing only what that era has."""

from __future__ import annotations

import json
import re
import sys
from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import AsyncClient

from inspector.models import SavedServer
from tests.conftest import REPO_ROOT
from tests.web.support import HTMX, connect, connect_form, export, import_text, listed, text_of

pytestmark = pytest.mark.django_db(transaction=True)

MODERN_SERVER = str(REPO_ROOT / "tests" / "servers" / "modern_everything.py")


def modern_form(**fields: str) -> dict[str, str]:
    return connect_form(command=sys.executable, arguments=MODERN_SERVER, **fields)


def selected(html: str, name: str) -> str:
    """The value chosen in the select called `name`."""
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', html, re.S)
    assert select, f"no select {name!r}"
    chosen = re.search(r'<option value="([^"]*)" selected>', select.group(1))
    assert chosen, f"nothing chosen in {name!r}"
    return chosen.group(1)


# The form ------------------------------------------------------------------------------


async def test_a_new_connection_speaks_the_legacy_handshake_unless_told(
    client: AsyncClient,
) -> None:
    html = (await client.get("/")).content.decode()
    assert re.search(r'<label for="[^"]+">Protocol era</label>', html)
    for value, label in [
        ("legacy", "Legacy (initialize handshake)"),
        ("modern", "Modern (2026-07-28, stateless)"),
        ("auto", "Auto-detect"),
    ]:
        assert re.search(rf'<option value="{value}"( selected)?>{re.escape(label)}</option>', html)
    assert selected(html, "era") == "legacy"
    assert '<option value="2026-07-28">2026-07-28</option>' in html


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (
            {"era": "legacy", "protocol_version": "2026-07-28"},
            "2026-07-28 has no initialize handshake",
        ),
        ({"era": "2026"}, "Select a valid choice. 2026 is not one of the available choices."),
    ],
)
async def test_an_impossible_era_is_refused_before_connecting(
    client: AsyncClient, fields: dict[str, str], message: str
) -> None:
    response = await client.post("/connect", connect_form(**fields), headers=HTMX)
    assert response.status_code == 422
    assert message in text_of(response)
    assert (await client.get("/sessions.json")).json()["sessions"] == []


# Saved servers and their files ------------------------------------------------------------


async def test_a_saved_server_keeps_its_era_everywhere(client: AsyncClient) -> None:
    saved = await client.post("/servers/save", modern_form(era="modern", save_as="modern"))
    assert saved.status_code == 302
    server = (await listed(client))["modern"]
    assert server["era"] == "modern"
    home = text_of(await client.get("/"))
    assert "era: Modern (2026-07-28, stateless)" in home

    edit = text_of(await client.get(f"/servers/{server['id']}/edit"))
    assert selected(edit, "era") == "modern"
    fields = {**modern_form(era="auto"), "name": "modern", "max_total_timeout": "600"}
    assert (await client.post(f"/servers/{server['id']}/edit", fields)).status_code == 302
    assert (await SavedServer.objects.aget(pk=server["id"])).era == "auto"

    document = json.loads((await export(client)).content)
    assert document["mcpServers"]["modern"]["inspector"]["era"] == "auto"


async def test_an_imported_file_brings_its_era_and_a_bad_one_is_named(
    client: AsyncClient,
) -> None:
    text = json.dumps(
        {
            "mcpServers": {
                "pinned": {"url": "https://a.example/mcp", "inspector": {"era": "modern"}},
                "plain": {"url": "https://b.example/mcp"},
                "odd": {"url": "https://c.example/mcp", "inspector": {"era": "newest"}},
            }
        }
    )
    response = await import_text(client, text)
    assert "server 'odd': \"inspector.era\" 'newest' is not one of legacy, modern, auto" in (
        text_of(response)
    )
    servers = await listed(client)
    assert servers["pinned"]["era"] == "modern"
    assert servers["plain"]["era"] == "legacy", "a file without the setting: the handshake"


def test_servers_saved_before_eras_stay_legacy() -> None:
    """The migration: what was saved when only the handshake existed keeps speaking it."""
    executor = MigrationExecutor(connection)
    executor.migrate([("inspector", "0003_saved_server_consent_settings")])
    old = executor.loader.project_state(("inspector", "0003_saved_server_consent_settings"))
    OldSavedServer: Any = old.apps.get_model("inspector", "SavedServer")
    OldSavedServer.objects.create(
        name="old", transport="stdio", command="x", protocol_version="2025-11-25"
    )
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    assert SavedServer.objects.get(name="old").era == "legacy"
    assert SavedServer(name="new").era == "legacy"


# The session page -----------------------------------------------------------------------


async def test_auto_settles_on_the_modern_era_and_says_why(client: AsyncClient) -> None:
    session_id = await connect(client, **modern_form(era="auto"))
    html = text_of(await client.get(f"/sessions/{session_id}/"))
    assert '<span id="session-era" class="badge badge-info">modern</span>' in html
    reason = re.search(r'<span id="era-reason">(.*?)</span>', html, re.S)
    assert reason, html[:3000]
    assert "Auto-detected modern: server/discover answered" in reason.group(1)
    assert 'id="negotiated-version">2026-07-28<' in html
    assert "(setting: auto)" in html
    assert ">Ping</button>" not in html, "the modern era has no ping"
    data = (await client.get(f"/sessions/{session_id}.json")).json()
    assert data["session"]["server"]["era"] == "modern"


async def test_auto_settles_on_legacy_with_a_server_that_only_knows_initialize(
    client: AsyncClient,
) -> None:
    session_id = await connect(client, era="auto", arguments="-m tests.servers.broken_stdio")
    html = text_of(await client.get(f"/sessions/{session_id}/"))
    assert '<span id="session-era" class="badge badge-info">legacy</span>' in html
    reason = re.search(r'<span id="era-reason">(.*?)</span>', html, re.S)
    assert reason, html[:3000]
    assert "Auto-detected legacy: server/discover was answered with error -32601" in (
        reason.group(1)
    )
    assert ">Ping</button>" in html
