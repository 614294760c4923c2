"""Requests in flight on a live session: listed whoever started them, cancelled by id, and
a response that comes after the cancel is recorded, marked and otherwise ignored."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from inspector.mcp.client.types import InFlight
from inspector.mcp.errors import RequestCancelled
from inspector.mcp.trace import Direction, MessageType, TraceEvent
from inspector.sessions.session import LiveSession
from inspector.sessions.status import SessionStatus
from tests.conftest import fixture_spec


@pytest.fixture
async def slow_session() -> AsyncIterator[LiveSession]:
    """A server that answers tools/call after 0.6 s, whether or not it was cancelled."""
    session = LiveSession(fixture_spec("broken_stdio", "slow=0.6"))
    await session.start()
    assert session.status is SessionStatus.CONNECTED
    yield session
    await session.close()


async def running(session: LiveSession, method: str) -> InFlight:
    for _ in range(250):
        found = [request for request in session.in_flight() if request.method == method]
        if found:
            return found[0]
        await asyncio.sleep(0.02)
    raise AssertionError(f"{method} never showed as in flight")


async def late_answers(session: LiveSession, request_id: object) -> list[TraceEvent]:
    for _ in range(100):
        events = await session.log.after(0, 10_000)
        late = [
            e
            for e in events
            if e.direction is Direction.IN
            and e.message_type is MessageType.RESULT
            and e.message_id == request_id
        ]
        if late:
            return late
        await asyncio.sleep(0.05)
    return []


async def test_a_request_is_cancelled_by_id_and_its_late_answer_marked(
    slow_session: LiveSession,
) -> None:
    call = asyncio.create_task(
        slow_session.call("tools/call", {"name": "anything"}, call_key="page-call-1")
    )
    request = await running(slow_session, "tools/call")
    assert request.params["name"] == "anything"
    assert request.progress_token == "page-call-1"
    assert await slow_session.cancel_request(request.id)
    outcome = await call
    assert isinstance(outcome.error, RequestCancelled)
    assert slow_session.in_flight() == []
    assert not await slow_session.cancel_request(request.id), "it is over already"

    (late,) = await late_answers(slow_session, request.id)
    assert "client.late-response" in {finding.rule for finding in late.findings}
    assert late.method == "tools/call"
    assert late.detail["late_because"] == "cancelled"
    assert late.detail["late_for_seq"] == outcome.request_seq
    assert late.request_seq is None, "the request keeps its outcome: cancelled"
    assert outcome.response_seq is not None
    ended = await slow_session.log.after(outcome.response_seq - 1, 1)
    assert ended[0].detail["outcome"] == "cancelled"


async def test_requests_made_without_a_key_are_listed_and_cancellable(
    slow_session: LiveSession,
) -> None:
    plain = asyncio.create_task(slow_session.request("tools/call", {"name": "plain"}))
    request = await running(slow_session, "tools/call")
    assert request.progress_token == request.id, "the id serves as the progress token"
    assert await slow_session.cancel_request(request.id, "no longer needed")
    with pytest.raises(RequestCancelled, match="no longer needed"):
        await plain


async def test_initialize_is_never_cancelled() -> None:
    session = LiveSession(fixture_spec("broken_stdio", "silent-init", connect_timeout=30))
    connecting = asyncio.create_task(session.start())
    try:
        initialize = await running(session, "initialize")
        assert not await session.cancel_request(initialize.id)
        assert session.status is SessionStatus.CONNECTING
    finally:
        await session.close()
        await asyncio.wait_for(connecting, 10)
    assert session.in_flight() == []
