"""Benchmark of the retention rules on a large table of events.

    python benchmarks/bench_prune.py [--sessions 200] [--events 2000] [--long 200000]
                                     [--cap 1000] [--json results.json]

A fresh SQLite database (or `DATABASE_URL`'s, which must be a scratch database) gets
`--sessions` ended sessions of `--events` events each, half of them ended 60 days ago, and
one ended session of `--long` events; then:
(a) `INSPECTOR_RETENTION_DAYS=30`: the old half is deleted with its events;
(b) `INSPECTOR_MAX_EVENTS_PER_SESSION=--cap`: every session left is trimmed to its newest;
(c) the same cap again: nothing left to do, which is what most rounds of the periodic task
    find, so its cost is that of telling sessions within the cap apart.
Reported for each: wall time, rows deleted and rows per second, and the longest single
delete statement (how long a session writing meanwhile may wait for SQLite's lock).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent


@contextlib.contextmanager
def fresh_database() -> Iterator[None]:
    with tempfile.TemporaryDirectory(prefix="inspector-bench-") as tmp:
        os.environ["INSPECTOR_DATA_DIR"] = tmp
        os.environ["DJANGO_SETTINGS_MODULE"] = "inspector.settings"
        import django
        from django.core.management import call_command

        django.setup()
        call_command("migrate", interactive=False, verbosity=0)
        yield
        from django.db import connections

        connections.close_all()


def fill(sessions: int, events: int, long: int) -> list[str]:
    from django.db import transaction
    from django.utils import timezone

    from inspector.models import EventRecord, SessionRecord

    ids = [uuid.uuid4().hex for _ in range(sessions + 1)]
    counts = [events] * sessions + [long]
    now = timezone.now()
    with transaction.atomic():
        for number, (session_id, count) in enumerate(zip(ids, counts, strict=True)):
            SessionRecord.objects.create(
                id=session_id, created_at=datetime(2026, 1, 1, tzinfo=UTC), transport="stdio",
                target="python -m server", spec={}, status="closed",
            )  # fmt: skip
            for start in range(1, count + 1, 5000):
                EventRecord.objects.bulk_create(
                    EventRecord(
                        session_id=session_id, seq=seq, timestamp=float(seq), kind="message",
                        direction="in", method="notifications/message", text="x" * 200,
                        data={"message_type": "notification"},
                    )
                    for seq in range(start, min(count, start + 4999) + 1)
                )  # fmt: skip
            ended = now - timedelta(days=60 if number % 2 and number < sessions else 1)
            SessionRecord.objects.filter(id=session_id).update(updated_at=ended)
    return ids


def timed_statements() -> tuple[list[float], Any]:
    """Times every DELETE statement the ORM runs."""
    from django.db import connection

    durations: list[float] = []

    def wrapper(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        if not sql.lstrip().upper().startswith("DELETE"):
            return execute(sql, params, many, context)
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            durations.append(time.perf_counter() - started)

    return durations, connection.execute_wrapper(wrapper)


def run(label: str, *, days: int = 0, max_events: int = 0) -> dict[str, Any]:
    """One round of the rules, as `retention_apply` runs them, here in this thread so
    that the DELETE statements can be timed (the service runs them in a worker thread)."""
    from django.utils import timezone

    from inspector.models import EventRecord
    from inspector.storage import retention

    before = EventRecord.objects.count()
    durations, wrapper = timed_statements()
    sessions = 0
    with wrapper:
        started = time.perf_counter()
        if days:
            cutoff = timezone.now() - timedelta(days=days)
            sessions = retention._delete_ended_before(cutoff, [])
        if max_events:
            retention._trim_events(max_events, [])
        elapsed = time.perf_counter() - started
    deleted = before - EventRecord.objects.count()
    result = {
        "round": label,
        "seconds": round(elapsed, 3),
        "sessions_deleted": sessions,
        "events_deleted": deleted,
        "events_per_second": round(deleted / elapsed) if elapsed and deleted else 0,
        "delete_statements": len(durations),
        "longest_delete_ms": round(max(durations, default=0) * 1000, 1),
    }
    print(
        f"{label}: {elapsed:.2f} s, {sessions} sessions and {deleted} events deleted "
        f"({result['events_per_second']}/s), {len(durations)} DELETE statements, the longest "
        f"{result['longest_delete_ms']} ms"
    )
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else "")
    parser.add_argument("--sessions", type=int, default=200)
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--long", type=int, default=200_000)
    parser.add_argument("--cap", type=int, default=1000)
    parser.add_argument("--json", type=Path)
    options = parser.parse_args()
    sys.path.insert(0, str(REPO_ROOT))
    with fresh_database():
        from django.db import connection

        started = time.perf_counter()
        fill(options.sessions, options.events, options.long)
        total = options.sessions * options.events + options.long
        print(
            f"{connection.vendor}: {options.sessions + 1} sessions, {total} events stored in "
            f"{time.perf_counter() - started:.1f} s"
        )
        results = [
            run("(a) days=30", days=30),
            run(f"(b) cap={options.cap}", max_events=options.cap),
            run(f"(c) cap={options.cap} again", max_events=options.cap),
        ]
    if options.json:
        options.json.write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
