"""One examination in progress: the session it talks through, its time budget, its report.

Every request goes through the live session, so that the whole exchange is in the
session's event log with seqs and the judge's findings; every call is bounded by the
request timeout and by what is left of the overall budget. Two conditions end the
examination's sections early: the budget ran out (`BudgetSpent`), or the server went away
(`ServerGone`); the engine turns each into skipped checks with that reason.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from inspector.doctor.report import Check, Report, Section, Status, seqs
from inspector.mcp.errors import JsonRpcError, McpError, TransportClosed
from inspector.mcp.trace import EventKind, TraceEvent
from inspector.sessions.session import LiveSession
from inspector.sessions.status import SessionStatus

# Enough for a long sweep; a flood beyond it is counted, not examined message by message.
MAX_EVENTS_KEPT = 100_000
READ_CHUNK = 5_000


class StopExamination(Exception):
    """The sections still to run cannot run; `reason` says why, for their skipped checks."""

    def __init__(self, reason: str, evidence: tuple[int, ...] = ()) -> None:
        super().__init__(reason)
        self.reason = reason
        self.evidence = evidence


class BudgetSpent(StopExamination):
    """The overall time budget ran out."""


class ServerGone(StopExamination):
    """The connection ended while the checks were running."""


@dataclass(slots=True)
class Exchange:
    """One request and how it ended, with the seqs of the events that show it."""

    method: str
    result: dict[str, Any] | None = None
    error: McpError | None = None
    request_seq: int | None = None
    response_seq: int | None = None
    duration_ms: float = 0.0
    extra_seqs: list[int] = field(default_factory=list)

    @property
    def evidence(self) -> tuple[int, ...]:
        return seqs(self.request_seq, self.response_seq, self.extra_seqs)

    @property
    def error_code(self) -> int | None:
        return self.error.code if isinstance(self.error, JsonRpcError) else None

    def outcome(self) -> str:
        """How the request ended, in words: "a result", "error -32601 (Method not found)"."""
        if self.result is not None:
            return "a result"
        if isinstance(self.error, JsonRpcError):
            return f"error {self.error.code} ({_short(self.error.message)})"
        return f"no answer: {_short(str(self.error))}"


def _short(text: str, limit: int = 120) -> str:
    """A server's message inside a sentence: one line, not a page."""
    line = " ".join(text.split()).rstrip(".")
    return line if len(line) <= limit else f"{line[: limit - 1]}…"


class Examination:
    def __init__(
        self,
        session: LiveSession,
        report: Report,
        *,
        budget: float,
    ) -> None:
        self.session = session
        self.report = report
        self.budget = budget
        self.deadline = time.monotonic() + budget
        session.log.max_events = MAX_EVENTS_KEPT

    def remaining(self) -> float:
        return self.deadline - time.monotonic()

    def add(
        self,
        check_id: str,
        section: Section,
        status: Status,
        sentence: str,
        evidence: tuple[int, ...] = (),
        /,
        *,
        duration_ms: float | None = None,
        **detail: Any,
    ) -> Check:
        check = Check(check_id, section, status, sentence, evidence, detail, duration_ms)
        self.report.add(check)
        return check

    def ensure_time(self) -> None:
        if self.remaining() <= 0:
            raise BudgetSpent(
                f"The time budget of {self.budget:g} s ran out before this check could run."
            )

    def ensure_connected(self) -> None:
        session = self.session
        if session.status is not SessionStatus.CONNECTED:
            last = session.log.last_seq
            raise ServerGone(
                f"The connection ended before this check could run ({session.status.value}, "
                f"#{last}).",
                (last,),
            )

    async def call(self, method: str, params: dict[str, Any] | None = None) -> Exchange:
        """Send one request through the session, within the request timeout and the budget.

        Raises `BudgetSpent` or `ServerGone`; any other failure is the exchange's `error`.
        """
        self.ensure_time()
        self.ensure_connected()
        started = time.perf_counter()
        try:
            async with asyncio.timeout(max(self.remaining(), 0.0)):
                outcome = await self.session.call(method, params, call_key=uuid.uuid4().hex)
        except TimeoutError:
            raise BudgetSpent(
                f"The time budget of {self.budget:g} s ran out (during {method}) before "
                "this check could run."
            ) from None
        exchange = Exchange(
            method,
            result=outcome.result,
            error=outcome.error,
            request_seq=outcome.request_seq,
            response_seq=outcome.response_seq,
            duration_ms=round((time.perf_counter() - started) * 1000, 3),
        )
        if isinstance(outcome.error, TransportClosed):
            self.ensure_connected()
        return exchange

    async def events(self, after: int = 0, *, until: int | None = None) -> list[TraceEvent]:
        """The events still in memory with seq after `after` (and up to `until`)."""
        log = self.session.log
        cursor = max(after, log.window_start() - 1)
        found: list[TraceEvent] = []
        while True:
            chunk = await log.after(cursor, READ_CHUNK)
            if not chunk:
                return found
            for event in chunk:
                if until is not None and (event.seq or 0) > until:
                    return found
                found.append(event)
            cursor = chunk[-1].seq or cursor

    async def events_of(
        self, kind: EventKind, after: int = 0, until: int | None = None
    ) -> list[TraceEvent]:
        return [event for event in await self.events(after, until=until) if event.kind is kind]
