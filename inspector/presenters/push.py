"""What one websocket push covers, read event by event without keeping them all.

Under a flood a push may cover tens of thousands of events. The page is shown only the
newest `tail` of them as rows (the rest are stored, and "load earlier" reaches them);
but what the others say still counts: requests they answered, the session's status, and
the signals the page's scripts act on.
"""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Iterable
from typing import Any

from inspector.mcp.trace import EventKind, TraceEvent
from inspector.presenters.events import Outcome, outcome_of
from inspector.presenters.signals import event_signals

# The most answered requests a push updates in place (rows the page may still show).
MAX_LATE_OUTCOMES = 200


class PushDigest:
    def __init__(self, tail: int) -> None:
        self.count = 0
        self.last_seq = 0
        self.status_changed = False
        self._tail: deque[TraceEvent] = deque(maxlen=tail)
        self._outcomes: dict[int, Outcome] = {}
        self._signals: dict[str, dict[str, Any]] = {}

    def add(self, events: Iterable[TraceEvent]) -> None:
        page = list(events)
        for event in page:
            assert event.seq is not None
            self.count += 1
            self.last_seq = event.seq
            self._tail.append(event)
            if event.request_seq is not None:
                self._outcomes.pop(event.request_seq, None)
                self._outcomes[event.request_seq] = outcome_of(event)
            if event.kind is EventKind.LIFECYCLE:
                self.status_changed = True
        for signal in event_signals(page):
            key = _signal_key(signal)
            self._signals.pop(key, None)
            self._signals[key] = signal  # the latest, in the order they last came
        while len(self._outcomes) > MAX_LATE_OUTCOMES:
            del self._outcomes[next(iter(self._outcomes))]

    @property
    def rendered(self) -> list[TraceEvent]:
        """The newest events, oldest first: the rows the push shows."""
        return list(self._tail)

    @property
    def skipped(self) -> bool:
        """Whether older events of the push were left out of its rows."""
        return self.count > len(self._tail)

    def late_outcomes(self) -> list[tuple[int, Outcome]]:
        """Requests answered in this push whose rows the push does not carry."""
        shown = {event.seq for event in self._tail}
        return [(seq, outcome) for seq, outcome in self._outcomes.items() if seq not in shown]

    def signals(self) -> list[dict[str, Any]]:
        """One signal of each kind: a flood of progress notifications says where each
        call stands now, not every step it took."""
        return list(self._signals.values())


def _signal_key(signal: dict[str, Any]) -> str:
    if signal["type"] == "progress":
        return "progress:" + str(signal["token"])
    if signal["type"] == "task_status":
        return "task:" + str(signal["task"])
    return json.dumps(signal, sort_keys=True)
