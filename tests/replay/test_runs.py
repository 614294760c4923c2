"""Replays in the background: a run's outcomes as they come, a run stopped when the
process closes them, and only so many finished runs kept."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from inspector.replay.compare import IgnoredPaths
from inspector.replay.plan import Step
from inspector.replay.run import Verdict
from inspector.replay.runs import ReplayRun, ReplayRuns
from inspector.sessions.session import LiveSession
from inspector.sessions.status import SessionStatus
from tests.conftest import fixture_spec

LISTING = Step(1, "tools/list", {}, {"result": {"tools": []}})
CALL = Step(3, "tools/call", {"name": "forecast", "arguments": {"city": "Oslo"}}, {})


@pytest.fixture
async def session() -> AsyncIterator[LiveSession]:
    live = LiveSession(fixture_spec("surface_server", "v1"), answered_by_people=True)
    await live.start()
    assert live.status is SessionStatus.CONNECTED
    yield live
    await live.close()


async def finished(run: ReplayRun) -> ReplayRun:
    for _ in range(500):
        if run.finished:
            return run
        await asyncio.sleep(0.02)
    raise AssertionError("the run did not finish")


def start(runs: ReplayRuns, session: LiveSession, *steps: Step) -> ReplayRun:
    return runs.start(
        source_id="recorded",
        target_id=session.id,
        steps=steps,
        session=session,
        ignored=IgnoredPaths(["$.result.nextCursor"]),
        allowed=lambda step: True,
    )


async def test_a_run_goes_on_by_itself_and_keeps_its_outcomes(session: LiveSession) -> None:
    runs = ReplayRuns()
    run = start(runs, session, LISTING, CALL)
    assert runs.get(run.id) is run
    await finished(run)
    assert [outcome.verdict for outcome in run.outcomes] == [Verdict.DIFFERENT, Verdict.DIFFERENT]
    assert run.outcomes[0].differences[0].path == "$.result.tools[0]"
    assert run.outcomes[1].reason == "nothing was recorded"
    assert run.error == ""


async def test_closing_stops_a_run_that_waits(session: LiveSession) -> None:
    session.consent.confirm_tool_calls = True  # the call waits in the inbox, for nobody
    runs = ReplayRuns()
    run = start(runs, session, CALL)
    for _ in range(250):
        if session.consent.inbox.pending():
            break
        await asyncio.sleep(0.02)
    assert not run.finished
    await runs.close()
    assert run.finished
    assert run.error == "The replay was stopped."


async def test_only_so_many_finished_runs_are_kept(session: LiveSession) -> None:
    runs = ReplayRuns(kept=2)
    first = await finished(start(runs, session, LISTING))
    second = await finished(start(runs, session, LISTING))
    third = start(runs, session, LISTING)
    assert runs.get(first.id) is None, "the oldest finished run went"
    assert runs.get(second.id) is second
    assert runs.get(third.id) is third
    await finished(third)
