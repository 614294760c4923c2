"""Replay in the browser: a session's recorded requests sent again through another live
session of the same owner, in the background, each answer compared with the recorded one."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass

from inspector.replay.compare import DEFAULT_IGNORED, BadPattern, IgnoredPaths
from inspector.replay.plan import PlanReader, Step
from inspector.replay.run import StepOutcome
from inspector.replay.runs import ReplayRun
from inspector.services.runtime import registry, replay_runs
from inspector.services.sessions import session_owned
from inspector.services.surface_compare import stored_messages
from inspector.sessions.status import SessionStatus

__all__ = [
    "DEFAULT_IGNORED",
    "BadPattern",
    "ReplayNotFound",
    "ReplayState",
    "ReplayTargetNotLive",
    "replay_get",
    "replay_plan",
    "replay_start",
]


class ReplayTargetNotLive(Exception):
    """The session to replay against is not connected in this inspector."""


class ReplayNotFound(Exception):
    pass


@dataclass(frozen=True, slots=True)
class ReplayState:
    id: str
    source_id: str
    target_id: str
    total: int
    outcomes: tuple[StepOutcome, ...]
    ignored: tuple[str, ...]
    finished: bool
    error: str


async def replay_plan(*, session_id: str) -> list[Step]:
    """The requests of the session that a replay would send again, in order."""
    reader = PlanReader()
    async for data in stored_messages(session_id):
        reader.add(data)
    return reader.steps()


async def replay_start(
    *,
    session_id: str,
    target_id: str,
    owner_id: int | None,
    tool_call_seqs: Collection[int],
    ignored: Iterable[str],
) -> ReplayState:
    """Start replaying `session_id`'s steps through `target_id` (the same owner's, and
    connected); tool calls run only if their seq is in `tool_call_seqs`. Raises
    `BadPattern` for a path to ignore that is not one, `SessionNotFound`, or
    `ReplayTargetNotLive`; nothing is sent then."""
    paths = IgnoredPaths([*DEFAULT_IGNORED, *ignored])
    await session_owned(session_id=session_id, owner_id=owner_id)
    await session_owned(session_id=target_id, owner_id=owner_id)
    target = registry().get(target_id)
    if target is None or target.status is not SessionStatus.CONNECTED:
        raise ReplayTargetNotLive(target_id)
    steps = await replay_plan(session_id=session_id)
    allowed = frozenset(tool_call_seqs)
    run = replay_runs().start(
        source_id=session_id,
        target_id=target_id,
        steps=steps,
        session=target,
        ignored=paths,
        allowed=lambda step: step.seq in allowed,
    )
    return _state(run)


async def replay_get(*, session_id: str, run_id: str, target_id: str = "") -> ReplayState:
    """A run of this session's replay, as far as it has gone. `target_id`, the session
    the run goes through, says where the run is (with session hosts, on that session's
    host); a run through another session is not this one."""
    run = replay_runs().get(run_id)
    if run is None or run.source_id != session_id or target_id not in ("", run.target_id):
        raise ReplayNotFound(run_id)
    return _state(run)


def _state(run: ReplayRun) -> ReplayState:
    return ReplayState(
        id=run.id,
        source_id=run.source_id,
        target_id=run.target_id,
        total=len(run.steps),
        outcomes=tuple(run.outcomes),
        ignored=run.ignored,
        finished=run.finished,
        error=run.error,
    )
