"""Running ORM queries from async code, in any thread."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import ParamSpec, TypeVar, cast

from channels.db import database_sync_to_async

P = ParamSpec("P")
R = TypeVar("R")


def in_db_thread(function: Callable[P, R]) -> Callable[P, Awaitable[R]]:
    """`database_sync_to_async`, with the types Channels does not declare.

    Not thread-sensitive: sessions call the store from their own tasks, and a
    thread-sensitive call made while a request is in flight is routed to that request's
    thread, where it waits for the request, which may be waiting for the session. Each
    call is self-contained (its connection is released after it), so any thread will do.
    """
    wrapped = database_sync_to_async(function, thread_sensitive=False)
    return cast(Callable[P, Awaitable[R]], wrapped)
