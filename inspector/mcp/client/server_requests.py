"""The server's own requests to the client: each answered by its handler in a task of
its own, so that a handler may wait for a person while the connection goes on."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any

from inspector.mcp import jsonrpc
from inspector.mcp.client.types import ServerRequest, ServerRequestHandler
from inspector.mcp.errors import JsonRpcError
from inspector.mcp.trace import RequestId, TraceEvent

Respond = Callable[[dict[str, Any]], Coroutine[Any, Any, None]]


async def _answer_ping(request: ServerRequest) -> dict[str, Any]:
    return {}


class ServerRequests:
    """The handlers by method, and the server requests being handled now, by id."""

    def __init__(self, respond: Respond) -> None:
        self.handlers: dict[str, ServerRequestHandler] = {"ping": _answer_ping}
        self._respond = respond
        self._tasks: dict[RequestId, asyncio.Task[None]] = {}

    def __contains__(self, request_id: object) -> bool:
        return request_id in self._tasks

    def tasks(self) -> list[asyncio.Task[None]]:
        return list(self._tasks.values())

    def start(self, event: TraceEvent) -> None:
        request_id = event.message_id
        if request_id is None:
            return
        task = asyncio.create_task(self._handle(request_id, event))
        self._tasks[request_id] = task

        def forget(done: asyncio.Task[None]) -> None:
            if self._tasks.get(request_id) is done:
                del self._tasks[request_id]

        task.add_done_callback(forget)

    def cancel(self, request_id: Any, reason: Any) -> None:
        """The server cancelled one of its requests: stop its handler, if it runs."""
        task = self._tasks.get(request_id) if _is_id(request_id) else None
        if task is None:
            return
        # The handler may be waiting for a person: the message tells them why it ended.
        task.cancel(
            f"The server cancelled its request: {reason}"
            if isinstance(reason, str) and reason
            else "The server cancelled its request."
        )

    async def _handle(self, request_id: RequestId, event: TraceEvent) -> None:
        method = event.method or ""
        params = event.payload.get("params")
        handler = self.handlers.get(method)
        if handler is None:
            await self._respond(
                jsonrpc.error(request_id, jsonrpc.METHOD_NOT_FOUND, f"Method not found: {method}")
            )
            return
        request = ServerRequest(
            request_id, method, params if isinstance(params, dict) else {}, event
        )
        try:
            value = await handler(request)
        except JsonRpcError as exc:
            await self._respond(jsonrpc.error(request_id, exc.code, exc.message, exc.data))
        except asyncio.CancelledError:
            # The server cancelled its request (or the session is closing): no response.
            return
        except Exception as exc:  # a handler bug must not take the session down
            await self._respond(jsonrpc.error(request_id, jsonrpc.INTERNAL_ERROR, str(exc)))
        else:
            await self._respond(jsonrpc.result(request_id, value))


def _is_id(value: Any) -> bool:
    return isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool))
