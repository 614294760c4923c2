"""A load test of one tool: N workers call it over and over, never more than N calls in
flight and never faster than the rate asked, until the duration or the request count is
reached; every failure is counted, none stops the run (except the connection ending).

One connection carries all the calls. JSON-RPC pairs answers with requests by id, so a
single stdio pipe or HTTP session holds as many calls in flight as the workers start, and
this is how a host talks to a server: one connection, many concurrent calls. One
connection per worker would measure something else (N processes of a stdio server, N
sessions of an HTTP one). The fixture tests count the calls the server itself sees in
flight at once: it reaches the concurrency asked, so the concurrency is real.

Pacing with `rate` R: call k may start no sooner than its slot, R slots a second; a call
that starts a whole slot late moves the later slots back rather than letting a burst
catch up; and no one-second window ever holds more than ceil(R) starts. So over the run
at most R x duration calls start. Calls go through the live session: each is recorded,
judged and timed like any other, and an error's evidence is its event's seq.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import time
import uuid
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from inspector.doctor.load_result import ErrorKind, LoadResult, Sample, StopReason
from inspector.mcp.errors import (
    HttpStatusError,
    JsonRpcError,
    RequestTimeout,
    TransportClosed,
)
from inspector.sessions.calls import CallOutcome
from inspector.sessions.session import LiveSession
from inspector.sessions.spec import ConnectionSpec
from inspector.sessions.status import SessionStatus

CLOSE_SECONDS = 10.0
MAX_MESSAGE = 200
# Enough to keep a few seconds of a fast run for the evidence; a long run's older
# events are dropped from memory (a session with a store keeps them all).
MAX_EVENTS_KEPT = 100_000
MAX_TOOL_PAGES = 100


@dataclass(frozen=True, slots=True)
class LoadOptions:
    tool: str
    arguments: dict[str, Any]
    concurrency: int
    duration: float | None = None  # seconds; with neither limit, the run never ends
    requests: int | None = None
    rate: float | None = None  # calls started per second, at most

    def __post_init__(self) -> None:
        if self.concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        if self.duration is None and self.requests is None:
            raise ValueError("a load test needs a duration or a request count")


@dataclass(frozen=True, slots=True)
class Ended:
    """How one call ended, as the worker reports it."""

    error: ErrorKind | None = None
    message: str = ""
    seq: int | None = None


Call = Callable[[], Awaitable[Ended]]


class Pacer:
    """The earliest time the next call may start, for a rate of `rate` calls a second."""

    def __init__(self, rate: float) -> None:
        self.interval = 1.0 / rate
        self.next_at: float | None = None
        self.recent: deque[float] = deque(maxlen=max(math.ceil(rate), 1))

    def wait(self, now: float) -> float:
        due = now if self.next_at is None else self.next_at
        if len(self.recent) == self.recent.maxlen:
            # The window rule: the start ceil(R) calls back and this one are a second apart.
            due = max(due, self.recent[0] + 1.0)
        return max(due - now, 0.0)

    def started(self, now: float) -> None:
        if self.next_at is None or now - self.next_at >= self.interval:
            self.next_at = now + self.interval
        else:
            self.next_at += self.interval
        self.recent.append(now)


class LoadRun:
    """The workers, the turnstile they start calls through, and what they measured."""

    def __init__(self, call: Call, options: LoadOptions, result: LoadResult) -> None:
        self.call = call
        self.options = options
        self.result = result
        self.pacer = Pacer(options.rate) if options.rate is not None else None
        self.turnstile = asyncio.Lock()  # FIFO: workers start calls in turn
        self.started = 0
        self.in_flight = 0
        self.stop: StopReason | None = None
        self.t0 = 0.0
        self.deadline = math.inf

    async def run(self) -> LoadResult:
        self.t0 = time.perf_counter()
        if self.options.duration is not None:
            self.deadline = self.t0 + self.options.duration
        workers = [asyncio.create_task(self.worker()) for _ in range(self.options.concurrency)]
        try:
            await asyncio.gather(*workers)
        finally:
            for worker in workers:
                worker.cancel()
            await asyncio.gather(*workers, return_exceptions=True)
        self.result.elapsed_s = time.perf_counter() - self.t0
        self.result.stopped = self.stop or StopReason.DURATION
        return self.result

    async def claim(self) -> float | None:
        """The time this worker's next call starts, or None: no more calls."""
        async with self.turnstile:
            while self.stop is None:
                limit = self.options.requests
                if limit is not None and self.started >= limit:
                    self.stop = StopReason.REQUESTS
                    break
                now = time.perf_counter()
                wait = self.pacer.wait(now) if self.pacer is not None else 0.0
                if now + wait >= self.deadline:
                    self.stop = StopReason.DURATION
                    break
                if wait > 0:
                    await asyncio.sleep(wait)
                    continue
                self.started += 1
                if self.pacer is not None:
                    self.pacer.started(now)
                return now
            return None

    async def worker(self) -> None:
        while (start := await self.claim()) is not None:
            self.in_flight += 1
            self.result.max_in_flight = max(self.result.max_in_flight, self.in_flight)
            try:
                ended = await self.call()
            finally:
                self.in_flight -= 1
            latency = (time.perf_counter() - start) * 1000
            self.result.samples.append(
                Sample(start - self.t0, latency, ended.error, ended.message, ended.seq)
            )
            if ended.error is ErrorKind.CONNECTION:
                self.stop = StopReason.CONNECTION


async def run_load(call: Call, options: LoadOptions, result: LoadResult) -> LoadResult:
    """Run `call` under `options`, filling `result`; never raises for what a call does."""
    return await LoadRun(call, options, result).run()


def ended(outcome: CallOutcome) -> Ended:
    seq = outcome.response_seq or outcome.request_seq
    error = outcome.error
    if error is None:
        result = outcome.result or {}
        if result.get("isError") is True:
            return Ended(ErrorKind.TOOL, _tool_message(result), seq)
        return Ended(seq=seq)
    if isinstance(error, JsonRpcError):
        return Ended(ErrorKind.JSONRPC, _short(f"{error.code} {error.message}"), seq)
    if isinstance(error, RequestTimeout):
        return Ended(ErrorKind.TIMEOUT, _short(str(error)), seq)
    if isinstance(error, HttpStatusError):
        return Ended(ErrorKind.HTTP, f"HTTP {error.status}", seq)
    if isinstance(error, TransportClosed):
        return Ended(ErrorKind.CONNECTION, _short(str(error)), seq)
    return Ended(ErrorKind.OTHER, _short(str(error)), seq)


def _tool_message(result: dict[str, Any]) -> str:
    content = result.get("content")
    blocks = content if isinstance(content, list) else []
    texts = [b["text"] for b in blocks if isinstance(b, dict) and isinstance(b.get("text"), str)]
    return _short(texts[0]) if texts else "isError: true"


def _short(text: str) -> str:
    line = " ".join(text.split())
    return line if len(line) <= MAX_MESSAGE else f"{line[: MAX_MESSAGE - 1]}…"


def session_call(session: LiveSession, options: LoadOptions) -> Call:
    params = {"name": options.tool, "arguments": options.arguments}

    async def call() -> Ended:
        return ended(await session.call("tools/call", params, call_key=uuid.uuid4().hex))

    return call


async def load_session(session: LiveSession, options: LoadOptions) -> LoadResult:
    """Load-test through `session`, connected: the tool must be in its list."""
    spec = session.spec
    result = _result(spec, options)
    missing = await _why_missing(session, options.tool)
    if missing is not None:
        result.tool_missing = missing
        return result
    session.log.max_events = MAX_EVENTS_KEPT
    return await run_load(session_call(session, options), options, result)


async def load_test(spec: ConnectionSpec, options: LoadOptions) -> LoadResult:
    """Connect to the server `spec` describes, run the load test, close."""
    session = LiveSession(spec)
    try:
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(spec.connect_timeout + CLOSE_SECONDS):
                await session.start()
        if session.status is not SessionStatus.CONNECTED:
            result = _result(spec, options)
            error = session.error
            result.connect_error = {
                "layer": error.layer.value if error is not None else "timeout",
                "status": error.status if error is not None else None,
                "message": error.message
                if error is not None
                else f"No connection within {spec.connect_timeout:g} s.",
            }
            return result
        return await load_session(session, options)
    finally:
        with contextlib.suppress(Exception):
            async with asyncio.timeout(CLOSE_SECONDS):
                await session.close()


def _result(spec: ConnectionSpec, options: LoadOptions) -> LoadResult:
    return LoadResult(
        target=spec.target,
        transport=spec.transport.value,
        tool=options.tool,
        concurrency=options.concurrency,
        duration_s=options.duration,
        request_limit=options.requests,
        rate=options.rate,
    )


async def _why_missing(session: LiveSession, name: str) -> str | None:
    """Why the tool cannot be loaded (not listed, or the list failed); None: it is listed."""
    cursor: str | None = None
    for _ in range(MAX_TOOL_PAGES):
        params = {"cursor": cursor} if cursor else None
        outcome = await session.call("tools/list", params, call_key=uuid.uuid4().hex)
        if outcome.error is not None:
            return _short(f"tools/list failed: {outcome.error}")
        page = outcome.result or {}
        tools = page.get("tools")
        if isinstance(tools, list) and any(
            isinstance(tool, dict) and tool.get("name") == name for tool in tools
        ):
            return None
        cursor = page.get("nextCursor")
        if not isinstance(cursor, str) or not cursor:
            return f"the server lists no tool {name}"
    return f"the server lists no tool {name} in {MAX_TOOL_PAGES} pages of tools/list"
