"""The composition root: the process-wide session registry, wired to the database and
the channel layer."""

from __future__ import annotations

from functools import cache

from inspector.broadcast import announce_events
from inspector.replay.runs import ReplayRuns
from inspector.services.doctor_runs import DoctorRuns
from inspector.sessions.registry import SessionRegistry
from inspector.storage.events import DatabaseEventStore
from inspector.storage.tokens import DatabaseTokenStore


@cache
def event_store() -> DatabaseEventStore:
    return DatabaseEventStore()


@cache
def registry() -> SessionRegistry:
    return SessionRegistry(
        store=event_store(), watchers=[announce_events], token_stores=DatabaseTokenStore
    )


@cache
def doctor_runs() -> DoctorRuns:
    return DoctorRuns()


@cache
def replay_runs() -> ReplayRuns:
    """The replays running in this process (each sends through one of its live sessions)."""
    return ReplayRuns()
