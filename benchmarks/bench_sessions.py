"""How many live sessions one inspector process holds: memory per session, and a tool
call's latency through any of them.

    python benchmarks/bench_sessions.py [--sessions 200] [--calls 200] [--json out.json]

One process, the real one: sessions are opened through the services (as the connect form
does), each with a page's websocket connected to its session stream through the real ASGI
application and consumer (Channels' WebsocketCommunicator, in this process), on a fresh
SQLite database. Each session runs `tests/servers/raw_modern_stdio.py`, a light stdio
server written without any MCP library, so that the servers' memory (separate processes,
not counted) stays small enough to start hundreds.

Reported: this process's RSS before and after opening the sessions, divided by their
number (the server processes are other processes, so they are excluded), and the Python
allocations per session under tracemalloc (a second, smaller batch); then `tools/call`
through random sessions (p50, p95), against the same call by a bare client (no session,
no store, no page) on the same kind of server: the difference is what the inspector adds.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import sys
import time
import tracemalloc
from pathlib import Path
from typing import Any

from bench_session import bare_client, percentile, rss_kib  # this folder: the scripts run from it
from django_db import fresh_database

from inspector.sessions.spec import ConnectionSpec, TransportKind

REPO_ROOT = Path(__file__).resolve().parent.parent
SERVER = ("-m", "tests.servers.raw_modern_stdio")
TOOL, ARGUMENTS = "ask", dict[str, Any]()  # the fixture's one tool; it answers with a text
CALL = {"name": TOOL, "arguments": ARGUMENTS}
WARM_SESSIONS = 3  # loads every module and fills every cache before the baseline


def spec() -> ConnectionSpec:
    return ConnectionSpec(
        TransportKind.STDIO, command=sys.executable, args=SERVER, cwd=str(REPO_ROOT)
    )


async def open_page(session_id: str, last_seq: int) -> Any:
    from channels.testing import WebsocketCommunicator
    from django.conf import settings

    from inspector.asgi import application

    headers = [
        (b"host", b"127.0.0.1"),
        (b"origin", b"http://127.0.0.1"),
        (b"cookie", f"{settings.INSPECTOR_TOKEN_COOKIE}={settings.INSPECTOR_TOKEN}".encode()),
    ]
    page = WebsocketCommunicator(application, f"/ws/sessions/{session_id}/?after=0", headers)
    connected, _ = await page.connect(timeout=60)
    if not connected:
        raise SystemExit(f"the page of session {session_id} could not connect")
    seen = 0
    while seen < last_seq:  # the replay of what the session holds
        seen = json.loads(await page.receive_from(timeout=30))["last_seq"]
    return page


async def open_sessions(count: int) -> list[tuple[str, Any]]:
    from inspector import services

    opened = []
    for _ in range(count):
        snapshot = await services.session_connect(spec=spec())
        if not snapshot.status.is_active:
            raise SystemExit(f"a session did not connect: {snapshot.status}")
        opened.append((snapshot.id, await open_page(snapshot.id, snapshot.last_seq)))
    return opened


async def drain(pages: list[Any]) -> None:
    """Read what the pages were pushed, as a browser would."""
    for page in pages:
        while not await page.receive_nothing(timeout=0):
            await page.receive_from()


async def through_sessions(ids: list[str], calls: int) -> list[float]:
    from inspector import services

    seconds = []
    for index in range(calls):
        session_id = random.choice(ids)
        started = time.perf_counter()
        outcome = await services.tool_call(
            session_id=session_id, name=TOOL, arguments=ARGUMENTS, call_key=f"b{index}"
        )
        seconds.append(time.perf_counter() - started)
        if outcome.error is not None:
            raise SystemExit(f"the call failed: {outcome.error}")
    return seconds


async def through_bare_client(calls: int) -> list[float]:
    client = bare_client(spec())
    await client.connect()
    seconds = []
    try:
        for _ in range(calls):
            started = time.perf_counter()
            await client.request("tools/call", CALL)
            seconds.append(time.perf_counter() - started)
    finally:
        await client.close()
    return seconds


def summary(seconds: list[float]) -> dict[str, float]:
    return {
        "p50_ms": statistics.median(seconds) * 1000,
        "p95_ms": percentile(seconds, 0.95) * 1000,
        "mean_ms": statistics.fmean(seconds) * 1000,
    }


async def run(args: argparse.Namespace) -> dict[str, Any]:
    from inspector import services

    warm = await open_sessions(WARM_SESSIONS)
    await through_sessions([session_id for session_id, _ in warm], 10)
    before = rss_kib()["VmRSS"]
    started = time.perf_counter()
    held = await open_sessions(args.sessions)
    opening = time.perf_counter() - started
    await asyncio.sleep(1)  # let the sessions' storage settle
    await drain([page for _, page in held])
    after = rss_kib()["VmRSS"]
    ids = [session_id for session_id, _ in held]

    bare = await through_bare_client(args.calls)
    live = await through_sessions(ids, args.calls)
    await drain([page for _, page in held])

    tracemalloc.start()
    traced_before = tracemalloc.get_traced_memory()[0]
    extra = await open_sessions(args.traced)
    await drain([page for _, page in extra])
    traced_after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()

    for _, page in [*warm, *held, *extra]:
        await page.disconnect()
    await services.session_close_all()
    per_session = (after - before) / args.sessions
    return {
        "sessions": args.sessions,
        "opening_seconds": opening,
        "rss_before_kib": before,
        "rss_after_kib": after,
        "rss_per_session_kib": per_session,
        "traced_sessions": args.traced,
        "traced_per_session_kib": (traced_after - traced_before) / 1024 / args.traced,
        "calls": args.calls,
        "through_sessions": summary(live),
        "bare_client": summary(bare),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=200, help="live sessions held")
    parser.add_argument("--calls", type=int, default=200, help="timed calls per mode")
    parser.add_argument("--traced", type=int, default=20, help="sessions under tracemalloc")
    parser.add_argument("--json", type=Path, help="also write the numbers to this file")
    args = parser.parse_args()
    with fresh_database():
        # What the web process loads first (it prepares the process to serve: see
        # `inspector.serving`), before any session or page is measured.
        import inspector.asgi  # noqa: F401

        report = asyncio.run(run(args))
    live, bare = report["through_sessions"], report["bare_client"]
    print(
        f"{report['sessions']} live stdio sessions, each with a page's websocket, opened in "
        f"{report['opening_seconds']:.1f} s"
    )
    print(
        f"  RSS {report['rss_before_kib'] / 1024:.1f} MB -> {report['rss_after_kib'] / 1024:.1f}"
        f" MB: {report['rss_per_session_kib'] / 1024:.2f} MB per session (target < 2 MB)"
    )
    print(
        f"  tracemalloc: {report['traced_per_session_kib'] / 1024:.2f} MB per session "
        f"({report['traced_sessions']} sessions)"
    )
    print(f"tools/call, {report['calls']} calls each:")
    for label, numbers in (("through random sessions", live), ("bare client", bare)):
        print(
            f"  {label:24} p50 {numbers['p50_ms']:7.2f} ms  p95 {numbers['p95_ms']:7.2f} ms"
            f"  mean {numbers['mean_ms']:7.2f} ms"
        )
    print(
        f"  added by the inspector: p50 +{live['p50_ms'] - bare['p50_ms']:.2f} ms, "
        f"p95 +{live['p95_ms'] - bare['p95_ms']:.2f} ms (target p95 < 50 ms)"
    )
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
