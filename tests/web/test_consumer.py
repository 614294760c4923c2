"""The live websocket: replay from the last seq a page saw, then follow the session."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from channels.testing import WebsocketCommunicator
from django.conf import settings

from inspector import services
from inspector.asgi import application
from inspector.consumers import TAIL_ROWS
from inspector.mcp.errors import RequestTimeout
from inspector.services.runtime import registry
from tests.conftest import fixture_spec

pytestmark = pytest.mark.django_db(transaction=True)
HEADERS = [
    (b"host", b"127.0.0.1"),
    (b"origin", b"http://127.0.0.1"),
    (b"cookie", f"{settings.INSPECTOR_TOKEN_COOKIE}={settings.INSPECTOR_TOKEN}".encode()),
]


async def open_stream(session_id: str, after: int) -> WebsocketCommunicator:
    communicator = WebsocketCommunicator(
        application, f"/ws/sessions/{session_id}/?after={after}", headers=HEADERS
    )
    connected, _ = await communicator.connect()
    assert connected
    return communicator


async def pushes_until(communicator: WebsocketCommunicator, last_seq: int) -> list[dict[str, Any]]:
    pushes: list[dict[str, Any]] = []
    while not pushes or pushes[-1]["last_seq"] < last_seq:
        pushes.append(json.loads(await communicator.receive_from(timeout=5)))
    return pushes


def row_seqs(pushes: list[dict[str, Any]]) -> list[int]:
    """The seqs of every row pushed (both lanes), sorted; a duplicate fails the test."""
    html = "".join(push["html"] for push in pushes)
    seqs = [int(seq) for seq in re.findall(r'<li class="[^"]*" id="event-(\d+)"', html)]
    assert len(seqs) == len(set(seqs)), "a row was pushed twice"
    return sorted(seqs)


async def test_replays_everything_then_follows_live() -> None:
    snapshot = await services.session_connect(spec=fixture_spec("everything_py"))
    stream = await open_stream(snapshot.id, after=0)
    replay = await pushes_until(stream, snapshot.last_seq)
    assert row_seqs(replay) == list(range(1, snapshot.last_seq + 1))
    assert "initialize (id 1)" in replay[0]["html"]

    reconnected = await services.session_reconnect(session_id=snapshot.id)
    live = await pushes_until(stream, reconnected.last_seq)
    assert row_seqs(live) == list(range(snapshot.last_seq + 1, reconnected.last_seq + 1))
    assert 'hx-swap-oob="outerHTML:#session-header"' in "".join(p["html"] for p in live)
    await stream.disconnect()


async def test_a_page_that_reconnects_gets_only_what_it_missed() -> None:
    snapshot = await services.session_connect(spec=fixture_spec("everything_py"))
    stream = await open_stream(snapshot.id, after=0)
    seen = row_seqs(await pushes_until(stream, snapshot.last_seq))
    await stream.disconnect()  # the websocket drops

    await services.session_disconnect(session_id=snapshot.id)  # events happen meanwhile
    missed = await services.session_reconnect(session_id=snapshot.id)

    stream = await open_stream(snapshot.id, after=seen[-1])
    caught_up = row_seqs(await pushes_until(stream, missed.last_seq))
    assert caught_up == list(range(seen[-1] + 1, missed.last_seq + 1))
    assert not set(seen) & set(caught_up), "nothing is shown twice"
    await stream.disconnect()


async def test_a_late_response_updates_its_request_row() -> None:
    snapshot = await services.session_connect(spec=fixture_spec("everything_py"))
    stream = await open_stream(snapshot.id, after=snapshot.last_seq)
    session = registry().get(snapshot.id)
    assert session is not None
    await session.request("tools/call", {"name": "slow_count", "arguments": {"steps": 2}})
    pushes = await pushes_until(stream, session.log.last_seq)
    html = "".join(push["html"] for push in pushes)
    request_seq = snapshot.last_seq + 1
    if f'id="outcome-{request_seq}" hx-swap-oob' not in html:
        # Request and response arrived in one push: the row was rendered answered.
        assert re.search(rf'outcome-ok" id="outcome-{request_seq}"', html)
    assert "answers #" in html
    await stream.disconnect()


async def test_a_flood_is_pushed_as_a_few_bounded_tails_and_counted_whole() -> None:
    snapshot = await services.session_connect(spec=fixture_spec("broken_stdio", "flood=3000"))
    stream = await open_stream(snapshot.id, after=0)
    session = registry().get(snapshot.id)
    assert session is not None
    await session.request("tools/call", {"name": "flood"})
    pushes = await pushes_until(stream, session.log.last_seq)
    # Every event is counted once, and each push's rows run without a gap from where
    # they say they begin (the events before are left to "load earlier").
    assert sum(push["arrived"] for push in pushes) == session.log.last_seq
    previous = 0
    for push in pushes:
        begins = push.get("first_seq", previous + 1)
        assert begins > previous
        assert row_seqs([push]) == list(range(begins, push["last_seq"] + 1))
        assert len(row_seqs([push])) <= TAIL_ROWS
        previous = push["last_seq"]
    assert any("first_seq" in push for push in pushes), "a flood skips rows"
    assert len(pushes) < 100, "a flood is pushed in batches"
    assert "answers #" in pushes[-1]["html"] or "outcome-" in pushes[-1]["html"]
    await stream.disconnect()


async def test_a_request_that_times_out_says_so_on_its_row() -> None:
    spec = fixture_spec("broken_stdio", "silent", request_timeout=0.3)
    snapshot = await services.session_connect(spec=spec)
    stream = await open_stream(snapshot.id, after=snapshot.last_seq)
    session = registry().get(snapshot.id)
    assert session is not None
    with pytest.raises(RequestTimeout):
        await session.request("tools/call", {"name": "x"})
    html = "".join(p["html"] for p in await pushes_until(stream, session.log.last_seq))
    request_seq = snapshot.last_seq + 1
    assert re.search(rf'outcome-error" id="outcome-{request_seq}">timed out · \d', html)
    await stream.disconnect()
