"""Baselines: a saved server's surface pinned from one of its sessions; a later session of
it shows what drifted, and the drift can be accepted as the new baseline."""

from __future__ import annotations

import html
import re

import pytest
from django.test import AsyncClient

from inspector import services
from inspector.models import SavedServer
from tests.web.support import (
    HTMX,
    answer_url,
    connect,
    connect_form,
    listed,
    page,
    start_tool,
    tool_text,
    waiting,
)
from tests.web.surfaces import read
from tests.web.test_archive import download, upload

pytestmark = pytest.mark.django_db(transaction=True)

SURFACE = "-m tests.servers.surface_server"


async def save_surface_server(client: AsyncClient, version: str) -> int:
    form = connect_form(arguments=f"{SURFACE} {version}", save_as="weather")
    response = await client.post("/servers/save", form, headers=HTMX)
    assert response.status_code == 200, response.content.decode()[:2000]
    return int((await listed(client))["weather"]["id"])


async def edit_to(client: AsyncClient, server_id: int, version: str) -> None:
    form = {**connect_form(arguments=f"{SURFACE} {version}"), "name": "weather"}
    assert (await client.post(f"/servers/{server_id}/edit", form)).status_code == 302


async def connect_saved(client: AsyncClient, server_id: int) -> str:
    response = await client.post(f"/servers/{server_id}/connect")
    assert response.status_code == 302
    match = re.fullmatch(r"/sessions/([0-9a-f]{32})/", response["Location"])
    assert match
    return match.group(1)


async def pin(client: AsyncClient, session_id: str) -> str:
    """The button in the banner: its answer replaces the banner."""
    response = await client.post(f"/sessions/{session_id}/baseline/pin", headers=HTMX)
    assert response.status_code == 200, response.content.decode()[:2000]
    return str(response.content.decode())


async def banner(client: AsyncClient, session_id: str) -> str:
    """The drift banner's text, as read."""
    shown = await page(client, f"/sessions/{session_id}/baseline/")
    return " ".join(re.sub(r"<[^>]+>", " ", shown).split()).replace(" (", "(")


async def test_pin_then_see_the_drift_on_reconnecting_to_the_changed_server(
    client: AsyncClient,
) -> None:
    server_id = await save_surface_server(client, "v1")
    first = await connect_saved(client, server_id)
    shown = await page(client, f"/sessions/{first}/")
    assert f'hx-get="/sessions/{first}/baseline/"' in shown
    assert "No baseline is pinned" in await banner(client, first)

    pinned = await pin(client, first)
    assert "Pinned as the baseline" in pinned
    record = await SavedServer.objects.aget(pk=server_id)
    assert record.baseline_pinned_at is not None
    assert record.baseline is not None
    assert [tool["name"] for tool in record.baseline["tools"]] == [
        "forecast",
        "alerts",
        "legacy_lookup",
    ]  # fmt: skip, every page of the list, asked for by the inspector
    assert "Same surface as the baseline" in await banner(client, first)

    await edit_to(client, server_id, "v2")
    second = await connect_saved(client, server_id)
    drift = await banner(client, second)
    assert "1 server, 3 tools, 1 prompt changed since the baseline pinned" in drift
    assert "forecast(changed)" in drift
    assert "legacy_lookup(removed)" in drift
    assert "geocode(added)" in drift
    assert "inputSchema.properties.city.type" in drift
    assert "Accept as new baseline" in drift
    assert "Pin as baseline" not in drift

    compared = html.unescape(await read(client, f"/sessions/{second}/compare", baseline="1"))
    assert "The baseline of “weather” pinned" in compared
    assert "1 added, 1 removed, 3 changed." in compared

    accepted = await pin(client, second)
    assert "Pinned as the baseline" in accepted
    assert "Same surface as the baseline" in await banner(client, second)
    # The first session, v1, now drifts from the new baseline, the other way round.
    assert "geocode(removed)" in await banner(client, first)


async def test_a_recorded_session_is_compared_on_the_lists_it_saw(client: AsyncClient) -> None:
    server_id = await save_surface_server(client, "v1")
    first = await connect_saved(client, server_id)
    await pin(client, first)
    await edit_to(client, server_id, "v2")
    second = await connect_saved(client, server_id)
    await services.session_disconnect(session_id=second)  # it listed nothing itself
    drift = await banner(client, second)
    assert "1 server changed" in drift
    assert "(removed)" not in drift, "a list never asked for lost nothing"


async def test_a_session_not_from_a_saved_server_has_no_baseline(client: AsyncClient) -> None:
    session_id = await connect(client, arguments=f"{SURFACE} v1")
    assert "/baseline/" not in await page(client, f"/sessions/{session_id}/")
    assert await banner(client, session_id) == ""
    refused = await client.post(f"/sessions/{session_id}/baseline/pin")
    assert refused.status_code == 400
    compared = html.unescape(await read(client, f"/sessions/{session_id}/compare", baseline="1"))
    assert "not opened from a saved server" in compared


async def test_in_consent_mode_a_drifted_tools_confirmation_says_it_drifted(
    client: AsyncClient,
) -> None:
    server_id = await save_surface_server(client, "v1")
    await pin(client, await connect_saved(client, server_id))
    await edit_to(client, server_id, "v2")
    second = await connect_saved(client, server_id)
    await banner(client, second)  # the session page loads it
    await services.switch_set(session_id=second, name="confirm_tool_calls", on=True)

    drifted = start_tool(second, "forecast", city=3)
    await waiting(second)
    inbox = await page(client, f"/sessions/{second}/inbox")
    assert "Drifted since the baseline pinned" in inbox
    assert "description or schema changed since the baseline" in inbox
    assert "rug pull" in inbox
    await answer_all(client, second)
    assert tool_text(await drifted) == "sunny"

    steady = start_tool(second, "alerts", region="north")
    await waiting(second)
    assert "Drifted since the baseline" not in await page(client, f"/sessions/{second}/inbox")
    await answer_all(client, second)
    assert tool_text(await steady) == "sunny"


async def answer_all(client: AsyncClient, session_id: str) -> None:
    for approval in (await services.consent_get(session_id=session_id)).pending:
        await page(client, answer_url(session_id, approval), {"decision": "approve"})


async def test_an_imported_session_is_not_tied_to_a_saved_server(client: AsyncClient) -> None:
    """The file names a saved server of the inspector that wrote it, not of this one."""
    server_id = await save_surface_server(client, "v1")
    session_id = await connect_saved(client, server_id)
    await pin(client, session_id)
    _, body = await download(client, f"/sessions/{session_id}/export")
    assert b'"saved_server": ' + str(server_id).encode() in body
    imported = await upload(client, "weather.jsonl", body)
    assert imported.status_code == 302
    copy = imported["Location"].split("/")[2]
    assert copy != session_id
    assert "/baseline/" not in await page(client, f"/sessions/{copy}/")
    assert await banner(client, copy) == ""


async def test_a_viewers_drift_is_read_from_the_record_without_asking_the_server(
    client: AsyncClient,
) -> None:
    server_id = await save_surface_server(client, "v1")
    session_id = await connect_saved(client, server_id)
    await pin(client, session_id)
    before = (await services.session_get(session_id=session_id)).last_seq

    watched = await services.session_drift(session_id=session_id, owner_id=None, ask_server=False)
    assert watched.pinned_at is not None
    assert (await services.session_get(session_id=session_id)).last_seq == before

    # A member's banner lists again: its log shows the requests.
    await services.session_drift(session_id=session_id, owner_id=None)
    assert (await services.session_get(session_id=session_id)).last_seq > before
