"""Tasks that a session owns, detached from the request that caused them."""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


def spawn_detached(coroutine: Coroutine[Any, Any, T], name: str) -> asyncio.Task[T]:
    """A task that outlives the request which started it.

    It runs in a fresh context: a copy of the request's would tie its work (database
    writes through thread executors) to a request that has already finished.
    """
    return asyncio.get_running_loop().create_task(
        coroutine, name=name, context=contextvars.Context()
    )
