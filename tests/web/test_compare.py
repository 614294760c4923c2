"""The compare page: two sessions' surfaces side by side, as `inspector diff` says them."""

from __future__ import annotations

import html

import pytest
from django.test import AsyncClient

from inspector.services import runtime
from tests.web.support import page
from tests.web.surfaces import read, surface_session

pytestmark = pytest.mark.django_db(transaction=True)


async def test_two_sessions_of_a_changed_server_compare_field_by_field(
    client: AsyncClient,
) -> None:
    before = await surface_session(client, "v1")
    after = await surface_session(client, "v2")

    picker = await page(client, f"/sessions/{after}/compare")
    assert f'<option value="{before}"' in picker
    assert f'<option value="{after}"' not in picker, "not itself"

    shown = html.unescape(await read(client, f"/sessions/{after}/compare", **{"with": before}))
    assert "1 added, 1 removed, 3 changed." in shown
    assert "legacy_lookup" in shown
    assert "geocode" in shown
    assert "inputSchema.properties.city.type" in shown
    assert '"string"' in shown
    assert '"integer"' in shown
    assert "inputSchema.properties.days" in shown
    assert "now required" in shown
    assert "arguments.style.required" in shown
    assert "The weather ahead." in shown
    assert "The weather, ahead." in shown


async def test_a_session_compared_with_one_that_saw_the_same_is_the_same(
    client: AsyncClient,
) -> None:
    first = await surface_session(client, "v1")
    second = await surface_session(client, "v1")
    # Recorded only: the surface is read back from the stored events.
    await runtime.registry().close_all()
    runtime.registry.cache_clear()
    shown = await read(client, f"/sessions/{second}/compare", **{"with": first})
    assert "The surfaces are the same." in shown


async def test_a_session_that_is_not_there_is_not_found(client: AsyncClient) -> None:
    session_id = await surface_session(client, "v1")
    response = await client.get(f"/sessions/{session_id}/compare", {"with": "0" * 32})
    assert response.status_code == 404


async def test_the_session_page_links_to_the_compare_page(client: AsyncClient) -> None:
    session_id = await surface_session(client, "v1")
    shown = await page(client, f"/sessions/{session_id}/")
    assert f'href="/sessions/{session_id}/compare"' in shown
