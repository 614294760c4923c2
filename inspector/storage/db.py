"""Running ORM queries from async code, in any thread."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import ParamSpec, TypeVar, cast

from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from django.db import connection, connections

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


def in_writer_thread(function: Callable[P, R]) -> Callable[P, Awaitable[R]]:
    """`in_db_thread` for the writes that come again and again (events, in batches).

    On SQLite they run in one thread of their own, on a connection it keeps: SQLite's
    writers take turns anyway, and opening a connection for each batch (the file, the
    journal's pragmas, Django's functions) cost a flood more than the batch itself,
    most of it waiting for Python's lock, which the session's reader holds. PostgreSQL's
    connections come from a pool already, which `in_db_thread` returns them to.
    """
    if connection.vendor != "sqlite":
        return in_db_thread(function)

    @functools.wraps(function)
    def keeping_the_connection(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return function(*args, **kwargs)
        finally:
            _close_if_spoilt()

    return sync_to_async(keeping_the_connection, thread_sensitive=False, executor=_WRITER)


_WRITER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="db-writer")


def close_writer_connection(timeout: float | None = None) -> None:
    """Close the connection the writer thread keeps, once it is done with what it was
    given (for a test's end: the test database is deleted after the last)."""
    _WRITER.submit(connections.close_all).result(timeout=timeout)


def _close_if_spoilt() -> None:
    """A connection left inside a transaction, or on which an error occurred (other than
    a refused row), is closed: the next batch opens a fresh one. SQLite's connections
    cannot tell whether they still work (Django takes them all as usable)."""
    if connection.connection is None:
        return
    in_transaction = connection.get_autocommit() != connection.settings_dict["AUTOCOMMIT"]
    if in_transaction or connection.errors_occurred:
        connection.close()
