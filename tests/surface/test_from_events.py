"""A surface read back from a session's events is the surface captured live: pages
joined, the last complete listing kept, the server's identity from the handshake."""

from __future__ import annotations

import json
from typing import Any

import pytest

from inspector.mcp.trace import TraceEvent
from inspector.sessions.session import LiveSession
from inspector.surface.capture import capture
from inspector.surface.from_events import surface_of_events
from tests.conftest import fixture_spec


async def recorded(module: str, *args: str) -> list[dict[str, Any]]:
    """A session that lists what the server offers, as its stored events."""
    session = LiveSession(fixture_spec(module, *args))
    await session.start()
    try:
        for method in ("tools/list", "prompts/list"):
            cursor = None
            while True:
                result = await session.request(method, {"cursor": cursor} if cursor else {})
                cursor = result.get("nextCursor")
                if not cursor:
                    break
        events: list[TraceEvent] = await session.log.after(0, 10_000)
        return [event.to_dict() for event in events]
    finally:
        await session.close()


async def test_the_recorded_surface_is_the_live_one() -> None:
    events = await recorded("surface_server", "v1")
    read = surface_of_events(events)
    live = await capture(fixture_spec("surface_server", "v1"))
    assert read.server == live.server
    assert read.lists == live.lists
    assert [tool["name"] for tool in read.items("tools")] == [
        "forecast", "alerts", "legacy_lookup",
    ]  # fmt: skip
    assert not read.incomplete


def test_a_listing_cut_short_is_incomplete_and_a_later_whole_one_wins() -> None:
    def message(seq: int, direction: str, kind: str, body: dict[str, Any]) -> dict[str, Any]:
        return {"seq": seq, "kind": "message", "direction": direction, "timestamp": 1.0,
                "message_type": kind, "method": "tools/list", "message_id": body.get("id"),
                "text": json.dumps(body)}  # fmt: skip

    first = message(1, "out", "request", {"id": 1, "method": "tools/list", "params": {}})
    page = message(2, "in", "result", {"id": 1, "result": {"tools": [{"name": "a"}],
                                                           "nextCursor": "2"}})  # fmt: skip
    assert surface_of_events([first, page]).incomplete == ["tools"]
    again = message(3, "out", "request", {"id": 2, "method": "tools/list", "params": {}})
    whole = message(4, "in", "result", {"id": 2, "result": {"tools": [{"name": "b"}]}})
    read = surface_of_events([first, page, again, whole])
    assert read.items("tools") == [{"name": "b"}]
    assert not read.incomplete


@pytest.mark.parametrize("broken", ["not json", "[]", '{"id": 1, "result": 5}'])
def test_unreadable_messages_are_passed_over(broken: str) -> None:
    event = {"seq": 1, "kind": "message", "direction": "in", "timestamp": 1.0,
             "message_type": "result", "method": "tools/list", "text": broken}  # fmt: skip
    assert surface_of_events([event]).lists == {}
