"""Keeping the database in bounds: the retention rules applied once (`python manage.py
prune`) or every so often by a task the web process owns.

The rules (settings, 0 turns each off):
- `INSPECTOR_RETENTION_DAYS`: a session that ended more than this many days ago is
  deleted with its events.
- `INSPECTOR_MAX_EVENTS_PER_SESSION`: an ended session keeps its newest this many events;
  the older ones are deleted (the session's record, with its server's identity and
  capabilities, stays).
A live session is never touched: neither one recorded as connecting or connected, nor any
this process holds (an ended one it holds may be reconnected).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from inspector.services.runtime import registry
from inspector.storage import retention
from inspector.storage.retention import Pruned

logger = logging.getLogger(__name__)

__all__ = ["Pruned", "RetentionRules", "RetentionTask", "retention_apply"]


@dataclass(frozen=True, slots=True)
class RetentionRules:
    days: int = 0
    max_events: int = 0

    @classmethod
    def from_settings(cls) -> RetentionRules:
        return cls(
            days=settings.INSPECTOR_RETENTION_DAYS,
            max_events=settings.INSPECTOR_MAX_EVENTS_PER_SESSION,
        )

    @property
    def active(self) -> bool:
        return self.days > 0 or self.max_events > 0


async def retention_apply(*, rules: RetentionRules, now: datetime | None = None) -> Pruned:
    """Apply the rules once; what was deleted."""
    # Every session this process holds is spared, ended ones too: one may reconnect.
    live = [session.id for session in registry().all()]
    sessions = events = 0
    if rules.days > 0:
        cutoff = (now or timezone.now()) - timedelta(days=rules.days)
        sessions = await retention.delete_ended_before(cutoff, live=live)
    if rules.max_events > 0:
        events = await retention.trim_events(rules.max_events, live=live)
    return Pruned(sessions=sessions, events=events)


class RetentionTask:
    """Applies the rules now and then every `interval` seconds, in a task it owns:
    `start` on the server's start-up, `stop` (cancels and waits) on its shutdown."""

    def __init__(self, rules: RetentionRules, interval: float) -> None:
        self.rules = rules
        self.interval = interval
        self._task: asyncio.Task[None] | None = None
        self.runs = 0
        # Set after each round, for whoever waits to see one done.
        self.round_done = asyncio.Event()

    @classmethod
    def from_settings(cls) -> RetentionTask:
        return cls(RetentionRules.from_settings(), settings.INSPECTOR_RETENTION_INTERVAL)

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    def start(self) -> None:
        """Start, unless running already or there is nothing to do."""
        if self.running or not self.rules.active or self.interval <= 0:
            return
        self._task = asyncio.get_running_loop().create_task(self._run(), name="retention")

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is None:
            return
        task.cancel()
        # Waits for it to end; a cancellation of the caller itself still propagates.
        await asyncio.gather(task, return_exceptions=True)

    async def _run(self) -> None:
        while True:
            try:
                pruned = await retention_apply(rules=self.rules)
            except Exception:
                # A failed round (the database away a moment) is logged; the next may pass.
                logger.exception("Applying the retention rules failed")
            else:
                if pruned.sessions or pruned.events:
                    logger.info(
                        "Retention deleted %d sessions and %d events",
                        pruned.sessions,
                        pruned.events,
                    )
            self.runs += 1
            self.round_done.set()
            await asyncio.sleep(self.interval)
