"""The multi round-trip engine of the modern era (mrtr).

A result may ask for input (`resultType: input_required`): the client answers the
embedded requests with the same handlers that answer a legacy server's own requests, and
retries with the answers and the server's opaque state. A result may also be a task
(the tasks extension), followed to its end. Along the way the engine renegotiates the
version once, refreshes a tool whose header designations changed, and keeps tools with
invalid designations out of use.
"""

from __future__ import annotations

import asyncio
import functools
import json
from dataclasses import replace
from typing import Any, Protocol

from inspector.mcp import jsonrpc
from inspector.mcp.client.types import DEFAULT_REQUEST_OPTIONS, RequestOptions, ServerRequest
from inspector.mcp.eras.base import ClientPort
from inspector.mcp.eras.modern_errors import jsonrpc_error
from inspector.mcp.eras.param_headers import (
    InvalidToolHeaders,
    ParamHeader,
    UnmirrorableArgument,
    param_headers,
    tool_param_headers,
)
from inspector.mcp.eras.tasks import INPUT_METHODS, TASK_RESULT, answer_all, follow_task
from inspector.mcp.errors import (
    HttpStatusError,
    JsonRpcError,
    RequestError,
    RequestRefused,
    RequestTimeout,
    TimeoutLimit,
)
from inspector.mcp.trace import (
    ORIGIN_DETAIL,
    ROUND_DETAIL,
    Direction,
    EventKind,
    MessageType,
    TraceEvent,
    local_event,
)

INPUT_REQUIRED = "input_required"
# mrtr.mdx: servers MUST NOT answer any other request with an input_required result.
INPUT_REQUIRED_METHODS = frozenset({"tools/call", "prompts/get", "resources/read"})
# Methods this revision removed, with what replaced them: refused before anything is sent.
REMOVED_METHODS = {
    "ping": "the modern era has no ping",
    "logging/setLevel": "the log level is asked for in each request's _meta instead",
    "resources/subscribe": "subscriptions/listen replaced it",
    "resources/unsubscribe": "subscriptions/listen replaced it",
}
# Pages of tools/list read to find a tool whose header designations changed.
MAX_REFRESH_PAGES = 100
# A server may ask again and again; past this many rounds the call is given up.
MAX_INPUT_ROUNDS = 16


class NegotiatedState(Protocol):
    """What the engine reads and keeps on the modern lifecycle it serves."""

    version: str | None
    # Tools whose `x-mcp-header` designations are mirrored into headers, and tools
    # excluded for invalid ones (HTTP only), with the reason.
    tool_headers: dict[str, list[ParamHeader]]
    excluded_tools: dict[str, str]

    def renegotiate(self, client: ClientPort, error: JsonRpcError) -> None: ...


class RoundTrips:
    """Carries each request of a modern connection through to its final result."""

    def __init__(self, state: NegotiatedState) -> None:
        self._state = state

    async def run(
        self,
        client: ClientPort,
        method: str,
        params: dict[str, Any] | None,
        options: RequestOptions,
    ) -> dict[str, Any]:
        """Send a request, renegotiating the version and answering input requests until
        the server returns a complete result (a missing `resultType` means complete).
        The maximum total time bounds the whole: every round and every poll of a task."""
        total = options.max_total or client.config.max_total_timeout
        deadline = asyncio.timeout(total)
        try:
            async with deadline:
                return await self._round_trips(client, method, params, options)
        except TimeoutError as exc:
            if not deadline.expired():
                raise
            # What was in flight was cancelled on the way out (a task with tasks/cancel).
            raise RequestTimeout(
                f"{method} did not complete within the maximum total time of {total:g} s "
                "(over all its rounds and task polls); given up.",
                limit=TimeoutLimit.TOTAL,
            ) from exc

    async def _round_trips(
        self,
        client: ClientPort,
        method: str,
        params: dict[str, Any] | None,
        options: RequestOptions,
    ) -> dict[str, Any]:
        removed = REMOVED_METHODS.get(method)
        if removed is not None:
            raise RequestRefused(
                f"Not sent: {method} does not exist in {self._state.version}; {removed}."
            )
        on_started = options.on_started
        extra: dict[str, Any] = {}
        origin: TraceEvent | None = None
        renegotiated = refreshed = False
        round_number = 1
        while True:
            # Checked on every round: a refreshed listing may have changed the tool.
            self._refuse_unsendable(method, params)
            sent: list[TraceEvent] = []

            def started(request_id: Any, sent: list[TraceEvent] = sent) -> None:
                sent.append(client.request_event(request_id))
                if on_started is not None:
                    on_started(request_id)

            detail = {}
            if origin is not None and origin.seq is not None:
                detail = {ORIGIN_DETAIL: origin.seq, ROUND_DETAIL: round_number}
            try:
                result = await client.request_once(
                    method,
                    {**(params or {}), **extra},
                    replace(options, on_started=started),
                    detail=detail,
                )
            except (JsonRpcError, HttpStatusError) as exc:
                error = jsonrpc_error(exc)
                if error is None:
                    raise
                if error.code == jsonrpc.UNSUPPORTED_PROTOCOL_VERSION and not renegotiated:
                    renegotiated = True
                    self._state.renegotiate(client, error)
                    continue
                if (
                    error.code == jsonrpc.HEADER_MISMATCH
                    and method == "tools/call"
                    and not refreshed
                ):
                    # The tool's header designations may have changed: list, then retry.
                    refreshed = True
                    await self._refresh_tool(client, str((params or {}).get("name")))
                    continue
                if error is exc:
                    raise
                raise error from exc
            if origin is None and sent:
                origin = sent[0]
            if result.get("resultType") == TASK_RESULT and origin is not None:
                answer = functools.partial(
                    self._answer, client, origin=origin, round_number=round_number
                )
                result = await follow_task(client, method, result, answer)
                return self._complete(client, method, result)
            if result.get("resultType") != INPUT_REQUIRED:
                return self._complete(client, method, result)
            if method not in INPUT_REQUIRED_METHODS:
                raise RequestError(
                    f"Protocol violation: the server asked for input on {method}; only "
                    f"{', '.join(sorted(INPUT_REQUIRED_METHODS))} may (mrtr). Not answered."
                )
            if round_number >= MAX_INPUT_ROUNDS:
                raise RequestError(
                    f"{method} still asked for input after {MAX_INPUT_ROUNDS} rounds; given up."
                )
            assert origin is not None
            extra = await self._inputs(client, result, origin, round_number)
            round_number += 1

    async def _refresh_tool(self, client: ClientPort, name: str) -> None:
        """List tools page after page until `name` is seen, so its header designations
        (or its exclusion) are the server's current ones."""
        self._state.tool_headers.pop(name, None)
        self._state.excluded_tools.pop(name, None)
        params: dict[str, Any] = {}
        for _ in range(MAX_REFRESH_PAGES):
            result = await self.run(client, "tools/list", params, DEFAULT_REQUEST_OPTIONS)
            cursor = result.get("nextCursor")
            seen = name in self._state.tool_headers or name in self._state.excluded_tools
            if seen or not isinstance(cursor, str) or not cursor:
                return
            params = {"cursor": cursor}

    def _refuse_unsendable(self, method: str, params: dict[str, Any] | None) -> None:
        if method != "tools/call" or params is None:
            return
        name = str(params.get("name"))
        reason = self._state.excluded_tools.get(name)
        if reason is not None:
            raise RequestRefused(f"Not sent: the tool {name!r} is excluded: {reason}")
        designated = self._state.tool_headers.get(name)
        if designated:
            try:
                param_headers(designated, params.get("arguments"))
            except UnmirrorableArgument as exc:
                raise RequestRefused(f"Not sent: {exc}") from exc

    async def _inputs(
        self, client: ClientPort, result: dict[str, Any], origin: TraceEvent, round_number: int
    ) -> dict[str, Any]:
        """What the retry carries: answers to the input requests, the state echoed."""
        extra: dict[str, Any] = {}
        requests = result.get("inputRequests")
        if requests is not None:
            if not isinstance(requests, dict):
                raise RequestError(f"The server's inputRequests is not an object: {requests!r}")
            answer = functools.partial(
                self._answer, client, origin=origin, round_number=round_number
            )
            extra["inputResponses"] = await answer_all(requests, list(requests), answer)
        if "requestState" in result:
            extra["requestState"] = result["requestState"]
        return extra

    async def _answer(
        self,
        client: ClientPort,
        key: str,
        request: Any,
        *,
        origin: TraceEvent,
        round_number: int,
    ) -> dict[str, Any]:
        method = request.get("method") if isinstance(request, dict) else None
        params = request.get("params") if isinstance(request, dict) else None
        link = {ORIGIN_DETAIL: origin.seq, ROUND_DETAIL: round_number, "input_key": key}
        event = TraceEvent(
            kind=EventKind.MESSAGE,
            direction=Direction.IN,
            text=json.dumps(request, ensure_ascii=False),
            payload=request,
            detail={**link, "embedded": "inputRequests"},
            message_type=MessageType.REQUEST,
            method=method if isinstance(method, str) else None,
            message_id=key,
        )
        client.emit(event)
        if not isinstance(method, str):
            raise RequestError(f"The server's input request {key!r} names no method.")
        if method not in INPUT_METHODS:
            raise RequestError(
                f"The server's input request {key!r} asks for {method}, which is not one of "
                f"{', '.join(sorted(INPUT_METHODS))}."
            )
        handler = client.handlers.get(method)
        if handler is None:
            raise RequestRefused(
                f"The server asked for {method} (input request {key!r}), which this client "
                "does not answer."
            )
        try:
            answer = await handler(
                ServerRequest(key, method, params if isinstance(params, dict) else {}, event)
            )
        except JsonRpcError as exc:
            client.emit(
                local_event(
                    EventKind.ERROR,
                    f"Input request {key!r} ({method}) was not answered: {exc.message}",
                    **link,
                )
            )
            raise RequestRefused(
                f"The input request {key!r} ({method}) was refused: {exc.message}"
            ) from exc
        reply = TraceEvent(
            kind=EventKind.MESSAGE,
            direction=Direction.OUT,
            text=json.dumps(answer, ensure_ascii=False),
            payload={"result": answer},
            detail={**link, "embedded": "inputResponses"},
            message_type=MessageType.RESULT,
            method=method,
            message_id=key,
        )
        reply.request_seq = event.seq
        client.emit(reply)
        return answer

    def _complete(self, client: ClientPort, method: str, result: dict[str, Any]) -> dict[str, Any]:
        if method != "tools/list" or client.transport.kind != "http":
            return result
        tools = result.get("tools")
        if not isinstance(tools, list):
            return result
        kept = []
        for tool in tools:
            name = tool.get("name") if isinstance(tool, dict) else None
            if not isinstance(name, str):
                kept.append(tool)
                continue
            try:
                designated = tool_param_headers(tool)
            except InvalidToolHeaders as exc:
                self._state.excluded_tools[name] = str(exc)
                self._state.tool_headers.pop(name, None)
                client.emit(
                    local_event(
                        EventKind.ERROR,
                        f"Tool {name!r} excluded: {exc}",
                        excluded_tool=name,
                        reason=str(exc),
                    )
                )
                continue
            self._state.excluded_tools.pop(name, None)
            self._state.tool_headers[name] = designated
            kept.append(tool)
        # The spec's rule: an excluded tool is not part of the listing the client uses.
        return {**result, "tools": kept}
