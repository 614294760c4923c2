"""What changed between two report cards of the same server: per check id, what got
better, what got worse, what is new and what is gone."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# Worse is higher; a skipped check is neither better nor worse than one that ran.
RANK = {"pass": 0, "warning": 1, "fail": 2}


@dataclass(frozen=True, slots=True)
class Change:
    id: str
    before: str | None
    after: str | None
    sentence: str


@dataclass(slots=True)
class Changes:
    better: list[Change] = field(default_factory=list)
    worse: list[Change] = field(default_factory=list)
    new: list[Change] = field(default_factory=list)
    gone: list[Change] = field(default_factory=list)
    # Checks that ran in one report and were skipped in the other.
    other: list[Change] = field(default_factory=list)

    @property
    def any(self) -> bool:
        return bool(self.better or self.worse or self.new or self.gone or self.other)


def compare(previous: dict[str, Any], current: dict[str, Any]) -> Changes:
    before = _checks(previous)
    after = _checks(current)
    changes = Changes()
    for check_id, (status, sentence) in after.items():
        if check_id not in before:
            changes.new.append(Change(check_id, None, status, sentence))
            continue
        was, _ = before[check_id]
        if was == status:
            continue
        change = Change(check_id, was, status, sentence)
        if was in RANK and status in RANK:
            (changes.worse if RANK[status] > RANK[was] else changes.better).append(change)
        else:
            changes.other.append(change)
    for check_id, (status, sentence) in before.items():
        if check_id not in after:
            changes.gone.append(Change(check_id, status, None, sentence))
    return changes


def _checks(document: dict[str, Any]) -> dict[str, tuple[str, str]]:
    found: dict[str, tuple[str, str]] = {}
    for section in document.get("sections") or ():
        for check in section.get("checks") or () if isinstance(section, dict) else ():
            if isinstance(check, dict) and "id" in check:
                found[str(check["id"])] = (str(check.get("status")), str(check.get("sentence")))
    return found
