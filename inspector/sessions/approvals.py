"""The approvals inbox: what waits for a person before the session may go on.

A server's sampling, elicitation and roots requests, and (in consent mode) the
inspector's own tool calls, become `Approval`s. Any page watching the session may answer
one, and only the first answer counts. Every change (opened, answered, withdrawn) is
recorded in the session's event log, which is persisted: the inbox's audit trail
outlives the process.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from inspector.mcp.eras.tasks import RELATED_TASK
from inspector.mcp.trace import EventKind, RequestId, TraceEvent, local_event

# Answered URL elicitations remembered, so that the server's completion notice can be
# matched to the request it finishes.
URL_ELICITATIONS_REMEMBERED = 256
URL_FOLLOWUPS_SHOWN = 5


class ApprovalKind(StrEnum):
    SAMPLING = "sampling"
    ELICITATION = "elicitation"
    ROOTS = "roots"
    TOOL_CALL = "tool_call"

    @property
    def label(self) -> str:
        return {
            "sampling": "Sampling request",
            "elicitation": "Elicitation",
            "roots": "Roots request",
            "tool_call": "Tool call awaiting confirmation",
        }[self.value]


class ApprovalState(StrEnum):
    PENDING = "pending"
    ANSWERED = "answered"
    WITHDRAWN = "withdrawn"  # the server cancelled, it timed out, or the session closed


@dataclass(frozen=True, slots=True)
class Decision:
    """A person's answer. `result` goes back to the server; `error` refuses the request.

    `outcome` is the word the audit log uses: approved, rejected, accepted, declined,
    cancelled, confirmed, refused.
    """

    outcome: str
    by: str
    result: dict[str, Any] | None = None
    error_code: int | None = None
    error_message: str = ""


class AlreadySettled(Exception):
    """The approval was answered or withdrawn before this answer arrived."""

    def __init__(self, approval: Approval) -> None:
        super().__init__(approval.settled_text)
        self.approval = approval


class UnknownApproval(Exception):
    pass


@dataclass(slots=True)
class Approval:
    kind: ApprovalKind
    method: str
    params: dict[str, Any]
    # The server's request (id and the seq of its event); None for a tool-call consent.
    request_id: RequestId | None = None
    request_seq: int | None = None
    # Anything the page needs besides the params: a tool's annotations, a root list.
    context: dict[str, Any] = field(default_factory=dict)
    id: str = field(default_factory=lambda: uuid.uuid4().hex)
    created_at: float = field(default_factory=time.time)
    state: ApprovalState = ApprovalState.PENDING
    decision: Decision | None = None
    reason: str = ""
    future: asyncio.Future[Decision] = field(
        default_factory=lambda: asyncio.get_running_loop().create_future()
    )

    @property
    def pending(self) -> bool:
        return self.state is ApprovalState.PENDING

    @property
    def related_task(self) -> str | None:
        """The task a server request belongs to (2025-11-25 tasks), if it says so."""
        meta = self.params.get("_meta")
        related = meta.get(RELATED_TASK) if isinstance(meta, dict) else None
        task_id = related.get("taskId") if isinstance(related, dict) else None
        return task_id if isinstance(task_id, str) else None

    @property
    def settled_text(self) -> str:
        if self.decision is not None:
            return f"Already {self.decision.outcome} by {self.decision.by}."
        if self.state is ApprovalState.WITHDRAWN:
            return f"No longer waiting: {self.reason}"
        return "Still waiting for an answer."


class ApprovalInbox:
    """The pending approvals of one session, in arrival order."""

    def __init__(self, record: Callable[[TraceEvent], None]) -> None:
        self._record = record
        self._pending: dict[str, Approval] = {}
        # Settled approvals stay findable for a while, so a late answer is told who won.
        self._settled: OrderedDict[str, Approval] = OrderedDict()
        self._url_elicitations: OrderedDict[str, Approval] = OrderedDict()

    def pending(self) -> list[Approval]:
        return list(self._pending.values())

    def __len__(self) -> int:
        return len(self._pending)

    def holds_server_request(self) -> bool:
        """Whether a server's request waits for a person (not just a held tool call)."""
        return any(approval.request_id is not None for approval in self._pending.values())

    def get(self, approval_id: str) -> Approval:
        approval = self._pending.get(approval_id) or self._settled.get(approval_id)
        if approval is None:
            raise UnknownApproval(approval_id)
        return approval

    def open(
        self,
        kind: ApprovalKind,
        method: str,
        params: dict[str, Any],
        *,
        request_id: RequestId | None = None,
        request_seq: int | None = None,
        context: dict[str, Any] | None = None,
    ) -> Approval:
        approval = Approval(
            kind, method, params, request_id, request_seq, context=dict(context or {})
        )
        self._pending[approval.id] = approval
        self._audit(approval, f"{kind.label} waits in the inbox", "opened")
        return approval

    def answer(self, approval_id: str, decision: Decision) -> Approval:
        """Settle a pending approval; raise `AlreadySettled` if another answer won."""
        approval = self.get(approval_id)
        if not approval.pending:
            raise AlreadySettled(approval)
        approval.state = ApprovalState.ANSWERED
        approval.decision = decision
        self._settle(approval)
        if not approval.future.done():
            approval.future.set_result(decision)
        self._audit(
            approval, f"{approval.kind.label} {decision.outcome} by {decision.by}", "answered"
        )
        elicitation_id = approval.params.get("elicitationId")
        if approval.params.get("mode") == "url" and isinstance(elicitation_id, str):
            self._url_elicitations[elicitation_id] = approval
            while len(self._url_elicitations) > URL_ELICITATIONS_REMEMBERED:
                self._url_elicitations.popitem(last=False)
        return approval

    def withdraw(self, approval: Approval, reason: str) -> None:
        """The request went away unanswered (cancelled, timed out, session closed)."""
        if not approval.pending:
            return
        approval.state = ApprovalState.WITHDRAWN
        approval.reason = reason
        self._settle(approval)
        if not approval.future.done():
            approval.future.cancel()
        self._audit(approval, f"{approval.kind.label} left the inbox: {reason}", "withdrawn")

    def withdraw_all(self, reason: str) -> None:
        for approval in self.pending():
            self.withdraw(approval, reason)

    def url_elicitation_completed(self, elicitation_id: Any) -> Approval | None:
        """The server says a URL elicitation finished; unknown ids are ignored."""
        approval = (
            self._url_elicitations.get(elicitation_id) if isinstance(elicitation_id, str) else None
        )
        if approval is None or approval.context.get("completed"):
            return None
        approval.context["completed"] = True
        self._audit(approval, "The server reports the URL elicitation complete", "url_complete")
        return approval

    def url_followups(self) -> list[Approval]:
        """Accepted URL elicitations, newest first: their links stay on every page until
        the person has followed them, and each shows whether the server reported it done."""
        return [
            approval
            for approval in reversed(self._url_elicitations.values())
            if approval.decision is not None and approval.decision.outcome == "accepted"
        ][:URL_FOLLOWUPS_SHOWN]

    def _settle(self, approval: Approval) -> None:
        self._pending.pop(approval.id, None)
        self._settled[approval.id] = approval
        while len(self._settled) > URL_ELICITATIONS_REMEMBERED:
            self._settled.popitem(last=False)

    def _audit(self, approval: Approval, text: str, change: str) -> None:
        decision = approval.decision
        detail: dict[str, Any] = {
            "approval": approval.id,
            "approval_kind": approval.kind.value,
            "change": change,
            "method": approval.method,
            "pending": len(self._pending),
        }
        if approval.request_seq is not None:
            detail["request_seq"] = approval.request_seq
        if change == "answered" and decision is not None:
            detail.update(outcome=decision.outcome, by=decision.by)
        if change == "withdrawn":
            detail["reason"] = approval.reason
        self._record(local_event(EventKind.APPROVAL, text, **detail))
