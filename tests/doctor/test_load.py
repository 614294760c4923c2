"""The load test against a server that watches how it is loaded: never more calls in
flight than asked (and that many, so the concurrency is real), never faster than the
rate, no call started after the duration, and failures counted rather than fatal."""

from __future__ import annotations

import asyncio
import json
import random
from collections.abc import AsyncIterator
from typing import Any

import pytest

from inspector.doctor.load import LoadOptions, Pacer, load_session, load_test
from inspector.doctor.load_result import ErrorKind, LoadResult, StopReason
from inspector.mcp.trace import Direction, MessageType
from inspector.sessions.session import LiveSession
from inspector.sessions.status import SessionStatus
from tests.conftest import fixture_spec

ADD = {"a": 2, "b": 3}


@pytest.fixture
async def target() -> AsyncIterator[LiveSession]:
    session = LiveSession(fixture_spec("load_target"))
    await session.start()
    assert session.status is SessionStatus.CONNECTED
    try:
        yield session
    finally:
        await session.close()


async def server_stats(session: LiveSession) -> dict[str, Any]:
    outcome = await session.call("tools/call", {"name": "stats", "arguments": {}}, call_key="s")
    assert outcome.result is not None
    stats: dict[str, Any] = json.loads(outcome.result["content"][0]["text"])
    return stats


def most_in_one_second(starts: list[float]) -> int:
    """The most starts in any window [t, t + 1 s), t being a start."""
    ordered = sorted(starts)
    return max(
        (sum(1 for other in ordered if start <= other < start + 1.0) for start in ordered),
        default=0,
    )


def assert_adds_up(result: LoadResult) -> None:
    document = result.to_json()
    assert document["requests"] == document["ok"] + sum(document["errors"].values())
    assert sum(bucket["count"] for bucket in document["timeline"]) == document["requests"]
    assert sum(b["errors"] for b in document["timeline"]) == sum(document["errors"].values())
    assert [bucket["second"] for bucket in document["timeline"]] == list(
        range(len(document["timeline"]))
    )


async def test_calls_in_flight_reach_the_concurrency_and_never_pass_it(
    target: LiveSession,
) -> None:
    options = LoadOptions("add", ADD, concurrency=4, requests=60)
    result = await load_session(target, options)
    stats = await server_stats(target)
    assert (result.requests, result.ok, result.errors()) == (60, 60, {})
    assert result.stopped is StopReason.REQUESTS
    # The server itself saw exactly four at once: one connection carries them all.
    assert stats["max_in_flight"] == 4
    assert result.max_in_flight == 4
    assert stats["calls"] == 60
    latency = result.latency()
    assert latency is not None
    assert latency["min"] <= latency["p50"] <= latency["p90"] <= latency["p99"] <= latency["max"]
    assert_adds_up(result)


async def test_the_rate_is_never_exceeded(target: LiveSession) -> None:
    # Unpaced, eight workers on a 20 ms tool would make hundreds of calls in two seconds.
    options = LoadOptions("add", ADD, concurrency=8, duration=2.0, rate=15.0)
    result = await load_session(target, options)
    stats = await server_stats(target)
    assert 0 < result.requests <= 30  # rate x duration, nothing more for the first second
    assert stats["calls"] == result.requests
    assert most_in_one_second([sample.started for sample in result.samples]) <= 15
    assert result.stopped is StopReason.DURATION
    assert_adds_up(result)


async def test_no_call_starts_after_the_duration(target: LiveSession) -> None:
    options = LoadOptions("add", ADD, concurrency=3, duration=1.0)
    result = await load_session(target, options)
    assert result.requests > 0
    assert all(sample.started < 1.0 for sample in result.samples)
    assert result.stopped is StopReason.DURATION
    # The calls under way finish: each within the request timeout.
    assert result.elapsed_s < 1.0 + target.spec.request_timeout
    assert result.to_json()["timeline"][0]["count"] > 0


async def test_failures_are_counted_and_shown_with_their_events(target: LiveSession) -> None:
    result = await load_session(target, LoadOptions("flaky", {}, concurrency=3, requests=30))
    assert result.requests == 30  # the run went on through every failure
    assert result.errors() == {"tool_error": 5, "jsonrpc_error": 5}
    assert result.ok == 20
    assert result.error_rate == pytest.approx(0.3333)
    messages = result.error_messages()
    assert {m["kind"] for m in messages} == {"tool_error", "jsonrpc_error"}
    assert sum(m["count"] for m in messages) == 10
    events = {event.seq: event for event in await target.log.after(0, 10_000)}
    for message in messages:
        assert message["evidence"], message
        for seq in message["evidence"]:
            event = events[seq]
            assert event.direction is Direction.IN
            if message["kind"] == "jsonrpc_error":
                assert event.message_type is MessageType.ERROR
                assert "planned protocol failure" in message["message"]
            else:
                assert event.message_type is MessageType.RESULT
                assert '"isError":true' in event.text.replace(" ", "")
                assert "planned failure" in message["message"]
    assert_adds_up(result)


async def test_a_tool_the_server_does_not_have_is_said_and_never_called() -> None:
    options = LoadOptions("subtract", ADD, concurrency=2, requests=5)
    result = await load_test(fixture_spec("load_target"), options)
    assert result.tool_missing == "the server lists no tool subtract"
    assert result.requests == 0
    assert result.stopped is StopReason.NOT_STARTED


async def test_a_server_that_cannot_start_is_a_connect_error() -> None:
    options = LoadOptions("add", ADD, concurrency=2, requests=5)
    result = await load_test(fixture_spec("no_such_fixture_module"), options)
    assert result.connect_error is not None
    assert result.connect_error["layer"] == "process"
    assert result.requests == 0


async def test_the_connection_ending_stops_the_run_and_is_counted() -> None:
    session = LiveSession(fixture_spec("load_target"))
    await session.start()
    try:
        options = LoadOptions("add", ADD, concurrency=2, duration=30.0)

        async def kill_soon() -> None:
            await asyncio.sleep(0.3)
            client = session.client
            assert client is not None
            await client.transport.close()

        killer = asyncio.create_task(kill_soon())
        result = await load_session(session, options)
        await killer
    finally:
        await session.close()
    assert result.stopped is StopReason.CONNECTION
    assert result.errors().get(ErrorKind.CONNECTION.value, 0) >= 1
    assert result.elapsed_s < 30.0


def test_the_pacer_keeps_every_second_within_the_rate_however_late_the_starts() -> None:
    randomness = random.Random(14)
    for rate in (0.5, 3.0, 10.0, 12.5, 200.0):
        pacer = Pacer(rate)
        now, starts = 0.0, []
        for _ in range(400):
            now += pacer.wait(now)
            # A start comes late by anything from nothing to two slots.
            now += randomness.choice([0.0, 0.0, 0.3, 0.9, 1.5, 2.0]) / rate
            now += pacer.wait(now)
            pacer.started(now)
            starts.append(now)
        limit = max(-(-rate // 1), 1)
        assert most_in_one_second(starts) <= limit, rate
        # Over the whole run, never more than the rate allows from the first start.
        assert all(start >= index / rate - 1e-9 for index, start in enumerate(starts)), rate
