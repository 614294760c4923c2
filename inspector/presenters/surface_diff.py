"""A surface diff as a page shows it: each item that changed, and under it each field,
with the values before and after as short JSON text."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from inspector.surface.diff import FieldChange, SurfaceDiff

SHOWN_VALUE_CHARS = 200
_MARKS = {"added": "+", "removed": "-", "changed": "~"}


@dataclass(frozen=True, slots=True)
class FieldRow:
    path: str
    change: str
    before: str  # JSON text, empty when the field has no value on that side
    after: str


@dataclass(frozen=True, slots=True)
class ChangeRow:
    kind: str
    name: str
    change: str
    mark: str
    fields: tuple[FieldRow, ...]


@dataclass(frozen=True, slots=True)
class DiffView:
    same: bool
    summary: str
    rows: tuple[ChangeRow, ...]
    incomplete: tuple[str, ...]


def diff_view(diff: SurfaceDiff) -> DiffView:
    counts = diff.counts()
    summary = (
        "The surfaces are the same."
        if diff.same
        else f"{counts['added']} added, {counts['removed']} removed, {counts['changed']} changed."
    )
    rows = tuple(
        ChangeRow(
            change.kind,
            change.name,
            change.change,
            _MARKS[change.change],
            tuple(_field_row(each) for each in change.fields),
        )
        for change in diff.changes
    )
    return DiffView(diff.same, summary, rows, tuple(diff.incomplete))


def drift_summary(diff: SurfaceDiff) -> str:
    """One line: how many of each kind of item changed ("2 tools, 1 prompt")."""
    counted: dict[str, int] = {}
    for change in diff.changes:
        counted[change.kind] = counted.get(change.kind, 0) + 1
    return ", ".join(_counted(count, kind) for kind, count in counted.items())


def _counted(count: int, kind: str) -> str:
    return f"{count} {kind}" if count == 1 else f"{count} {kind}s"


def _field_row(change: FieldChange) -> FieldRow:
    before = _value(change.before) if change.change in ("removed", "changed") else ""
    after = _value(change.after) if change.change in ("added", "changed") else ""
    return FieldRow(change.path, change.change, before, after)


def _value(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= SHOWN_VALUE_CHARS else text[: SHOWN_VALUE_CHARS - 1] + "…"
