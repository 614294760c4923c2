"""Benchmark of session files: export and import of a long session.

    python benchmarks/bench_archive.py [--events 100000] [--json results.json]

A session of N stored events (a realistic mix: requests, results with content, log
notifications, HTTP exchanges, a finding now and then) is written straight into a fresh
SQLite database, then:

(a) exported through the service the download view streams (`session_export`), written
    to a file chunk by chunk;
(b) imported back from that file (`session_import`), as the upload view and
    `inspector open` do;
(c) its HTTP exchanges exported as HAR.

Reported for each: wall time, events per second, and the peak memory allocated meanwhile
(tracemalloc), which must stay bounded (far below the file's size) since both directions
stream. Run from the repository root.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import time
import tracemalloc
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django_db import fresh_database  # this folder: the scripts run from it

REPO_ROOT = Path(__file__).resolve().parent.parent


def synthetic_event(seq: int) -> dict[str, Any]:
    """The stored form of one event of a busy session (every fifth a request/result pair)."""
    base: dict[str, Any] = {"seq": seq, "timestamp": 1_765_000_000.0 + seq / 1000}
    kind = seq % 5
    if kind == 0:
        message = {"jsonrpc": "2.0", "id": seq, "method": "tools/call",
                   "params": {"name": "add", "arguments": {"a": seq, "b": 2}}}  # fmt: skip
        return {**base, "kind": "message", "direction": "out", "text": json.dumps(message),
                "message_type": "request", "method": "tools/call", "message_id": seq}  # fmt: skip
    if kind == 1:
        content = [{"type": "text", "text": f"The sum is {seq + 1}. " * 8}]
        result = {"jsonrpc": "2.0", "id": seq - 1, "result": {"content": content}}
        data = {**base, "kind": "message", "direction": "in", "text": json.dumps(result),
                "message_type": "result", "method": "tools/call", "message_id": seq - 1,
                "request_seq": seq - 1, "duration_ms": 1.25}  # fmt: skip
        if seq % 100 == 1:
            data["findings"] = [{"rule": "content.base64", "message": "Not base64.",
                                 "severity": "error", "path": "$.result.content[0]"}]  # fmt: skip
        return data
    if kind == 4:
        return {**base, "kind": "http", "direction": "out", "text": "POST /mcp → 200",
                "detail": {"method": "POST", "url": "http://127.0.0.1/mcp", "status": 200,
                           "request_headers": {"Content-Type": "application/json"},
                           "response_headers": {"content-type": "application/json"},
                           "duration_ms": 1.1, "content_type": "application/json"}}  # fmt: skip
    log = {"jsonrpc": "2.0", "method": "notifications/message",
           "params": {"level": "info", "logger": "bench", "data": f"step {seq}"}}  # fmt: skip
    return {**base, "kind": "message", "direction": "in", "text": json.dumps(log),
            "message_type": "notification", "method": "notifications/message"}  # fmt: skip


def seed(count: int) -> str:
    from django.db import connection, transaction

    from inspector.models import SessionRecord
    from inspector.storage.events import insert_sql, stored_row

    session_id = uuid.uuid4().hex
    SessionRecord.objects.create(
        id=session_id, created_at=datetime.now(UTC), transport="stdio", target="bench",
        spec={}, status="closed",
        server={"server_info": {"name": "bench"}, "capabilities": {}},
    )  # fmt: skip
    # The rows a session would have stored: the store's own row for each event.
    with transaction.atomic(), connection.cursor() as cursor:
        for start in range(1, count + 1, 5000):
            seqs = range(start, min(count, start + 4999) + 1)
            cursor.executemany(
                insert_sql(), [stored_row(session_id, synthetic_event(seq)) for seq in seqs]
            )
    return session_id


async def write_out(chunks: AsyncIterator[bytes], path: Path) -> int:
    size = 0
    with path.open("wb") as out:
        async for chunk in chunks:
            out.write(chunk)
            size += len(chunk)
    return size


def measured(label: str, count: int, started: float, size: int | None = None) -> dict[str, Any]:
    seconds = time.perf_counter() - started
    figures: dict[str, Any] = {
        "seconds": round(seconds, 3),
        "events_per_second": round(count / seconds),
    }
    if tracemalloc.is_tracing():
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        figures = {"peak_allocated_mib": round(peak / 2**20, 1)}  # timed in the first pass
    if size is not None:
        figures["file_mib"] = round(size / 2**20, 1)
    shown = ", ".join(f"{key} {value:,}" for key, value in figures.items())
    print(f"  {label}: {shown}", flush=True)
    return figures


async def one_pass(session_id: str, count: int, workdir: Path) -> dict[str, Any]:
    from inspector import services

    results: dict[str, Any] = {}
    exported = workdir / "session.jsonl"
    started = time.perf_counter()
    made = await services.session_export(session_id=session_id)
    size = await write_out(made.chunks, exported)
    results["export"] = measured("(a) export", count, started, size)

    started = time.perf_counter()
    with exported.open("rb") as lines:
        imported = await services.session_import(
            lines=lines, filename="session.jsonl", owner_id=None
        )
    results["import"] = measured("(b) import", count, started)
    if imported.last_seq != count:
        raise SystemExit(f"the import holds {imported.last_seq} events, not {count}")

    started = time.perf_counter()
    har = await services.session_har(session_id=session_id)
    har_size = await write_out(har.chunks, workdir / "session.har")
    results["har"] = measured("(c) HAR", count, started, har_size)
    return results


async def run(count: int, workdir: Path, *, trace_memory: bool) -> dict[str, Any]:
    from inspector.storage.db import in_db_thread

    print(f"seeding {count:,} events...", flush=True)
    session_id = await in_db_thread(seed)(count)
    print("timed:", flush=True)
    results: dict[str, Any] = {"events": count, "timed": await one_pass(session_id, count, workdir)}
    if trace_memory:
        print("again under tracemalloc, for the memory each holds at its peak:", flush=True)
        tracemalloc.start()
        tracemalloc.reset_peak()
        results["memory"] = await one_pass(session_id, count, workdir)
        tracemalloc.stop()
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--no-tracemalloc", action="store_true", help="skip the memory pass")
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write results as JSON")
    args = parser.parse_args(argv)
    os.chdir(REPO_ROOT)
    sys.path.insert(0, str(REPO_ROOT))
    with fresh_database() as workdir:
        results = asyncio.run(run(args.events, workdir, trace_memory=not args.no_tracemalloc))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
