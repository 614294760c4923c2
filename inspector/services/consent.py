"""The approvals inbox, the roots and the consent switches of a session.

Pages read a `ConsentState` and change things only through these functions, so that
every answer and every switch is recorded in the session's log.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from inspector.services.snapshots import resident_session
from inspector.sessions.approvals import AlreadySettled, Approval, ApprovalKind, Decision
from inspector.sessions.consent import SWITCH_LABELS
from inspector.sessions.roots import Root, add_root, parse_root


class UnknownSwitch(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class ApprovalSnapshot:
    """An approval as it stands: what the server asked, and whether it is still open."""

    id: str
    kind: ApprovalKind
    method: str
    params: dict[str, Any]
    context: dict[str, Any]  # what the page needs besides the params (annotations, roots)
    request_seq: int | None
    pending: bool
    settled_text: str
    related_task: str | None
    # The person's answer once given ("" before): its word (approved, declined...) and who.
    outcome: str = ""
    answered_by: str = ""

    @classmethod
    def of(cls, approval: Approval) -> ApprovalSnapshot:
        return cls(
            id=approval.id,
            kind=approval.kind,
            method=approval.method,
            params=copy.deepcopy(approval.params),
            context=copy.deepcopy(approval.context),
            request_seq=approval.request_seq,
            pending=approval.pending,
            settled_text=approval.settled_text,
            related_task=approval.related_task,
            outcome=approval.decision.outcome if approval.decision else "",
            answered_by=approval.decision.by if approval.decision else "",
        )


class ApprovalSettled(Exception):
    """Another page answered first, or the request went away."""

    def __init__(self, approval: ApprovalSnapshot) -> None:
        super().__init__(approval.settled_text)
        self.approval = approval


@dataclass(frozen=True, slots=True)
class Switch:
    name: str
    label: str
    on: bool


@dataclass(frozen=True, slots=True)
class ConsentState:
    """What a session's inbox holds and what its switches and roots are, as of now."""

    pending: tuple[ApprovalSnapshot, ...]
    url_followups: tuple[ApprovalSnapshot, ...]
    roots: tuple[Root, ...]
    switches: tuple[Switch, ...]

    @property
    def wire_roots(self) -> list[dict[str, Any]]:
        """The roots as `roots/list` would send them."""
        return [root.to_wire() for root in self.roots]


async def consent_get(*, session_id: str) -> ConsentState:
    consent = resident_session(session_id).consent
    return ConsentState(
        pending=tuple(ApprovalSnapshot.of(approval) for approval in consent.inbox.pending()),
        url_followups=tuple(
            ApprovalSnapshot.of(approval) for approval in consent.inbox.url_followups()
        ),
        roots=tuple(consent.roots),
        switches=tuple(
            Switch(name, label, bool(getattr(consent, name)))
            for name, label in SWITCH_LABELS.items()
        ),
    )


async def approval_get(*, session_id: str, approval_id: str) -> ApprovalSnapshot:
    """An approval, pending or settled; `UnknownApproval` when the inbox has no such one."""
    return ApprovalSnapshot.of(resident_session(session_id).consent.inbox.get(approval_id))


async def approval_answer(
    *, session_id: str, approval_id: str, decision: Decision
) -> ApprovalSnapshot:
    """Answer a pending approval; `ApprovalSettled` if another page answered first."""
    inbox = resident_session(session_id).consent.inbox
    try:
        return ApprovalSnapshot.of(inbox.answer(approval_id, decision))
    except AlreadySettled as exc:
        raise ApprovalSettled(ApprovalSnapshot.of(exc.approval)) from exc


async def switch_set(*, session_id: str, name: str, on: bool) -> None:
    if name not in SWITCH_LABELS:
        raise UnknownSwitch(name)
    resident_session(session_id).consent.set_switch(name, on)


async def root_add(*, session_id: str, location: str, name: str) -> None:
    """Share one more root with the server; `InvalidRoot` says what is wrong with it."""
    session = resident_session(session_id)
    await session.set_roots(add_root(session.consent.roots, parse_root(location, name)))


async def root_remove(*, session_id: str, uri: str) -> None:
    session = resident_session(session_id)
    kept = [root for root in session.consent.roots if root.uri != uri]
    if len(kept) != len(session.consent.roots):
        await session.set_roots(kept)
