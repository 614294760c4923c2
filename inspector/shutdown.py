"""Closing every live session when the server process stops, so no child is orphaned."""

from __future__ import annotations

import asyncio
from typing import Any, cast

from twisted.internet import defer, reactor

from inspector import services


def close_sessions_before_shutdown() -> None:
    def close_all() -> defer.Deferred[None]:
        return defer.Deferred.fromFuture(asyncio.ensure_future(services.session_close_all()))

    # Twisted types its global reactor as a bare module attribute; it is an IReactorCore.
    cast(Any, reactor).addSystemEventTrigger("before", "shutdown", close_all)
