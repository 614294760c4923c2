"""Benchmarks of the session layer, against real stdio servers.

    python benchmarks/bench_session.py [--calls 300] [--warmup 30] [--flood 50000]
                                       [--no-judge] [--json results.json]

(a) Overhead of a tool call through a live session (event log, batched storage in SQLite
    through the Django ORM, the pump) against the same call by a bare `McpClient` whose
    `on_event` does nothing. Both talk to their own `tests.servers.everything_py` process;
    the modes alternate in small rounds so that drift in the machine's load hits both.

(b) Ingestion of a notification flood: `tests.servers.broken_stdio flood=N` answers one
    `tools/call` with N `notifications/message` and then the result. Reported: how fast the
    session reads them (until the result) and stores them (until the log is saved), the
    event loop's worst lag meanwhile, memory, the in-memory window, and that every event
    reached the database. `--no-judge` runs it with the message checks off, to measure
    what checking every message against the negotiated version costs.

Run from the repository root; it needs nothing but the installed project and its test
extras. It is a script, not a test: numbers vary with the machine, so ratios matter.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import statistics
import sys
import time
import tracemalloc
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from django_db import fresh_database  # this folder: the scripts run from it

# The session layer and the protocol core know nothing of Django; the store and the models
# are imported once Django is set up.
from inspector.mcp.client.client import McpClient
from inspector.mcp.client.types import ClientConfig
from inspector.mcp.eras.auto import lifecycle_for
from inspector.mcp.trace import TraceEvent
from inspector.mcp.versions import EraChoice
from inspector.sessions.log import EventLog
from inspector.sessions.session import LiveSession
from inspector.sessions.spec import ConnectionSpec, TransportKind
from inspector.sessions.status import SessionStatus

REPO_ROOT = Path(__file__).resolve().parent.parent
ADD_CALL = {"name": "add", "arguments": {"a": 2, "b": 3}}
LAG_TICK_SECONDS = 0.005


# -- set-up ------------------------------------------------------------------------------


def server_spec(module: str, *args: str, era: EraChoice = EraChoice.LEGACY) -> ConnectionSpec:
    return ConnectionSpec(
        TransportKind.STDIO,
        command=sys.executable,
        args=("-m", module, *args),
        cwd=str(REPO_ROOT),
        era=era,
        request_timeout=600,
        max_total_timeout=3600,
    )


async def ignore_notice(session_id: str, last_seq: int) -> None:
    """A watcher that does nothing (there is no page to tell)."""


def ignore_event(event: TraceEvent) -> None:
    """The bare client's `on_event`."""


class UnjudgedSession(LiveSession):
    """A live session whose client checks no message (for the cost of checking)."""

    def client_config(self) -> ClientConfig:
        config = super().client_config()
        config.judge = False
        return config


def bare_client(spec: ConnectionSpec, *, judge: bool = True) -> McpClient:
    """A client of the protocol core alone: no session, no log, no store."""
    transport, config = spec.build_transport(), spec.client_config()
    config.judge = judge
    return McpClient(
        transport,
        config,
        on_event=ignore_event,
        lifecycle=lifecycle_for(config.era, transport.kind),
    )


def rss_kib() -> dict[str, int]:
    """VmRSS and VmHWM (peak RSS) of this process, in KiB."""
    values: dict[str, int] = {}
    with open("/proc/self/status") as status:
        for line in status:
            name, _, rest = line.partition(":")
            if name in ("VmRSS", "VmHWM"):
                values[name] = int(rest.split()[0])
    return values


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


# -- (a) tool-call overhead --------------------------------------------------------------


@dataclass
class LatencyStats:
    calls: int
    median_us: float
    p95_us: float
    mean_us: float
    min_us: float

    @classmethod
    def of(cls, samples_ns: list[int]) -> LatencyStats:
        micro = [sample / 1000 for sample in samples_ns]
        return cls(
            calls=len(micro),
            median_us=statistics.median(micro),
            p95_us=percentile(micro, 0.95),
            mean_us=statistics.fmean(micro),
            min_us=min(micro),
        )


@dataclass
class OverheadResult:
    bare: LatencyStats
    session: LatencyStats
    median_ratio: float
    p95_ratio: float
    median_added_us: float
    p95_added_us: float
    events_logged: int
    events_stored: int


async def timed_calls(call: Callable[[], Awaitable[Any]], count: int) -> list[int]:
    samples = []
    for _ in range(count):
        start = time.perf_counter_ns()
        await call()
        samples.append(time.perf_counter_ns() - start)
    return samples


async def bench_overhead(
    calls: int, warmup: int, round_size: int, era: EraChoice
) -> OverheadResult:
    from inspector.models import EventRecord
    from inspector.storage.events import DatabaseEventStore

    # The fixture speaks both eras: both sides speak the one asked for.
    spec = server_spec("tests.servers.everything_py", era=era)
    bare = bare_client(spec)
    session = LiveSession(spec, store=DatabaseEventStore(), watchers=[ignore_notice])
    await bare.connect()
    await session.start()
    if session.status is not SessionStatus.CONNECTED:
        raise RuntimeError(f"The session did not connect: {session.error}")

    async def bare_call() -> Any:
        return await bare.request("tools/call", ADD_CALL)

    async def session_call() -> Any:
        return await session.request("tools/call", ADD_CALL)

    try:
        for _ in range(warmup):
            await bare_call()
            await session_call()
        bare_ns: list[int] = []
        session_ns: list[int] = []
        first = 0
        while len(bare_ns) < calls:
            size = min(round_size, calls - len(bare_ns))
            # Alternate which mode goes first, so neither always follows the other.
            if first == 0:
                bare_ns += await timed_calls(bare_call, size)
                session_ns += await timed_calls(session_call, size)
            else:
                session_ns += await timed_calls(session_call, size)
                bare_ns += await timed_calls(bare_call, size)
            first ^= 1
        await session.log.flush()
        logged = session.log.last_seq
        stored = await EventRecord.objects.filter(session_id=session.id).acount()
    finally:
        await bare.close()
        await session.close()

    bare_stats, session_stats = LatencyStats.of(bare_ns), LatencyStats.of(session_ns)
    return OverheadResult(
        bare=bare_stats,
        session=session_stats,
        median_ratio=session_stats.median_us / bare_stats.median_us,
        p95_ratio=session_stats.p95_us / bare_stats.p95_us,
        median_added_us=session_stats.median_us - bare_stats.median_us,
        p95_added_us=session_stats.p95_us - bare_stats.p95_us,
        events_logged=logged,
        events_stored=stored,
    )


# -- (b) notification flood --------------------------------------------------------------


class LagProbe:
    """Measures how late the event loop wakes a task that sleeps a few milliseconds, and
    samples the session log's memory window meanwhile."""

    def __init__(self, log: EventLog | None = None) -> None:
        self.log = log
        self.max_lag_ms = 0.0
        self.max_window = 0
        self.max_unsaved = 0
        self._task: asyncio.Task[None] | None = None

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            before = loop.time()
            await asyncio.sleep(LAG_TICK_SECONDS)
            lag = (loop.time() - before - LAG_TICK_SECONDS) * 1000
            self.max_lag_ms = max(self.max_lag_ms, lag)
            self.sample()

    def sample(self) -> None:
        if self.log is None:
            return
        window = self.log.last_seq - self.log.window_start() + 1
        self.max_window = max(self.max_window, window)
        self.max_unsaved = max(self.max_unsaved, self.log.unsaved_count)

    def __enter__(self) -> LagProbe:
        self._task = asyncio.get_running_loop().create_task(self._run())
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._task is not None
        self._task.cancel()


@dataclass
class FloodRun:
    notifications: int
    seconds_to_result: float
    seconds_to_stored: float
    # CPU time of this process (every thread) until the result: what checking costs,
    # hardly moved by other work on the machine, unlike the wall-clock time.
    cpu_seconds_to_result: float
    read_per_second: float
    stored_per_second: float
    max_loop_lag_ms: float
    last_seq: int
    stored_rows: int
    stored_notifications: int
    lost: int
    duplicates: int
    window_max_events: int
    window_max_seen: int
    window_after: int
    unsaved_max_seen: int
    rss_before_kib: int
    rss_after_kib: int
    peak_rss_kib: int
    tracemalloc_peak_kib: int | None = None


@dataclass
class FloodResult:
    session: FloodRun
    traced: FloodRun | None
    bare_read_per_second: float
    bare_seconds_to_result: float
    bare_cpu_seconds_to_result: float
    bare_max_loop_lag_ms: float
    notes: list[str] = field(default_factory=list)


async def flood_through_session(count: int, *, trace_memory: bool, judge: bool) -> FloodRun:
    from inspector.models import EventRecord
    from inspector.storage.events import DatabaseEventStore

    spec = server_spec("tests.servers.broken_stdio", f"flood={count}")
    kind = LiveSession if judge else UnjudgedSession
    session = kind(spec, store=DatabaseEventStore(), watchers=[ignore_notice])
    await session.start()
    if session.status is not SessionStatus.CONNECTED:
        raise RuntimeError(f"The flood server did not connect: {session.error}")
    log = session.log
    try:
        await log.flush()
        rss_before = rss_kib()["VmRSS"]
        if trace_memory:
            tracemalloc.start()
        with LagProbe(log) as probe:
            start, cpu_start = time.perf_counter(), time.process_time()
            await session.request("tools/call", {"name": "flood", "arguments": {}})
            to_result = time.perf_counter() - start
            cpu_to_result = time.process_time() - cpu_start
            probe.sample()
            while log.saved_seq < log.last_seq:
                await log.flush()
            to_stored = time.perf_counter() - start
        traced_peak = None
        if trace_memory:
            traced_peak = tracemalloc.get_traced_memory()[1] // 1024
            tracemalloc.stop()
        memory = rss_kib()
        rows = EventRecord.objects.filter(session_id=session.id)
        stored_rows = await rows.acount()
        stored_notifications = await rows.filter(method="notifications/message").acount()
        distinct_seqs = await rows.values("seq").distinct().acount()
        last_seq = log.last_seq
        window_after = log.last_seq - log.window_start() + 1
    finally:
        await session.close()
    return FloodRun(
        notifications=count,
        seconds_to_result=to_result,
        seconds_to_stored=to_stored,
        cpu_seconds_to_result=cpu_to_result,
        read_per_second=count / to_result,
        stored_per_second=count / to_stored,
        max_loop_lag_ms=probe.max_lag_ms,
        last_seq=last_seq,
        stored_rows=stored_rows,
        stored_notifications=stored_notifications,
        lost=last_seq - stored_rows,
        duplicates=stored_rows - distinct_seqs,
        window_max_events=log.max_events,
        window_max_seen=probe.max_window,
        window_after=window_after,
        unsaved_max_seen=probe.max_unsaved,
        rss_before_kib=rss_before,
        rss_after_kib=memory["VmRSS"],
        peak_rss_kib=memory["VmHWM"],
        tracemalloc_peak_kib=traced_peak,
    )


async def flood_through_bare_client(count: int, *, judge: bool) -> tuple[float, float, float]:
    """Seconds until the result (wall clock, then CPU), and the worst event-loop lag."""
    spec = server_spec("tests.servers.broken_stdio", f"flood={count}")
    client = bare_client(spec, judge=judge)
    await client.connect()
    try:
        with LagProbe() as probe:
            start, cpu_start = time.perf_counter(), time.process_time()
            await client.request("tools/call", {"name": "flood", "arguments": {}})
            wall, cpu = time.perf_counter() - start, time.process_time() - cpu_start
            return wall, cpu, probe.max_lag_ms
    finally:
        await client.close()


async def bench_flood(count: int, trace_memory: bool, *, judge: bool = True) -> FloodResult:
    bare_seconds, bare_cpu, bare_lag = await flood_through_bare_client(count, judge=judge)
    session = await flood_through_session(count, trace_memory=False, judge=judge)
    traced = (
        await flood_through_session(count, trace_memory=True, judge=judge) if trace_memory else None
    )
    notes = []
    if session.lost or (traced and traced.lost):
        notes.append("EVENTS WERE LOST: stored rows do not match the log's last seq.")
    if session.duplicates or (traced and traced.duplicates):
        notes.append("EVENTS WERE STORED TWICE: some seq has several rows.")
    if session.stored_notifications != count:
        notes.append(f"Stored {session.stored_notifications} notifications of {count} sent.")
    if session.window_max_seen > session.window_max_events:
        notes.append(
            f"The in-memory window reached {session.window_max_seen} events (bound "
            f"{session.window_max_events}): unstored events stay in memory until the store "
            "catches up, so memory during a flood grows with the storage backlog."
        )
    if session.window_after > session.window_max_events:
        notes.append("The in-memory window is above its bound after everything was stored.")
    return FloodResult(
        session=session,
        traced=traced,
        bare_read_per_second=count / bare_seconds,
        bare_seconds_to_result=bare_seconds,
        bare_cpu_seconds_to_result=bare_cpu,
        bare_max_loop_lag_ms=bare_lag,
        notes=notes,
    )


# -- report ------------------------------------------------------------------------------


def report_overhead(result: OverheadResult) -> list[str]:
    lines = [
        "(a) tools/call `add`, bare McpClient vs LiveSession with the SQLite store",
        f"    {'mode':<8} {'calls':>6} {'median µs':>10} {'p95 µs':>10} {'mean µs':>10} "
        f"{'min µs':>10}",
    ]
    for name, stats in (("bare", result.bare), ("session", result.session)):
        lines.append(
            f"    {name:<8} {stats.calls:>6} {stats.median_us:>10.1f} {stats.p95_us:>10.1f} "
            f"{stats.mean_us:>10.1f} {stats.min_us:>10.1f}"
        )
    lines += [
        f"    session/bare: median x{result.median_ratio:.3f} "
        f"({result.median_added_us:+.1f} µs), p95 x{result.p95_ratio:.3f} "
        f"({result.p95_added_us:+.1f} µs)",
        f"    session events logged {result.events_logged}, stored {result.events_stored}",
    ]
    return lines


def report_flood(result: FloodResult) -> list[str]:
    run = result.session
    lines = [
        f"(b) flood of {run.notifications} notifications/message before one result",
        f"    bare client:  result after {result.bare_seconds_to_result:.3f} s "
        f"({result.bare_read_per_second:,.0f} msg/s read; CPU "
        f"{result.bare_cpu_seconds_to_result:.3f} s), "
        f"worst event-loop lag {result.bare_max_loop_lag_ms:.1f} ms",
        f"    session:      result after {run.seconds_to_result:.3f} s "
        f"({run.read_per_second:,.0f} msg/s read, "
        f"x{result.bare_read_per_second / run.read_per_second:.2f} the bare client's time; "
        f"CPU {run.cpu_seconds_to_result:.3f} s)",
        f"                  all stored after {run.seconds_to_stored:.3f} s "
        f"({run.stored_per_second:,.0f} msg/s stored)",
        f"                  worst event-loop lag {run.max_loop_lag_ms:.1f} ms",
        f"    events: last seq {run.last_seq}, rows stored {run.stored_rows}, "
        f"notifications stored {run.stored_notifications}, lost {run.lost}, "
        f"stored twice {run.duplicates}",
        f"    window: bound {run.window_max_events} events; largest seen {run.window_max_seen} "
        f"(unsaved at most {run.unsaved_max_seen}); after storing {run.window_after}",
        f"    RSS: {run.rss_before_kib / 1024:.1f} MiB before, {run.rss_after_kib / 1024:.1f} MiB "
        f"after, process peak {run.peak_rss_kib / 1024:.1f} MiB",
    ]
    if result.traced is not None:
        traced = result.traced
        lines.append(
            f"    tracemalloc (separate run, slower): peak {traced.tracemalloc_peak_kib or 0:,} KiB"
            f" allocated during the flood; lost {traced.lost}; "
            f"largest window {traced.window_max_seen}"
        )
    lines += [f"    NOTE: {note}" for note in result.notes]
    return lines


def environment() -> dict[str, str]:
    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": str(os.cpu_count()),
        # Other work on the machine slows the wall-clock rates; CPU times hardly move.
        "load_average_1min": f"{os.getloadavg()[0]:.2f}",
    }


# -- main --------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=300, help="timed calls per mode")
    parser.add_argument("--warmup", type=int, default=30, help="untimed calls per mode first")
    parser.add_argument("--round", type=int, default=10, help="calls per mode per round")
    parser.add_argument(
        "--era",
        choices=[EraChoice.LEGACY.value, EraChoice.MODERN.value],
        default=EraChoice.LEGACY.value,
        help="the protocol era of the tool-call overhead run",
    )
    parser.add_argument("--flood", type=int, default=50_000, help="notifications in the flood")
    parser.add_argument(
        "--no-tracemalloc", action="store_true", help="skip the second, traced flood run"
    )
    parser.add_argument("--no-judge", action="store_true", help="flood with the message checks off")
    parser.add_argument("--skip-overhead", action="store_true")
    parser.add_argument("--skip-flood", action="store_true")
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write results as JSON")
    parser.add_argument(
        "--database-url",
        metavar="URL",
        help="store in a fresh database on this PostgreSQL server (default: a SQLite file)",
    )
    return parser.parse_args(argv)


async def run(args: argparse.Namespace) -> dict[str, Any]:
    from django.db import connection

    results: dict[str, Any] = {"environment": environment(), "database": connection.vendor}
    print(f"(events stored in {connection.vendor})")
    if not args.skip_overhead:
        era = EraChoice(args.era)
        overhead = await bench_overhead(args.calls, args.warmup, args.round, era)
        print(f"(tool calls in the {era.value} era)")
        print("\n".join(report_overhead(overhead)), flush=True)
        results["overhead"] = asdict(overhead)
    if not args.skip_flood:
        flood = await bench_flood(args.flood, not args.no_tracemalloc, judge=not args.no_judge)
        print(f"(message checks {'off' if args.no_judge else 'on'})")
        print("\n".join(report_flood(flood)), flush=True)
        results["flood"] = asdict(flood)
    return results


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    os.chdir(REPO_ROOT)
    with fresh_database(args.database_url):
        from inspector.serving import prepare_to_serve

        prepare_to_serve()  # as the web process and the session hosts do
        results = asyncio.run(run(args))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")
        print(f"Results written to {args.json}")
    session = results.get("flood", {}).get("session", {})
    return 1 if session.get("lost") or session.get("duplicates") else 0


if __name__ == "__main__":
    sys.exit(main())
