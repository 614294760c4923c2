"""The examinations running in this process: each an asyncio task with an owner (this
object), which holds a strong reference to it and cancels and awaits it on close."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Coroutine
from dataclasses import dataclass
from typing import Any

from inspector.sessions.detached import spawn_detached
from inspector.sessions.session import LiveSession


@dataclass(frozen=True, slots=True)
class Running:
    """What a page shows of a check in progress."""

    session_id: str
    seconds: float
    events: int
    budget: float


class DoctorRuns:
    def __init__(self) -> None:
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._sessions: dict[str, LiveSession] = {}
        self._started: dict[str, tuple[float, float]] = {}

    def start(
        self,
        report_id: str,
        session: LiveSession,
        budget: float,
        work: Coroutine[Any, Any, None],
    ) -> None:
        # Detached from the request that started it, which ends long before the checks.
        task = spawn_detached(work, f"doctor-{report_id}")
        self._tasks[report_id] = task
        self._sessions[report_id] = session
        self._started[report_id] = (time.monotonic(), budget)
        task.add_done_callback(lambda _: self._forget(report_id))

    def running(self, report_id: str) -> Running | None:
        session = self._sessions.get(report_id)
        if session is None:
            return None
        started, budget = self._started[report_id]
        return Running(
            session_id=session.id,
            seconds=time.monotonic() - started,
            events=session.log.last_seq,
            budget=budget,
        )

    async def wait(self, report_id: str) -> None:
        """Until the check ends (for callers that need its report, such as tests)."""
        task = self._tasks.get(report_id)
        if task is not None:
            await asyncio.shield(task)

    async def close(self) -> None:
        tasks = list(self._tasks.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    def _forget(self, report_id: str) -> None:
        self._tasks.pop(report_id, None)
        self._sessions.pop(report_id, None)
        self._started.pop(report_id, None)
