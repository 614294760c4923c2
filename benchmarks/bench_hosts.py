"""A tool call's round trip through the channel layer to a session host, against the same
call in a single process.

    DATABASE_URL=postgres://... REDIS_URL=redis://... \\
        python benchmarks/bench_hosts.py [--sessions 200] [--seconds 10] [--json out.json]

Two runs, each in a process of its own (settings are per process), on a new PostgreSQL
database and the Redis server REDIS_URL names, in hosted mode:
- "through hosts": this process is a web process (INSPECTOR_SESSION_HOSTS=remote); two
  `manage.py sessionhost` processes hold the sessions (new sessions go to the least busy,
  so they split evenly); every call goes through the forwarding seam (`services.tool_call`
  as a view calls it), over Redis and back;
- "single process": the same process holds the sessions (as before session hosts).
Each session's server is `tests/servers/raw_modern_stdio.py` (light, no MCP library).
Every session calls its tool once a second, the sessions spread evenly over the second,
for `--seconds`; reported: p50, p95 and p99 of the round trip, the calls made, and the
machine's load average (the machine may be shared).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench_session import percentile  # this folder: the scripts run from it
from cryptography.fernet import Fernet
from django_db import fresh_database

REPO_ROOT = Path(__file__).resolve().parent.parent
SERVER = ("-m", "tests.servers.raw_modern_stdio")
TOOL = "ask"  # the fixture's one tool; it answers with a text
HOSTS = ("bench-host-1", "bench-host-2")
READY_SECONDS = 120.0


def hosted_environment(session_hosts: str) -> dict[str, str]:
    return {
        "INSPECTOR_MODE": "hosted",
        "INSPECTOR_SESSION_HOSTS": session_hosts,
        "INSPECTOR_ALLOWED_HOSTS": "127.0.0.1",
        "INSPECTOR_SECRET_KEY": secrets.token_urlsafe(50),
        "INSPECTOR_ENCRYPTION_KEY": Fernet.generate_key().decode(),
        "INSPECTOR_STDIO_ALLOWLIST": sys.executable,
        "PYTHONPATH": str(REPO_ROOT),
    }


def start_hosts(log_dir: Path) -> list[subprocess.Popen[bytes]]:
    hosts, logs = [], []
    for name in HOSTS:
        log_path = log_dir / f"{name}.log"
        logs.append(log_path)
        with log_path.open("wb") as log:
            hosts.append(
                subprocess.Popen(
                    [sys.executable, "manage.py", "sessionhost", "--name", name],
                    cwd=REPO_ROOT,
                    env=dict(os.environ),
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            )
    deadline = time.monotonic() + READY_SECONDS
    for host, log_path in zip(hosts, logs, strict=True):
        while b"is ready" not in log_path.read_bytes():
            if host.poll() is not None or time.monotonic() > deadline:
                stop(hosts)
                raise SystemExit(f"a session host did not start:\n{log_path.read_text()}")
            time.sleep(0.1)
    return hosts


def stop(hosts: list[subprocess.Popen[bytes]]) -> None:
    for host in hosts:
        host.terminate()
    for host in hosts:
        try:
            host.wait(timeout=60)
        except subprocess.TimeoutExpired:
            host.kill()


async def calls(count: int, seconds: float) -> dict[str, Any]:
    from inspector import services
    from inspector.sessions.spec import ConnectionSpec, TransportKind

    spec = ConnectionSpec(
        TransportKind.STDIO, command=sys.executable, args=SERVER, cwd=str(REPO_ROOT)
    )
    ids = []
    for _ in range(count):
        snapshot = await services.session_connect(spec=spec)
        if not snapshot.connected:
            raise SystemExit(f"a session did not connect: {snapshot.error}")
        ids.append(snapshot.id)
    # Listed once, as the tools panel does before a call.
    for session_id in ids:
        await services.listing_page(
            session_id=session_id, listing=services.Listing.TOOLS, cursor=None, call_key="list"
        )
    samples: list[float] = []

    async def one_session(index: int, session_id: str) -> None:
        await asyncio.sleep(index / count)  # the sessions spread over the second
        deadline = time.monotonic() + seconds
        tick = 0
        while time.monotonic() < deadline:
            started = time.perf_counter()
            outcome = await services.tool_call(
                session_id=session_id, name=TOOL, arguments={}, call_key=f"c{index}-{tick}"
            )
            samples.append(time.perf_counter() - started)
            if outcome.error is not None:
                raise SystemExit(f"a call failed: {outcome.error}")
            tick += 1
            await asyncio.sleep(max(0.0, 1.0 - (time.perf_counter() - started)))

    await asyncio.gather(*(one_session(n, session_id) for n, session_id in enumerate(ids)))
    for session_id in ids:
        await services.session_disconnect(session_id=session_id)
    return {
        "calls": len(samples),
        "p50_ms": percentile(samples, 0.50) * 1000,
        "p95_ms": percentile(samples, 0.95) * 1000,
        "p99_ms": percentile(samples, 0.99) * 1000,
    }


def phase(session_hosts: str, count: int, seconds: float) -> dict[str, Any]:
    """One run, in this process."""
    os.environ.update(hosted_environment(session_hosts))
    with fresh_database(os.environ["DATABASE_URL"]) as data_dir:
        hosts = start_hosts(data_dir) if session_hosts == "remote" else []
        try:
            figures = asyncio.run(calls(count, seconds))
            if hosts:
                figures["per_host"] = sessions_per_host()
            return figures
        finally:
            stop(hosts)


def sessions_per_host() -> dict[str, int]:
    from django.db.models import Count

    from inspector.models import SessionHost

    return {
        host.name: host.held
        for host in SessionHost.objects.annotate(held=Count("sessions")).order_by("name")
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--phase", choices=["remote", "here"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if not (os.environ.get("DATABASE_URL") and os.environ.get("REDIS_URL")):
        raise SystemExit("needs DATABASE_URL (PostgreSQL) and REDIS_URL (Redis)")
    if args.phase:
        print(json.dumps(phase(args.phase, args.sessions, args.seconds)))
        return 0
    results = {}
    for name, mode in (("through hosts", "remote"), ("single process", "here")):
        done = subprocess.run(
            [
                sys.executable,
                __file__,
                "--phase",
                mode,
                "--sessions",
                str(args.sessions),
                "--seconds",
                str(args.seconds),
            ],
            cwd=Path(__file__).parent,
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            raise SystemExit(f"{name} failed:\n{done.stdout}\n{done.stderr}")
        results[name] = json.loads(done.stdout.strip().splitlines()[-1])
    load = os.getloadavg()
    print(f"{args.sessions} sessions, one tools/call per session per second, {args.seconds:g} s")
    print(f"{'':16} {'calls':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}")
    for name, figures in results.items():
        print(
            f"{name:16} {figures['calls']:>7} {figures['p50_ms']:>8.1f} "
            f"{figures['p95_ms']:>8.1f} {figures['p99_ms']:>8.1f}"
        )
    if "per_host" in results["through hosts"]:
        print(f"sessions per host: {results['through hosts']['per_host']}")
    print(f"load average (1, 5, 15 min): {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    if args.json:
        args.json.write_text(json.dumps({**results, "load_average": load}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
