"""The client's side of the consent model: what a person is asked, and what it declares.

The server's `sampling/createMessage`, `elicitation/create` and `roots/list` wait in the
session's inbox until someone answers; in tool-call consent mode the inspector's own
`tools/call` waits there too, before anything is sent.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from inspector.mcp.apps import with_apps_extension
from inspector.mcp.client.types import ServerRequest, ServerRequestHandler
from inspector.mcp.errors import JsonRpcError, McpError, RequestCancelled, RequestRefused
from inspector.mcp.jsonrpc import INVALID_PARAMS, METHOD_NOT_FOUND
from inspector.mcp.trace import EventKind, TraceEvent, local_event
from inspector.mcp.versions import Era, era_of
from inspector.sessions.approvals import Approval, ApprovalInbox, ApprovalKind, Decision
from inspector.sessions.roots import Root

# The code a refusal carries: the specification's own examples use -1 for "the user
# rejected the request"; it is outside JSON-RPC's reserved range.
REFUSED_CODE = -1
# Pending approvals per session: past this, the server's requests are refused.
MAX_PENDING = 50
FORM_ELICITATION_FROM = "2025-06-18"
MODES_AND_TOOLS_FROM = "2025-11-25"


def client_capabilities(protocol_version: str, *, sampling_tools: bool) -> dict[str, Any]:
    """What the client declares it can answer, in the shape of the requested version."""
    sampling: dict[str, Any] = {}
    if sampling_tools and protocol_version >= MODES_AND_TOOLS_FROM:
        sampling["tools"] = {}
    # The modern era asks for roots within each request: there is no list to watch.
    roots = {} if era_of(protocol_version) is Era.MODERN else {"listChanged": True}
    capabilities: dict[str, Any] = {"roots": roots, "sampling": sampling}
    if protocol_version >= MODES_AND_TOOLS_FROM:
        capabilities["elicitation"] = {"form": {}, "url": {}}
    elif protocol_version >= FORM_ELICITATION_FROM:
        capabilities["elicitation"] = {}
    # The pages render MCP Apps; extensions are declared the same way in both eras.
    return with_apps_extension(capabilities)


class Consent:
    """The inbox of one session, its roots, and its switches."""

    def __init__(self, record: Callable[[TraceEvent], None], *, timeout: float) -> None:
        self._record = record
        self.inbox = ApprovalInbox(record)
        self.timeout = timeout
        self.roots: list[Root] = []
        # Off by default: an inspector's first job is to call tools; a demo turns it on.
        self.confirm_tool_calls = False
        # On by default: the specification asks for consent before data reaches a server.
        self.ask_before_sharing_roots = True
        # What the client declared: a request for anything else is refused, not asked.
        self.declared: dict[str, Any] = {}
        # The tools that changed (or appeared) since the saved server's baseline, and the
        # words that say when it was pinned: a confirmation says so (a tool that changes
        # after it was trusted is how a rug pull looks).
        self.drifted_tools: dict[str, str] = {}
        self.baseline_pinned = ""

    def handlers(self) -> dict[str, ServerRequestHandler]:
        return {
            "sampling/createMessage": self._answer_sampling,
            "elicitation/create": self._answer_elicitation,
            "roots/list": self._answer_roots,
        }

    def set_switch(self, name: str, on: bool) -> None:
        if name not in ("confirm_tool_calls", "ask_before_sharing_roots"):
            raise ValueError(name)
        setattr(self, name, on)
        state = "on" if on else "off"
        self._record(
            local_event(EventKind.APPROVAL, f"{SWITCH_LABELS[name]}: {state}", switch=name, on=on)
        )

    def share_roots(self, roots: list[Root]) -> None:
        self.roots = list(roots)
        self._record(
            local_event(
                EventKind.APPROVAL,
                f"Roots changed: {len(roots)} shared",
                roots=[root.to_wire() for root in roots],
            )
        )

    def roots_result(self) -> dict[str, Any]:
        return {"roots": [root.to_wire() for root in self.roots]}

    # -- the inspector's own tool calls, in consent mode -------------------------------

    def hold_tool_call(self, params: dict[str, Any], *, tool: dict[str, Any] | None) -> Approval:
        """Put a tool call before a person, with the tool as the server listed it."""
        context: dict[str, Any] = {"tool": tool or {}}
        drift = self.drifted_tools.get(str(params.get("name", "")))
        if drift:
            context["drift"] = {"change": drift, "pinned": self.baseline_pinned}
        return self.inbox.open(ApprovalKind.TOOL_CALL, "tools/call", params, context=context)

    async def tool_call_refusal(self, approval: Approval) -> McpError | None:
        """Wait for a person to confirm a held tool call; the error to report if it is
        not sent."""
        try:
            decision = await self.wait(approval)
        except asyncio.CancelledError:
            if approval.future.cancelled() and not _current_task_cancelling():
                return RequestCancelled(f"Not sent: {approval.reason}")
            raise
        if decision is None:
            return RequestRefused(f"Not sent: {approval.reason}")
        if decision.error_code is not None:
            return RequestRefused(f"Not sent: {decision.by} refused the call.")
        return None

    def withdraw_tool_call(self, approval: Approval, reason: str) -> None:
        self.inbox.withdraw(approval, reason)

    # -- the server's requests ------------------------------------------------------

    async def _answer_sampling(self, request: ServerRequest) -> dict[str, Any]:
        sampling = self._declared("sampling", request.method)
        offers_tools = "tools" in request.params or "toolChoice" in request.params
        if offers_tools and "tools" not in sampling:
            raise JsonRpcError(
                INVALID_PARAMS, "Tools in sampling need sampling.tools, not declared."
            )
        return await self._ask(ApprovalKind.SAMPLING, request)

    async def _answer_elicitation(self, request: ServerRequest) -> dict[str, Any]:
        elicitation = self._declared("elicitation", request.method)
        mode = request.params.get("mode") or "form"
        if mode not in ("form", "url"):
            raise JsonRpcError(INVALID_PARAMS, f"Unknown elicitation mode {mode!r}.")
        if mode == "url" and "url" not in elicitation:
            raise JsonRpcError(INVALID_PARAMS, "URL elicitation was not declared.")
        return await self._ask(ApprovalKind.ELICITATION, request)

    def _declared(self, capability: str, method: str) -> dict[str, Any]:
        declared = self.declared.get(capability)
        if not isinstance(declared, dict):
            raise JsonRpcError(METHOD_NOT_FOUND, f"{method} was not declared by this client.")
        return declared

    async def _answer_roots(self, request: ServerRequest) -> dict[str, Any]:
        if not self.ask_before_sharing_roots:
            return self.roots_result()
        return await self._ask(ApprovalKind.ROOTS, request)

    async def _ask(self, kind: ApprovalKind, request: ServerRequest) -> dict[str, Any]:
        if len(self.inbox) >= MAX_PENDING:
            # A server flooding the inbox gets refused, not an unbounded page.
            raise JsonRpcError(REFUSED_CODE, f"{MAX_PENDING} requests already wait for an answer.")
        approval = self.inbox.open(
            kind,
            request.method,
            request.params,
            request_id=request.id,
            request_seq=request.event.seq,
        )
        decision = await self.wait(approval)
        if decision is None and kind is ApprovalKind.ELICITATION:
            # Nobody chose: the specification's word for a dismissed elicitation.
            return {"action": "cancel"}
        if decision is None:
            raise JsonRpcError(REFUSED_CODE, _nobody_answered(self.timeout))
        if decision.error_code is not None:
            raise JsonRpcError(decision.error_code, decision.error_message)
        if kind is ApprovalKind.ROOTS and decision.result is None:
            # Approved roots are the ones listed when the person said yes.
            return self.roots_result()
        return decision.result or {}

    async def wait(self, approval: Approval) -> Decision | None:
        """The answer; None if it timed out. Raises `CancelledError` when the request
        went away (the server cancelled it, or the session closed), with the reason."""
        try:
            async with asyncio.timeout(self.timeout):
                await asyncio.wait({approval.future})
        except TimeoutError:
            if _answered(approval):  # answered in the very step the deadline passed
                return approval.future.result()
            self.inbox.withdraw(approval, _nobody_answered(self.timeout))
            return None
        except asyncio.CancelledError as exc:
            if _answered(approval):
                raise
            reason = str(exc.args[0]) if exc.args else "The request was cancelled."
            self.inbox.withdraw(approval, reason)
            raise
        if approval.future.cancelled():
            raise asyncio.CancelledError(approval.reason)
        return approval.future.result()


def _current_task_cancelling() -> bool:
    """Whether the running task itself is being cancelled (not just a future it awaited)."""
    task = asyncio.current_task()
    return task is not None and task.cancelling() > 0


def _answered(approval: Approval) -> bool:
    return approval.future.done() and not approval.future.cancelled()


SWITCH_LABELS = {
    "confirm_tool_calls": "Confirm every tool call",
    "ask_before_sharing_roots": "Ask before sharing roots",
}


def _nobody_answered(timeout: float) -> str:
    return f"Nobody answered within {timeout:g} second{'' if timeout == 1 else 's'}."
