"""Limits of a hosted deployment, per account and per workspace: live sessions, and
requests per minute. Each refusal says which limit it met and what to do.

The deployment sets the defaults (settings `INSPECTOR_LIMIT_*`); a workspace may have its
own (`Workspace.max_live_sessions`, `max_requests_per_minute`). 0 means no limit.

Live sessions are counted in the database: several processes hold sessions, and none
knows the others'. Requests are counted in Django's cache (Redis in a hosted deployment,
shared by every process) in fixed windows of a minute: two counters a request.

Both run in the request's own thread (`sync_to_async`), on the database connection the
access check opened, rather than a thread and a connection of their own.
"""

from __future__ import annotations

import math
import time

from asgiref.sync import sync_to_async
from django.conf import settings
from django.core.cache import cache

from inspector.services.access import Access
from inspector.storage import limits as rows
from inspector.storage.db import in_db_thread

__all__ = [
    "LimitReached",
    "limits_check_live_sessions",
    "limits_count_request",
    "session_started_by",
]

WINDOW_SECONDS = 60


class LimitReached(Exception):
    """A request refused by a limit; `retry_after`: seconds until it would pass (None:
    not by waiting)."""

    def __init__(self, message: str, retry_after: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.retry_after = retry_after


def _chosen(own: int | None, default: int) -> int:
    return default if own is None else own


def _sessions(count: int) -> str:
    return f"{count} live session{'' if count == 1 else 's'}"


async def limits_check_live_sessions(
    *, access: Access, owner_id: int | None, reconnecting: str = ""
) -> None:
    """Refuse a new live session when the account or the workspace has its limit's worth
    already (`reconnecting`: the session that would come back, not counted)."""
    if access.user_id is None:
        return
    per_user = settings.INSPECTOR_LIMIT_LIVE_SESSIONS_PER_USER
    if per_user:
        mine = await sync_to_async(rows.live_sessions)(
            started_by=access.user_id, excluding=reconnecting
        )
        if mine >= per_user:
            raise LimitReached(
                f"You have {_sessions(mine)}, the limit is {per_user}: disconnect one first."
            )
    if access.workspace_id is None or owner_id is None:
        return
    own = await sync_to_async(rows.workspace_limits)(access.workspace_id)
    per_workspace = _chosen(
        own.max_live_sessions, settings.INSPECTOR_LIMIT_LIVE_SESSIONS_PER_WORKSPACE
    )
    if per_workspace:
        theirs = await sync_to_async(rows.live_sessions)(owner_id=owner_id, excluding=reconnecting)
        if theirs >= per_workspace:
            raise LimitReached(
                f"This workspace has {_sessions(theirs)}, its limit: disconnect one first."
            )


async def limits_count_request(*, access: Access) -> None:
    """Count one request of the account and of its workspace in this minute's window;
    refuse it once either has sent its limit's worth."""
    if access.user_id is None:
        return
    now = time.time()
    window = int(now // WINDOW_SECONDS)
    wait = max(1, math.ceil((window + 1) * WINDOW_SECONDS - now))
    # One hop to the request's thread, on its open database connection: this runs before
    # every request of every account.
    per_user, per_workspace, counts = await sync_to_async(_count_request)(access, window)
    if per_user and counts.get("user", 0) > per_user:
        raise LimitReached(
            f"You sent {per_user} requests in the last minute, the limit is {per_user}: "
            f"wait {wait} s.",
            retry_after=wait,
        )
    if per_workspace and counts.get("workspace", 0) > per_workspace:
        raise LimitReached(
            f"This workspace sent {per_workspace} requests in the last minute, its limit: "
            f"wait {wait} s.",
            retry_after=wait,
        )


def _count_request(access: Access, window: int) -> tuple[int, int, dict[str, int]]:
    """The two limits that apply, and the counts with this request."""
    per_user = settings.INSPECTOR_LIMIT_REQUESTS_PER_MINUTE_PER_USER
    per_workspace = settings.INSPECTOR_LIMIT_REQUESTS_PER_MINUTE_PER_WORKSPACE
    counters = {}
    if per_user:
        counters["user"] = f"inspector:requests:user:{access.user_id}:{window}"
    if access.workspace_id is not None:
        own = rows.workspace_limits(access.workspace_id)
        per_workspace = _chosen(own.max_requests_per_minute, per_workspace)
        if per_workspace:
            counters["workspace"] = f"inspector:requests:workspace:{access.workspace_id}:{window}"
    return per_user, per_workspace, _count(counters)


def _count(counters: dict[str, str]) -> dict[str, int]:
    """One more request on each counter; each counter lives a little past its window."""
    counts: dict[str, int] = {}
    for name, key in counters.items():
        cache.add(key, 0, timeout=WINDOW_SECONDS * 2)
        try:
            counts[name] = cache.incr(key)
        except ValueError:  # it expired between the two calls
            cache.set(key, 1, timeout=WINDOW_SECONDS * 2)
            counts[name] = 1
    return counts


async def session_started_by(*, session_id: str, user_id: int | None) -> None:
    """Note which account opened a session: its live sessions are counted by this."""
    if user_id is not None:
        await in_db_thread(rows.mark_started_by)(session_id, user_id)
