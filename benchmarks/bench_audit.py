"""What the audit log and the limits add to a tool call: the same `POST .../tools/call`
through the web layer in hosted mode, without either middleware, with the limits, and
with the limits and the audit log's INSERT.

    python benchmarks/bench_audit.py --database-url postgresql://postgres@127.0.0.1:5432/test

Without `--database-url`, a fresh SQLite file. Requests are counted in Django's cache:
Redis when REDIS_URL is set, else the process's memory.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from asgiref.sync import sync_to_async
from django_db import fresh_database  # this folder: the scripts run from it

REPO_ROOT = Path(__file__).resolve().parent.parent
# The web tests' helpers; run as a script, this file's folder leads sys.path.
sys.path.insert(0, str(REPO_ROOT))
MODES = {
    "neither": (),
    "limits": ("inspector.limit_middleware.LimitMiddleware",),
    "limits+audit": (
        "inspector.limit_middleware.LimitMiddleware",
        "inspector.audit_middleware.AuditMiddleware",
    ),
}


async def browser_for(mode: str, user: Any) -> Any:
    """A signed-in client whose handler is built with `mode`'s middleware."""
    from django.conf import settings
    from django.test import AsyncClient

    ours = {name for names in MODES.values() for name in names}
    base = [name for name in settings.MIDDLEWARE if name not in ours]
    login = "django.contrib.auth.middleware.LoginRequiredMiddleware"
    if login not in base:
        base.append(login)
    settings.MIDDLEWARE = [*base, *MODES[mode]]
    browser = AsyncClient(headers={"host": "127.0.0.1"})
    await browser.aforce_login(user)
    await browser.get("/")  # builds the handler's middleware chain now
    return browser


async def run(calls: int, round_size: int, warmup: int) -> dict[str, list[float]]:
    from django.conf import settings
    from django.contrib.auth import get_user_model

    from inspector.services import runtime
    from tests.web.support import connect_form  # the web tests' form, for the same server

    settings.LOCAL_MODE = False
    settings.ALLOWED_HOSTS = ["127.0.0.1", "testserver"]
    settings.INSPECTOR_STDIO_ALLOWLIST = [sys.executable]
    user = await get_user_model().objects.acreate_user("bench", password="x")
    browsers = {mode: await browser_for(mode, user) for mode in MODES}
    first = browsers["neither"]
    connected = await first.post("/connect", connect_form())
    assert connected.status_code == 302, connected.content.decode()[:2000]
    session_id = connected["Location"].split("/")[2]
    await first.get(f"/sessions/{session_id}/list/tools")
    call = {"tool": "add", "source": "form", "arg/a": "1", "arg/b": "2"}
    url = f"/sessions/{session_id}/tools/call"
    timings: dict[str, list[float]] = {mode: [] for mode in MODES}
    for browser in browsers.values():
        for _ in range(warmup):
            await browser.post(url, call)
    while len(timings["neither"]) < calls:
        for mode, browser in browsers.items():
            for _ in range(round_size):
                started = time.perf_counter()
                response = await browser.post(url, call)
                timings[mode].append(time.perf_counter() - started)
                assert response.status_code == 200, response.status_code
    await runtime.registry().close_all()
    timings["one audit_record"] = await audit_records(user.pk, calls)
    return timings


async def audit_records(user_id: int, count: int) -> list[float]:
    """The INSERT alone, as the middleware makes it."""
    from inspector import services
    from inspector.storage.workspaces import acting_membership

    membership = await sync_to_async(acting_membership)(user_id, None)
    access = services.Access(
        user_id=user_id, user_name="bench", workspace_id=membership.workspace_id, role=None
    )
    seconds = []
    for _ in range(count):
        started = time.perf_counter()
        await services.audit_record(
            access=access, action="tool.call", target="add", detail={"session": "0" * 32}
        )
        seconds.append(time.perf_counter() - started)
    return seconds


def report(timings: dict[str, list[float]]) -> None:
    bare = statistics.median(timings["neither"])
    for mode, seconds in timings.items():
        ordered = sorted(seconds)
        median = statistics.median(ordered)
        p95 = ordered[int(len(ordered) * 0.95) - 1]
        print(
            f"{mode:>16}: median {median * 1000:7.2f} ms  p95 {p95 * 1000:7.2f} ms  "
            f"added {(median - bare) * 1000:+6.2f} ms ({median / bare:.3f}x)"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else "")
    parser.add_argument("--database-url")
    parser.add_argument("--calls", type=int, default=300)
    parser.add_argument("--round", type=int, default=10)
    parser.add_argument("--warmup", type=int, default=20)
    arguments = parser.parse_args()
    with fresh_database(arguments.database_url):
        report(asyncio.run(run(arguments.calls, arguments.round, arguments.warmup)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
