"""Replays that run in the background while a page polls for their progress: each run
is a task this collection owns (cancelled and awaited on close), and its outcomes so far."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from inspector.replay.compare import IgnoredPaths
from inspector.replay.plan import Step
from inspector.replay.run import StepOutcome, replay
from inspector.sessions.calls import Caller
from inspector.sessions.detached import spawn_detached

# Finished runs kept for their pages; the oldest finished one goes first.
KEPT_RUNS = 50


@dataclass(slots=True)
class ReplayRun:
    id: str
    source_id: str  # the recorded session
    target_id: str  # the live session the steps were sent through
    steps: tuple[Step, ...]
    ignored: tuple[str, ...]
    started_at: float = field(default_factory=time.time)
    outcomes: list[StepOutcome] = field(default_factory=list)
    finished: bool = False
    error: str = ""


class ReplayRuns:
    def __init__(self, kept: int = KEPT_RUNS) -> None:
        self._kept = kept
        self._runs: dict[str, ReplayRun] = {}
        self._tasks: dict[str, asyncio.Task[None]] = {}

    def start(
        self,
        *,
        source_id: str,
        target_id: str,
        steps: Sequence[Step],
        session: Caller,
        ignored: IgnoredPaths,
        allowed: Callable[[Step], bool],
    ) -> ReplayRun:
        self._forget_old()
        run = ReplayRun(uuid.uuid4().hex, source_id, target_id, tuple(steps), ignored.patterns)
        self._runs[run.id] = run
        task = spawn_detached(self._run(run, session, ignored, allowed), f"replay-{run.id}")
        self._tasks[run.id] = task
        task.add_done_callback(lambda _: self._tasks.pop(run.id, None))
        return run

    def get(self, run_id: str) -> ReplayRun | None:
        return self._runs.get(run_id)

    async def close(self) -> None:
        tasks = list(self._tasks.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def _run(
        self,
        run: ReplayRun,
        session: Caller,
        ignored: IgnoredPaths,
        allowed: Callable[[Step], bool],
    ) -> None:
        try:
            await replay(
                run.steps, session, ignored, allowed=allowed, on_outcome=run.outcomes.append
            )
        except asyncio.CancelledError:
            run.error = "The replay was stopped."
            raise
        except Exception as exc:  # the page says why the run ended; nothing else waits on it
            run.error = f"The replay stopped: {exc}"
        finally:
            run.finished = True

    def _forget_old(self) -> None:
        finished = [run for run in self._runs.values() if run.finished]
        for run in sorted(finished, key=lambda each: each.started_at):
            if len(self._runs) < self._kept:
                return
            del self._runs[run.id]
