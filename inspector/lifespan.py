"""The web process's own periodic work (the retention rules), owned by the ASGI app:
started with the server, cancelled and awaited when it stops.

A server that speaks the ASGI lifespan protocol (uvicorn, hypercorn) says when it starts
and stops. daphne does not: there the task starts with the first request or websocket,
and stops before Twisted's reactor shuts down.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from inspector.services import RetentionTask

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]


class PeriodicTasks:
    def __init__(self, app: App, make_task: Callable[[], RetentionTask]) -> None:
        self.app = app
        self.make_task = make_task
        self.task: RetentionTask | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if self.task is None:
            self._start()
            if self.task is not None and self.task.running:
                self._stop_with_twisted()
        await self.app(scope, receive, send)

    def _start(self) -> None:
        self.task = self.make_task()
        self.task.start()

    async def stop(self) -> None:
        task, self.task = self.task, None
        if task is not None:
            await task.stop()

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                self._start()
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await self.stop()
                await send({"type": "lifespan.shutdown.complete"})
                return

    def _stop_with_twisted(self) -> None:
        # Under daphne the reactor is already running; anywhere else it is not imported.
        reactor = sys.modules.get("twisted.internet.reactor")
        if reactor is None:
            return
        from twisted.internet import defer

        def stop() -> defer.Deferred[None]:
            return defer.Deferred.fromFuture(asyncio.ensure_future(self.stop()))

        reactor.addSystemEventTrigger("before", "shutdown", stop)
