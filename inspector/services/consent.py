"""The approvals inbox, the roots and the consent switches of a session.

Pages read a `ConsentState` and change things only through these functions, so that
every answer and every switch is recorded in the session's log.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from inspector.services.snapshots import resident_session
from inspector.sessions.approvals import Approval, Decision
from inspector.sessions.consent import SWITCH_LABELS
from inspector.sessions.roots import Root, add_root, parse_root


class UnknownSwitch(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class Switch:
    name: str
    label: str
    on: bool


@dataclass(frozen=True, slots=True)
class ConsentState:
    """What a session's inbox holds and what its switches and roots are, as of now."""

    pending: tuple[Approval, ...]
    url_followups: tuple[Approval, ...]
    roots: tuple[Root, ...]
    switches: tuple[Switch, ...]

    @property
    def wire_roots(self) -> list[dict[str, Any]]:
        """The roots as `roots/list` would send them."""
        return [root.to_wire() for root in self.roots]


async def consent_get(*, session_id: str) -> ConsentState:
    consent = resident_session(session_id).consent
    return ConsentState(
        pending=tuple(consent.inbox.pending()),
        url_followups=tuple(consent.inbox.url_followups()),
        roots=tuple(consent.roots),
        switches=tuple(
            Switch(name, label, bool(getattr(consent, name)))
            for name, label in SWITCH_LABELS.items()
        ),
    )


async def approval_get(*, session_id: str, approval_id: str) -> Approval:
    """An approval, pending or settled; `UnknownApproval` when the inbox has no such one."""
    return resident_session(session_id).consent.inbox.get(approval_id)


async def approval_answer(*, session_id: str, approval_id: str, decision: Decision) -> Approval:
    """Answer a pending approval; `AlreadySettled` if another page answered first."""
    return resident_session(session_id).consent.inbox.answer(approval_id, decision)


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
