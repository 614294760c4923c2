"""A replay's outcomes as a page shows them: one row a request, its verdict, and each
difference with the recorded and replayed values as short JSON text."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from inspector.replay.compare import Difference
from inspector.replay.run import StepOutcome

SHOWN_VALUE_CHARS = 200


@dataclass(frozen=True, slots=True)
class DifferenceRow:
    path: str
    recorded: str  # empty when the path is missing on that side
    replayed: str


@dataclass(frozen=True, slots=True)
class OutcomeRow:
    seq: int  # the recorded request's event
    label: str
    verdict: str
    reason: str
    differences: tuple[DifferenceRow, ...]
    replayed_seq: int | None  # the event that ended the replayed request


def outcome_rows(outcomes: tuple[StepOutcome, ...]) -> list[OutcomeRow]:
    return [
        OutcomeRow(
            each.step.seq,
            each.step.label,
            each.verdict.value,
            each.reason,
            tuple(_difference(found) for found in each.differences),
            each.response_seq if each.response_seq is not None else each.request_seq,
        )
        for each in outcomes
    ]


def verdict_counts(outcomes: tuple[StepOutcome, ...]) -> dict[str, int]:
    counted = {"same": 0, "different": 0, "failed": 0, "skipped": 0}
    for each in outcomes:
        counted[each.verdict.value] += 1
    return counted


def _difference(found: Difference) -> DifferenceRow:
    return DifferenceRow(
        found.path,
        "" if found.missing == "before" else _value(found.before),
        "" if found.missing == "after" else _value(found.after),
    )


def _value(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= SHOWN_VALUE_CHARS else text[: SHOWN_VALUE_CHARS - 1] + "…"
