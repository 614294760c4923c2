"""Requests made on a page's behalf: their outcome, and where each sits in the event log.

A page names its call with a key before the request has an id, so that it can cancel
the call while it runs; the bookkeeping here maps that key to whatever is running (the
request, the task waiting between the rounds of a modern call, or the approval a tool
call waits on in consent mode), and pairs the log's events with the call.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from inspector.mcp.client.client import McpClient
from inspector.mcp.client.types import RequestOptions
from inspector.mcp.errors import McpError, RequestCancelled, TransportClosed
from inspector.mcp.trace import Direction, MessageType, RequestId, TraceEvent
from inspector.sessions.approvals import Approval


@dataclass(slots=True)
class CallOutcome:
    """A request made on a page's behalf, with where it sits in the event log.

    `response_seq` is the event that ended it: the response, or the record of the client
    giving up (timeout, cancel, lost connection). Its parts can be fetched from the log.
    """

    method: str
    result: dict[str, Any] | None = None
    error: McpError | None = None
    request_seq: int | None = None
    response_seq: int | None = None
    # Every request the call sent (more than one in the modern era's retries).
    request_seqs: list[int] = field(default_factory=list)


class Caller(Protocol):
    """A session as its collaborators call through it: its present connection, and
    requests (see `LiveSession.request` and `LiveSession.call`)."""

    @property
    def client(self) -> McpClient | None: ...

    async def request(
        self, method: str, params: dict[str, Any] | None = None
    ) -> dict[str, Any]: ...

    async def call(
        self, method: str, params: dict[str, Any] | None = None, *, call_key: str
    ) -> CallOutcome: ...


class ToolCallConsent(Protocol):
    """The consent mode's hold on the inspector's own tool calls (`Consent` is one)."""

    confirm_tool_calls: bool

    def hold_tool_call(self, params: dict[str, Any], *, tool: dict[str, Any] | None) -> Approval:
        """Put a tool call before a person."""
        ...

    async def tool_call_refusal(self, approval: Approval) -> McpError | None:
        """Wait for the person; the error to report if the call is not sent."""
        ...

    def withdraw_tool_call(self, approval: Approval, reason: str) -> None: ...


class PageCalls:
    """Runs the calls of one session's pages, and keeps those still running by key."""

    def __init__(
        self,
        *,
        connected_client: Callable[[], McpClient],
        consent: ToolCallConsent,
        find_tool: Callable[[str], dict[str, Any] | None],
        answered: Callable[[McpError | None], None],
        sending: Callable[[], None],
    ) -> None:
        """`connected_client` raises `TransportClosed` when the session is not connected;
        `answered` hears how each request ended (None: it was answered), and `sending`
        that a request is about to go out."""
        self._connected_client = connected_client
        self._consent = consent
        self._find_tool = find_tool
        self._answered = answered
        self._sending = sending
        # The request each running call sent, so the page can cancel it.
        self._request_ids: dict[str, RequestId] = {}
        # The task running each call, and the calls a page stopped while no request of
        # theirs was in flight (between the rounds of a modern multi round-trip call),
        # with the reason.
        self._tasks: dict[str, asyncio.Task[Any]] = {}
        self._stopped: dict[str, str] = {}
        # Tool calls waiting for a person's confirmation, to their approval.
        self._confirmations: dict[str, Approval] = {}
        # Calls by their request id until the request event has a seq, then by that seq:
        # a response names its request by seq, whatever spelling of the id it echoed.
        self._starting: dict[RequestId, CallOutcome] = {}
        self._tracked: dict[int, CallOutcome] = {}

    async def call(
        self,
        method: str,
        params: dict[str, Any] | None,
        *,
        call_key: str,
        detail: Mapping[str, Any] | None = None,
    ) -> CallOutcome:
        """See `LiveSession.call`."""
        outcome = CallOutcome(method)
        try:
            client = self._connected_client()
        except TransportClosed as exc:
            outcome.error = exc
            return outcome
        if call_key in self._request_ids:
            # A key names one running call; a repeat must not take over the first one's.
            call_key = uuid.uuid4().hex
        self._sending()
        params = dict(params or {})
        if method == "tools/call" and self._consent.confirm_tool_calls:
            refusal = await self._confirm_tool_call(params, call_key)
            if refusal is not None:
                outcome.error = refusal
                return outcome
            try:
                client = self._connected_client()
            except TransportClosed as exc:
                outcome.error = exc
                return outcome
        await self._send(client, outcome, params, call_key=call_key, detail=detail)
        self._answered(outcome.error)
        return outcome

    async def _confirm_tool_call(self, params: dict[str, Any], call_key: str) -> McpError | None:
        name = params.get("name")
        tool = self._find_tool(name) if isinstance(name, str) else None
        approval = self._consent.hold_tool_call(params, tool=tool)
        self._confirmations[call_key] = approval
        try:
            return await self._consent.tool_call_refusal(approval)
        finally:
            self._confirmations.pop(call_key, None)

    def awaiting_confirmation(self, call_key: str) -> bool:
        return call_key in self._confirmations

    async def _send(
        self,
        client: McpClient,
        outcome: CallOutcome,
        params: dict[str, Any],
        *,
        call_key: str,
        detail: Mapping[str, Any] | None = None,
    ) -> None:
        """Send the call's request, its key as the progress token, and fill in `outcome`.
        Failures are part of the outcome; so is a stop asked for through `stop`."""
        params["_meta"] = {**(params.get("_meta") or {}), "progressToken": call_key}
        request_id: RequestId | None = None

        def started(started_id: RequestId) -> None:
            nonlocal request_id
            request_id = started_id
            self._request_ids[call_key] = started_id
            self._starting[started_id] = outcome

        current = asyncio.current_task()
        if current is not None:
            self._tasks[call_key] = current
        try:
            outcome.result = await client.request(
                outcome.method, params, RequestOptions(on_started=started, detail=detail)
            )
        except McpError as exc:
            outcome.error = exc
        except asyncio.CancelledError:
            reason = self._stopped.pop(call_key, None)
            if reason is None or current is None or current.cancelling() > 1:
                raise
            current.uncancel()
            outcome.error = RequestCancelled(reason)
        finally:
            self._tasks.pop(call_key, None)
            self._stopped.pop(call_key, None)
            self._request_ids.pop(call_key, None)
            if request_id is not None:
                self._starting.pop(request_id, None)
            for seq in outcome.request_seqs:
                self._tracked.pop(seq, None)

    async def cancel(self, client: McpClient | None, call_key: str, reason: str) -> bool:
        """See `LiveSession.cancel_call`."""
        waiting = self._confirmations.get(call_key)
        if waiting is not None:
            self._consent.withdraw_tool_call(waiting, "Cancelled before it was confirmed.")
            return True
        request_id = self._request_ids.get(call_key)
        if request_id is None or client is None:
            return False
        if await client.cancel(request_id, reason):
            return True
        # No request in flight, yet the call goes on: it waits between rounds (a person
        # answering what a modern server asked). Stopping it withdraws those questions.
        task = self._tasks.get(call_key)
        if task is None or task.done():
            return False
        self._stopped[call_key] = reason
        task.cancel(reason)
        return True

    async def cancel_request(
        self, client: McpClient | None, request_id: RequestId, reason: str
    ) -> bool:
        """See `LiveSession.cancel_request`."""
        if client is None:
            return False
        method = next((r.method for r in client.in_flight() if r.id == request_id), None)
        if method is None or method == "initialize":
            return False
        return await client.cancel(request_id, reason)

    def note(self, event: TraceEvent) -> None:
        """Pair a logged event with the call it belongs to: its request, or its end."""
        if not self._starting and not self._tracked:
            return
        outbound_request = (
            event.message_type is MessageType.REQUEST and event.direction is Direction.OUT
        )
        if outbound_request and event.message_id is not None and event.seq is not None:
            outcome = self._starting.pop(event.message_id, None)
            if outcome is not None:
                # A modern call may take several requests (renegotiation, the rounds of
                # a multi round-trip request): the call is named by its first.
                if outcome.request_seq is None:
                    outcome.request_seq = event.seq
                outcome.request_seqs.append(event.seq)
                self._tracked[event.seq] = outcome
        elif event.request_seq is not None and event.request_seq in self._tracked:
            self._tracked[event.request_seq].response_seq = event.seq
