"""A replay: each step sent again through a live session, its answer compared with the
recorded one."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from inspector.mcp.errors import JsonRpcError, McpError
from inspector.replay.compare import Difference, IgnoredPaths, differences
from inspector.replay.plan import Step
from inspector.sessions.calls import Caller
from inspector.sessions.session import LiveSession
from inspector.sessions.spec import ConnectionSpec
from inspector.sessions.status import SessionStatus

CLOSE_SECONDS = 5.0


class Verdict(StrEnum):
    SAME = "same"
    DIFFERENT = "different"
    FAILED = "failed"  # no answer: the request could not be sent, or timed out
    SKIPPED = "skipped"  # a tool call nobody allowed


@dataclass(frozen=True, slots=True)
class StepOutcome:
    step: Step
    verdict: Verdict
    replayed: dict[str, Any] = field(default_factory=dict)
    differences: tuple[Difference, ...] = ()
    reason: str = ""
    request_seq: int | None = None  # the replay's own request and answer, in its session
    response_seq: int | None = None

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "seq": self.step.seq,
            "method": self.step.method,
            "label": self.step.label,
            "verdict": self.verdict.value,
        }
        if self.differences:
            data["differences"] = [each.to_json() for each in self.differences]
        if self.reason:
            data["reason"] = self.reason
        if self.response_seq is not None:
            data["replayed_seq"] = self.response_seq
        return data


async def replay(
    steps: Sequence[Step],
    session: Caller,
    ignored: IgnoredPaths,
    *,
    allowed: Callable[[Step], bool],
    on_outcome: Callable[[StepOutcome], None] | None = None,
) -> list[StepOutcome]:
    """Every step in order; `allowed` says which of those that may change things may run."""
    outcomes: list[StepOutcome] = []
    for step in steps:
        outcome = await _one(step, session, ignored, allowed)
        outcomes.append(outcome)
        if on_outcome is not None:
            on_outcome(outcome)
    return outcomes


async def _one(
    step: Step, session: Caller, ignored: IgnoredPaths, allowed: Callable[[Step], bool]
) -> StepOutcome:
    if step.may_change_things and not allowed(step):
        return StepOutcome(step, Verdict.SKIPPED, reason="a tool call, not confirmed")
    call = await session.call(step.method, step.params, call_key=f"replay-{step.seq}")
    seqs = (call.request_seq, call.response_seq)
    if call.result is not None:
        replayed: dict[str, Any] = {"result": call.result}
    elif isinstance(call.error, JsonRpcError):
        replayed = {"error": {"code": call.error.code, "message": call.error.message}}
    else:
        error = call.error or McpError("no answer")
        return StepOutcome(step, Verdict.FAILED, {}, (), str(error), *seqs)
    if not step.recorded:
        return StepOutcome(step, Verdict.DIFFERENT, replayed, (), "nothing was recorded", *seqs)
    found = tuple(differences(_comparable(step.recorded), _comparable(replayed), ignored))
    verdict = Verdict.DIFFERENT if found else Verdict.SAME
    return StepOutcome(step, verdict, replayed, found, "", *seqs)


def _comparable(answer: dict[str, Any]) -> dict[str, Any]:
    """An error is its code: the message is free text, and servers reword it."""
    error = answer.get("error")
    if isinstance(error, dict):
        return {"error": {"code": error.get("code")}}
    return answer


class ReplayConnectError(Exception):
    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


async def replay_against(
    spec: ConnectionSpec,
    steps: Sequence[Step],
    ignored: IgnoredPaths,
    *,
    allowed: Callable[[Step], bool],
) -> list[StepOutcome]:
    """The steps replayed through a session of its own to the server `spec` names."""
    session = LiveSession(spec)
    try:
        await session.start()
        if session.status is not SessionStatus.CONNECTED:
            error = session.error
            message = error.message if error is not None else f"the session is {session.status}"
            raise ReplayConnectError(message, error.status if error is not None else None)
        return await replay(steps, session, ignored, allowed=allowed)
    finally:
        with contextlib.suppress(Exception):
            async with asyncio.timeout(CLOSE_SECONDS):
                await session.close()
