"""Baselines: a saved server's surface pinned by a person, and how each later session of
that saved server drifted from it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from inspector.services.runtime import registry
from inspector.services.sessions import session_owned
from inspector.services.snapshots import SessionSnapshot
from inspector.services.surface_compare import session_surface
from inspector.sessions.status import SessionStatus
from inspector.storage.baselines import StoredBaseline, baseline_of, pin_baseline
from inspector.storage.db import in_db_thread
from inspector.surface.capture import CaptureError, listed_surface
from inspector.surface.diff import SurfaceDiff, diff_surfaces
from inspector.surface.model import Surface, SurfaceError

__all__ = ["Drift", "NoSavedServer", "baseline_pin", "session_drift"]


class NoSavedServer(Exception):
    """The session was not opened from a saved server (of this owner) that still exists."""


@dataclass(frozen=True, slots=True)
class Drift:
    server_id: int
    server_name: str
    pinned_at: datetime | None  # None: no baseline pinned yet
    diff: SurfaceDiff | None  # the baseline (before) against this session (after)

    @property
    def drifted_tools(self) -> dict[str, str]:
        """Each tool that changed or appeared since the baseline, and how."""
        if self.diff is None:
            return {}
        return {
            change.name: change.change
            for change in self.diff.changes
            if change.kind == "tool" and change.change != "removed"
        }


async def session_drift(*, session_id: str, owner_id: int | None, ask_server: bool = True) -> Drift:
    """The session's surface against its saved server's baseline; a connected session's
    lists are asked for again (its log shows it) unless `ask_server` is False (a viewer
    watching), a recorded one's read from its events. Raises `NoSavedServer`."""
    snapshot, stored = await _saved_server(session_id, owner_id)
    if stored.document is None:
        return Drift(stored.server_id, stored.server_name, None, None)
    try:
        baseline = Surface.from_json(stored.document)
    except SurfaceError:
        return Drift(stored.server_id, stored.server_name, None, None)
    current = await _current_surface(snapshot, ask_server=ask_server)
    drift = Drift(
        stored.server_id,
        stored.server_name,
        stored.pinned_at,
        diff_surfaces(_as_far_as(baseline, current), current),
    )
    _tell_consent(snapshot.id, drift)
    return drift


async def baseline_pin(*, session_id: str, owner_id: int | None) -> Drift:
    """Pin the session's surface as its saved server's baseline (a first one, or accepting
    the drift); the drift from it afterwards, which is none."""
    snapshot, stored = await _saved_server(session_id, owner_id)
    current = await _current_surface(snapshot)
    pinned = await in_db_thread(pin_baseline)(stored.server_id, owner_id, current.to_json())
    if pinned is None:
        raise NoSavedServer(session_id)
    drift = Drift(pinned.server_id, pinned.server_name, pinned.pinned_at, SurfaceDiff())
    _tell_consent(snapshot.id, drift)
    return drift


async def _saved_server(
    session_id: str, owner_id: int | None
) -> tuple[SessionSnapshot, StoredBaseline]:
    snapshot = await session_owned(session_id=session_id, owner_id=owner_id)
    server_id = snapshot.spec.get("saved_server")
    if not isinstance(server_id, int):
        raise NoSavedServer(session_id)
    stored = await in_db_thread(baseline_of)(server_id, owner_id)
    if stored is None:
        raise NoSavedServer(session_id)
    return snapshot, stored


async def _current_surface(snapshot: SessionSnapshot, *, ask_server: bool = True) -> Surface:
    live = registry().get(snapshot.id)
    if ask_server and live is not None and live.status is SessionStatus.CONNECTED:
        try:
            return await listed_surface(live, target=snapshot.target)
        except CaptureError:
            pass  # disconnected meanwhile: what it recorded will do
    return await session_surface(session_id=snapshot.id)


def _tell_consent(session_id: str, drift: Drift) -> None:
    """A live session's tool-call confirmations say which tools drifted."""
    live = registry().get(session_id)
    if live is None:
        return
    live.consent.drifted_tools = drift.drifted_tools
    pinned = drift.pinned_at
    live.consent.baseline_pinned = f"{pinned:%Y-%m-%d %H:%M} UTC" if pinned else ""


def _as_far_as(baseline: Surface, current: Surface) -> Surface:
    """The baseline, with only the lists the session has whole: a list it never asked
    for (a recorded session's) is not a list that lost every item."""
    kept = {
        key: items
        for key, items in baseline.lists.items()
        if key in current.lists and key not in current.incomplete
    }
    return Surface(
        baseline.server, kept, baseline.target, baseline.captured_at, baseline.incomplete
    )
