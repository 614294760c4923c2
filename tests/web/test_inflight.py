"""The In flight panel: every request the inspector awaits on a session, whoever started
it, with its progress and a Cancel button (never for initialize); and the signal that
tells the page to reload it."""

from __future__ import annotations

import asyncio
import html
import re
from typing import Any

import pytest
from django.test import AsyncClient

from inspector import services
from inspector.mcp.errors import RequestCancelled
from inspector.mcp.trace import Direction, EventKind, MessageType, TraceEvent, local_event
from inspector.presenters.signals import event_signals
from inspector.sessions.status import SessionStatus
from tests.conftest import fixture_spec
from tests.web.support import beside

pytestmark = pytest.mark.django_db(transaction=True)


def text(response: Any) -> str:
    assert response.status_code == 200, response.content.decode()[:2000]
    return html.unescape(response.content.decode())


async def panel_when(client: AsyncClient, session_id: str, pattern: str) -> str:
    """The panel, once it shows what the test waits for."""
    page = ""
    for _ in range(250):
        page = text(await client.get(f"/sessions/{session_id}/inflight"))
        if re.search(pattern, page):
            return page
        await asyncio.sleep(0.02)
    raise AssertionError(f"the panel never matched {pattern!r}:\n{page}")


async def test_requests_from_every_origin_are_listed_and_one_is_cancelled(
    client: AsyncClient,
) -> None:
    # The server handles one message at a time and takes 4 s over tools/call: the ping
    # and the listing sent after it wait their turn, in flight.
    snapshot = await services.session_connect(spec=fixture_spec("broken_stdio", "slow=4"))
    assert snapshot.status is SessionStatus.CONNECTED
    session_id = snapshot.id
    # The first request of a process imports every view (seconds, for jsonschema's
    # formats): done before the clock starts.
    assert "Nothing in flight." in text(await client.get(f"/sessions/{session_id}/inflight"))
    call = asyncio.ensure_future(
        services.tool_call(
            session_id=session_id, name="crunch", arguments={}, call_key="tool-page-call"
        )
    )
    ping = beside(client.post(f"/sessions/{session_id}/ping"))
    listing = beside(client.get(f"/sessions/{session_id}/list/tools"))
    page = await panel_when(client, session_id, r'id="inflight-count">3<')

    rows = re.findall(r'<li class="inflight-row"[^>]*aria-label="([^"]+)"', page)
    assert rows[0] == "tools/call crunch (id 2)", "oldest first"
    # The ping and the listing raced each other to the server; either may be first.
    assert sorted(re.sub(r" \(id [34]\)$", "", row) for row in rows[1:]) == [
        "ping",
        "tools/list first page",
    ]
    assert 'data-progress-token="tool-page-call"' in page, "a page's key is its token"
    assert 'data-progress-token=""' not in page, "every row can follow its progress"
    assert 'aria-label="Cancel tools/call crunch (id 2)">Cancel</button>' in page
    assert re.search(r'class="inflight-elapsed small" data-elapsed="\d+\.\d{3}"', page)

    cancelled = text(
        await client.post(f"/sessions/{session_id}/inflight/cancel", {"request_id": "2"})
    )
    assert "Cancelled tools/call crunch (id 2)." in cancelled
    assert (
        'id="inflight-notice" class="small inflight-notice" role="status" hx-swap-oob="true"'
        in (cancelled)
    ), "the notice outlives the panel's next reload"
    assert "tools/call crunch" not in re.sub(r'<p id="inflight-notice".*', "", cancelled)
    outcome = await call
    assert isinstance(outcome.error, RequestCancelled)

    again = text(await client.post(f"/sessions/{session_id}/inflight/cancel", {"request_id": "2"}))
    assert "Request 2 was not cancelled: it is no longer in flight." in again
    await asyncio.gather(ping, listing)
    assert "Nothing in flight." in text(await client.get(f"/sessions/{session_id}/inflight"))


async def test_progress_shows_in_the_panel(client: AsyncClient) -> None:
    snapshot = await services.session_connect(spec=fixture_spec("tools_server"))
    session_id = snapshot.id
    await client.get(f"/sessions/{session_id}/list/tools")
    run = beside(
        client.post(
            f"/sessions/{session_id}/tools/call",
            {"tool": "slow", "arg/steps": "20", "call_key": "slow-tool-call"},
        )
    )
    page = await panel_when(client, session_id, r"step \d+ \(\d+ of 20\)")
    assert re.search(
        r'<progress class="call-progress-bar" aria-label="Progress of tools/call slow \(id \d+\)"'
        r' max="20" value="\d+"></progress>',
        page,
    )
    await client.post(f"/sessions/{session_id}/calls/cancel", {"call_key": "slow-tool-call"})
    assert "Cancelled" in text(await run)


async def test_initialize_is_shown_but_never_offered_for_cancelling(client: AsyncClient) -> None:
    spec = fixture_spec("broken_stdio", "silent-init", connect_timeout=30)
    connecting = asyncio.ensure_future(services.session_connect(spec=spec))
    try:
        session_id = ""
        for _ in range(250):
            sessions = await services.session_list(owner_id=None)
            if sessions and await services.request_list(session_id=sessions[0].id):
                session_id = sessions[0].id
                break
            await asyncio.sleep(0.02)
        assert session_id, "initialize never went out"
        page = await panel_when(client, session_id, "initialize")
        assert "initialize offering 2025-11-25 (id 1)" in page
        assert "cannot be cancelled" in page
        assert "Cancel initialize" not in page
        refused = text(
            await client.post(f"/sessions/{session_id}/inflight/cancel", {"request_id": "1"})
        )
        assert "initialize cannot be cancelled; disconnect to stop it." in refused
    finally:
        await services.session_close_all()
        await asyncio.wait_for(connecting, 10)


async def test_the_session_page_holds_the_panel(client: AsyncClient) -> None:
    snapshot = await services.session_connect(spec=fixture_spec("everything_py"))
    page = text(await client.get(f"/sessions/{snapshot.id}/"))
    assert (
        f'<details id="inflight" class="inflight" hx-get="/sessions/{snapshot.id}/inflight" '
        'hx-trigger="load, inspector:inflight from:body throttle:300ms"'
    ) in page


def message(direction: Direction, kind: MessageType, **fields: Any) -> TraceEvent:
    return TraceEvent(EventKind.MESSAGE, direction, message_type=kind, payload={}, **fields)


def test_a_push_signals_once_when_requests_start_or_end() -> None:
    request = message(Direction.OUT, MessageType.REQUEST, method="tools/call")
    answer = message(Direction.IN, MessageType.RESULT, request_seq=1)
    gave_up = local_event(EventKind.ERROR, "tools/call (id 2) cancelled", outcome="cancelled")
    note = message(Direction.IN, MessageType.NOTIFICATION, method="notifications/message")
    assert event_signals([request, answer, gave_up]).count({"type": "inflight"}) == 1
    for event in (request, answer, gave_up):
        assert {"type": "inflight"} in event_signals([note, event])
    assert {"type": "inflight"} not in event_signals([note])
    late = message(Direction.IN, MessageType.RESULT)  # unpaired: nothing in flight changed
    assert {"type": "inflight"} not in event_signals([late])
