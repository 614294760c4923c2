"""A surface diff for people (text, Markdown) and for programs (JSON)."""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Any

from inspector.surface.diff import FieldChange, SurfaceDiff

SHOWN_VALUE_CHARS = 120


class DiffFormat(StrEnum):
    TEXT = "text"
    JSON = "json"
    MARKDOWN = "markdown"


def render_diff(diff: SurfaceDiff, output: DiffFormat, *, before: str, after: str) -> str:
    if output is DiffFormat.JSON:
        return json.dumps({"before": before, "after": after, **diff.to_json()}, indent=2) + "\n"
    if output is DiffFormat.MARKDOWN:
        return _markdown(diff, before, after)
    return _text(diff, before, after)


def _summary(diff: SurfaceDiff) -> str:
    if diff.same:
        return "The surfaces are the same."
    counts = diff.counts()
    return f"{counts['added']} added, {counts['removed']} removed, {counts['changed']} changed."


def _text(diff: SurfaceDiff, before: str, after: str) -> str:
    lines = [f"--- {before}", f"+++ {after}", _summary(diff)]
    for change in diff.changes:
        mark = {"added": "+", "removed": "-", "changed": "~"}[change.change]
        lines.append(f"{mark} {change.kind} {change.name}: {change.change}")
        lines.extend(f"    {_field(each)}" for each in change.fields)
    lines.extend(_gaps(diff))
    return "\n".join(lines) + "\n"


def _markdown(diff: SurfaceDiff, before: str, after: str) -> str:
    lines = [f"## Surface diff: `{_md(before)}` → `{_md(after)}`", "", _summary(diff), ""]
    for change in diff.changes:
        lines.append(f"- **{change.kind} `{_md(change.name)}`**: {change.change}")
        lines.extend(f"  - {_md(_field(each))}" for each in change.fields)
    gaps = _gaps(diff)
    if gaps:
        lines += ["", *gaps]
    return "\n".join(lines) + "\n"


def _field(change: FieldChange) -> str:
    if change.change == "changed":
        return f"{change.path}: {_value(change.before)} → {_value(change.after)}"
    if change.change == "added":
        return f"{change.path}: added ({_value(change.after)})"
    if change.change == "removed":
        return f"{change.path}: removed (was {_value(change.before)})"
    return f"{change.path}: {change.change}"


def _gaps(diff: SurfaceDiff) -> list[str]:
    if not diff.incomplete:
        return []
    return [
        "Note: not listed whole on one side (its listing was cut short): "
        + ", ".join(diff.incomplete)
    ]


def _value(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= SHOWN_VALUE_CHARS else text[: SHOWN_VALUE_CHARS - 1] + "…"


def _md(text: str) -> str:
    return text.replace("`", "'").replace("\n", " ")
