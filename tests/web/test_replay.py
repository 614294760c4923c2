"""Replay in the browser: a recorded session's requests sent again through a live session,
in the background, with a verdict per request and links to both events."""

from __future__ import annotations

import asyncio
import html
import re

import pytest
from django.test import AsyncClient

from inspector import services
from tests.web.support import page, start_tool, tool_text
from tests.web.surfaces import surface_session

pytestmark = pytest.mark.django_db(transaction=True)

HTMX = {"hx-request": "true"}


async def recorded_with_a_call(client: AsyncClient) -> str:
    session_id = await surface_session(client, "v1")
    assert tool_text(await start_tool(session_id, "forecast", city="Oslo")) == "sunny"
    return session_id


async def run(client: AsyncClient, source: str, **form: str | list[str]) -> tuple[str, str]:
    """Post the replay form; the results page's address, and the page once the run is
    done."""
    response = await client.post(f"/sessions/{source}/replay/", form)
    assert response.status_code == 302, html.unescape(response.content.decode())[-3000:]
    url = response["Location"]
    assert re.fullmatch(
        rf"/sessions/{source}/replay/[0-9a-f]{{32}}/\?through={form['target']}", url
    )
    for _ in range(500):
        shown = html.unescape((await client.get(url, headers=HTMX)).content.decode())
        if "Done:" in shown:
            return url, shown
        await asyncio.sleep(0.02)
    raise AssertionError("the replay did not finish")


def row(shown: str, seq: int) -> str:
    """The results table's row of the recorded request #seq, with its differences."""
    rows = shown.split('<tr class="verdict-')[1:]
    found = [each for each in rows if f'id="replay-step-{seq}"' in each]
    assert found, f"no row for #{seq}"
    return found[0]


async def test_a_replay_against_the_changed_server_shows_what_differs(client: AsyncClient) -> None:
    source = await recorded_with_a_call(client)
    target = await surface_session(client, "v2")
    steps = await services.replay_plan(session_id=source)
    assert [step.label for step in steps] == [
        "tools/list", "tools/list", "prompts/list", "tools/call forecast"
    ]  # fmt: skip
    call_seq = steps[-1].seq

    form = await page(client, f"/sessions/{source}/replay/")
    assert f'<option value="{target}">' in form
    assert f'value="{call_seq}"' in form
    assert "checked" not in form, "no tool call is ticked unless a person ticks it"

    _, shown = await run(client, source, target=target)
    assert "Done:</strong> 0 same, 3 different, 0 failed, 1 skipped." in shown
    first_page = row(shown, steps[0].seq)
    assert "$.result.tools[0].description" in first_page
    assert '"The weather ahead."' in first_page
    assert '"The weather, ahead."' in first_page
    assert "$.result.tools[0].inputSchema.properties.city.type" in first_page
    assert f'href="/sessions/{source}/events/{steps[0].seq}/"' in first_page
    assert f'href="/sessions/{target}/events/' in first_page
    assert "$.result.prompts[0].arguments[1].required" in row(shown, steps[2].seq)
    skipped = row(shown, call_seq)
    assert "skipped" in skipped
    assert "not confirmed" in skipped
    # Nothing of the call reached the server the replay went to.
    methods = [request.method for request in await services.request_list(session_id=target)]
    assert "tools/call" not in methods


async def test_a_ticked_tool_call_runs_and_listed_paths_are_ignored(client: AsyncClient) -> None:
    source = await recorded_with_a_call(client)
    target = await surface_session(client, "v2")
    call_seq = (await services.replay_plan(session_id=source))[-1].seq

    url, shown = await run(
        client,
        source,
        target=target,
        tool_calls=[str(call_seq)],
        ignored="$.result.tools\n$.result.nextCursor\n$.result.prompts[*].arguments",
    )
    assert "Done:</strong> 4 same, 0 different, 0 failed, 0 skipped." in shown
    assert "same" in row(shown, call_seq)
    # The results name the session the run went through; a run through another is not it.
    elsewhere = await client.get(url.replace(f"through={target}", f"through={source}"))
    assert elsewhere.status_code == 404


async def test_a_path_that_is_not_one_is_refused_and_nothing_is_sent(
    client: AsyncClient,
) -> None:
    source = await recorded_with_a_call(client)
    target = await surface_session(client, "v2")
    before = (await services.session_get(session_id=target)).last_seq
    response = await client.post(
        f"/sessions/{source}/replay/", {"target": target, "ignored": "result.tools"}
    )
    assert response.status_code == 400
    shown = html.unescape(response.content.decode())
    assert "is not a path: paths start with $" in shown
    assert "result.tools</textarea>" in shown, "what was typed is kept"
    assert (await services.session_get(session_id=target)).last_seq == before


async def test_with_no_live_session_there_is_nothing_to_replay_against(
    client: AsyncClient,
) -> None:
    source = await recorded_with_a_call(client)
    await services.session_disconnect(session_id=source)
    shown = await page(client, f"/sessions/{source}/replay/")
    assert "No live session to replay against" in shown


async def test_a_forgotten_run_is_not_found(client: AsyncClient) -> None:
    source = await surface_session(client, "v1")
    response = await client.get(f"/sessions/{source}/replay/{'0' * 32}/")
    assert response.status_code == 404
