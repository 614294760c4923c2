"""The table of requests awaiting their responses, and of those no longer awaited.

The table pairs each response with its request, times the wait (the request timeout,
restarted by progress if so configured, and the maximum total), and follows progress.
A request leaves the table answered, timed out, cancelled or failed; its id is then
remembered for a while, so that a late response can be named after its request and
marked instead of looking like an answer to nothing.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from inspector.mcp.client.types import InFlight
from inspector.mcp.errors import JsonRpcError, McpError, RequestError, RequestTimeout, TimeoutLimit
from inspector.mcp.findings import Finding, Severity
from inspector.mcp.trace import (
    ORIGIN_DETAIL,
    ROUND_DETAIL,
    EventKind,
    MessageType,
    RequestId,
    TraceEvent,
    local_event,
)

FINISHED_IDS_REMEMBERED = 1024


@dataclass(slots=True)
class Pending:
    """A request awaiting its response: its trace event, its future and its progress."""

    method: str
    event: TraceEvent
    future: asyncio.Future[dict[str, Any]]
    started: float
    last_activity: float
    started_at: float = field(default_factory=time.time)  # wall clock, for display
    progress: float | None = None
    total: float | None = None
    progress_message: str = ""
    progress_updates: int = 0


@dataclass(frozen=True, slots=True)
class Ended:
    """A request no longer awaited: why, and enough to name it on a late response."""

    why: str
    method: str
    request_seq: int | None


class PendingRequests:
    """Requests in flight by id, and the ids that are no longer awaited, with why."""

    def __init__(self, emit: Callable[[TraceEvent], None]) -> None:
        self._emit = emit
        self._pending: dict[RequestId, Pending] = {}
        self._finished: OrderedDict[RequestId, Ended] = OrderedDict()

    def add(self, request_id: RequestId, method: str, event: TraceEvent) -> Pending:
        loop = asyncio.get_running_loop()
        now = loop.time()
        pending = Pending(method, event, loop.create_future(), now, now)
        self._pending[request_id] = pending
        return pending

    def remove(self, request_id: RequestId) -> None:
        self._pending.pop(request_id, None)

    def get(self, request_id: RequestId) -> Pending | None:
        return self._pending.get(request_id)

    def event(self, request_id: RequestId) -> TraceEvent:
        return self._pending[request_id].event

    def items(self) -> Iterator[tuple[RequestId, Pending]]:
        """A snapshot: the table may change while the caller iterates."""
        return iter(list(self._pending.items()))

    def in_flight(self) -> list[InFlight]:
        """Every request still awaiting its response, oldest first, with its progress."""
        now = asyncio.get_running_loop().time()
        requests = []
        for request_id, pending in self._pending.items():
            if pending.future.done():
                continue
            params = pending.event.payload.get("params") if pending.event.payload else None
            requests.append(
                InFlight(
                    id=request_id,
                    method=pending.method,
                    params=params if isinstance(params, dict) else {},
                    started_at=pending.started_at,
                    elapsed=now - pending.started,
                    progress_token=progress_token(pending.event),
                    progress=pending.progress,
                    total=pending.total,
                    progress_message=pending.progress_message,
                    progress_updates=pending.progress_updates,
                )
            )
        return requests

    def match_id(self, event: TraceEvent) -> RequestId | None:
        """The id of the request a response answers, as the table knows it."""
        request_id = event.message_id
        if request_id is None or request_id in self._pending:
            return request_id
        # Some servers echo a numeric id as a string: pair it, but say so.
        if (
            isinstance(request_id, str)
            and request_id.isdigit()
            and int(request_id) in self._pending
        ):
            event.findings.append(
                Finding(
                    "jsonrpc.id-echo",
                    f"The response id {request_id!r} is a string; the request's id was a number.",
                    "$.id",
                    Severity.WARNING,
                )
            )
            return int(request_id)
        return request_id

    def settle(self, event: TraceEvent) -> None:
        """Pair a response with its request, annotate it, then wake the waiter."""
        request_id = self.match_id(event)
        pending = self._pending.get(request_id) if request_id is not None else None
        if request_id is None or pending is None or pending.future.done():
            self.note_unpaired(event, request_id)
            return
        event.request_seq = pending.event.seq
        event.method = pending.method
        link_round(event, pending.event)
        elapsed = asyncio.get_running_loop().time() - pending.started
        event.duration_ms = round(elapsed * 1000, 3)
        payload = event.payload
        self._emit(event)
        self.finish(request_id, "answered", pending)
        if event.message_type is MessageType.ERROR:
            body = payload.get("error")
            body = body if isinstance(body, dict) else {}
            pending.future.set_exception(
                JsonRpcError(_int(body.get("code")), str(body.get("message", "")), body.get("data"))
            )
        else:
            result = payload.get("result")
            pending.future.set_result(result if isinstance(result, dict) else {})

    def observe_progress(self, params: dict[str, Any], *, reset_timeout: bool) -> None:
        """Note a progress notification on the request whose token it carries."""
        token = params.get("progressToken")
        for pending in self._pending.values():
            if progress_token(pending.event) != token:
                continue
            pending.progress = _number(params.get("progress"))
            pending.total = _number(params.get("total"))
            message = params.get("message")
            pending.progress_message = message if isinstance(message, str) else ""
            pending.progress_updates += 1
            if reset_timeout:
                pending.last_activity = asyncio.get_running_loop().time()

    def finish(self, request_id: RequestId, why: str, pending: Pending) -> None:
        self._finished[request_id] = Ended(why, pending.method, pending.event.seq)
        while len(self._finished) > FINISHED_IDS_REMEMBERED:
            self._finished.popitem(last=False)

    def give_up(self, request_id: RequestId, pending: Pending, outcome: str, reason: str) -> None:
        """Record that a request's answer is no longer awaited, on the request's row too."""
        self.finish(request_id, outcome, pending)
        event = local_event(
            EventKind.ERROR,
            f"{pending.method} (id {request_id}) {outcome}: {reason}",
            outcome=outcome,
        )
        event.method = pending.method
        event.message_id = request_id
        event.request_seq = pending.event.seq
        elapsed = asyncio.get_running_loop().time() - pending.started
        event.duration_ms = round(elapsed * 1000, 3)
        self._emit(event)

    async def wait(
        self,
        request_id: RequestId,
        pending: Pending,
        *,
        per_request: float,
        total: float,
        reset_on_progress: bool,
        person_pending: Callable[[], bool],
    ) -> dict[str, Any]:
        """The result, once it comes; give up with `RequestTimeout` when a limit is hit.

        `per_request` runs from the last activity (progress, when it resets the timeout),
        `total` from the start; `person_pending` says whether the server asked something
        a person has yet to answer.
        """
        loop = asyncio.get_running_loop()
        while not pending.future.done():
            idle_deadline = pending.last_activity + per_request
            total_deadline = pending.started + total
            remaining = min(idle_deadline, total_deadline) - loop.time()
            if remaining <= 0 and idle_deadline < total_deadline and person_pending():
                # The delay is the person's, so only the maximum total still applies.
                pending.last_activity = loop.time()
                continue
            if remaining <= 0:
                limit = (
                    TimeoutLimit.TOTAL if total_deadline <= idle_deadline else TimeoutLimit.REQUEST
                )
                reason = timeout_reason(
                    pending, limit, per_request, total, reset_on_progress=reset_on_progress
                )
                self.give_up(request_id, pending, "timed out", reason)
                raise RequestTimeout(reason, limit=limit)
            await asyncio.wait([pending.future], timeout=remaining)
        return pending.future.result()

    def note_unpaired(self, event: TraceEvent, request_id: RequestId | None) -> None:
        """Record a response that answers no request in flight, saying why."""
        ended = self._finished.get(request_id) if request_id is not None else None
        if ended is not None:
            # Named after its request, but not paired with it: the request's row keeps
            # the outcome the person saw (cancelled, timed out), not this answer.
            event.method = ended.method
            event.detail["late_for_seq"] = ended.request_seq
            event.detail["late_because"] = ended.why
            event.findings.append(
                Finding(
                    "client.late-response",
                    f"Response to a {ended.method} request that was already {ended.why}; ignored.",
                    "$.id",
                    Severity.WARNING,
                )
            )
        else:
            event.findings.append(
                Finding("client.unknown-id", "No request with this id is in flight.", "$.id")
            )
        self._emit(event)

    def fail_lost(self, keys: Any) -> None:
        """Fail the requests whose response stream ended without their response."""
        if not isinstance(keys, list):
            return
        for request_id, pending in self.items():
            if str(request_id) in keys and not pending.future.done():
                reason = "its response stream ended before the response"
                self.give_up(request_id, pending, "failed", reason)
                pending.future.set_exception(RequestError(f"{pending.method} failed: {reason}."))

    def fail_all(self, error: McpError) -> None:
        for request_id, pending in self.items():
            if not pending.future.done():
                self.give_up(request_id, pending, "failed", str(error))
                pending.future.set_exception(error)


def timeout_reason(
    pending: Pending,
    limit: TimeoutLimit,
    per_request: float,
    total: float,
    *,
    reset_on_progress: bool,
) -> str:
    """Which limit was hit, and what progress had to do with it, in one sentence."""
    progressed = pending.progress_updates > 0
    if limit is TimeoutLimit.TOTAL:
        despite = ", although the server was reporting progress" if progressed else ""
        return f"No response within the maximum total time of {total:g} s{despite}."
    if progressed and reset_on_progress:
        return (
            f"No response within the request timeout of {per_request:g} s "
            "after the last progress notification."
        )
    if progressed:
        return (
            f"No response within the request timeout of {per_request:g} s "
            "(progress does not reset it on this connection)."
        )
    return f"No response within the request timeout of {per_request:g} s."


def progress_token(event: TraceEvent) -> Any:
    params = event.params
    meta = params.get("_meta") if params is not None else None
    return meta.get("progressToken") if isinstance(meta, dict) else None


def _number(value: Any) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return None


def link_round(response: TraceEvent, request: TraceEvent) -> None:
    """Tie a response to the multi round-trip request it is part of, if it is."""
    if ORIGIN_DETAIL in request.detail:
        response.detail[ORIGIN_DETAIL] = request.detail[ORIGIN_DETAIL]
        response.detail[ROUND_DETAIL] = request.detail[ROUND_DETAIL]
        return
    payload = response.payload if isinstance(response.payload, dict) else {}
    result = payload.get("result")
    if isinstance(result, dict) and result.get("resultType") == "input_required":
        # The first round: the request itself is the origin.
        response.detail[ORIGIN_DETAIL] = request.seq
        response.detail[ROUND_DETAIL] = 1


def _int(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0
