"""A message's JSON laid out as people read it, with the lines each finding points at
marked: the value at the finding's path, or the nearest value around it that exists."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from inspector.mcp.findings import Finding

INDENT = "  "


@dataclass(frozen=True, slots=True)
class JsonLine:
    text: str
    # The rules whose finding points at this line's value (or a value it is part of).
    rules: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class _Span:
    """The lines a value takes, under every spelling of its path findings use."""

    paths: tuple[str, ...]
    first: int
    last: int


def marked_json(value: Any, findings: Sequence[Finding]) -> list[JsonLine]:
    """The lines of `indented_json(value)`, each finding's value marked. A finding about the
    whole message (`$`) marks nothing: every line would be."""
    lines: list[str] = []
    spans: list[_Span] = []
    _layout(value, "$", ("$",), 0, "", "", lines, spans)
    rules: list[list[str]] = [[] for _ in lines]
    for finding in findings:
        span = _target(spans, finding.path)
        if span is None:
            continue
        for number in range(span.first, span.last + 1):
            if finding.rule not in rules[number]:
                rules[number].append(finding.rule)
    return [JsonLine(text, tuple(marks)) for text, marks in zip(lines, rules, strict=True)]


def _layout(
    value: Any,
    path: str,
    paths: tuple[str, ...],
    depth: int,
    lead: str,
    trail: str,
    lines: list[str],
    spans: list[_Span],
) -> None:
    """Lays a value out as `json.dumps(indent=2, ensure_ascii=False)` does, line by line,
    noting the lines it takes."""
    pad = INDENT * depth
    first = len(lines)
    if isinstance(value, dict) and value:
        lines.append(f"{pad}{lead}{{")
        for index, (key, child) in enumerate(value.items()):
            child_path = f"{path}.{key}"
            # Keys that are not names are written as `['key']` (see the _meta checks).
            aliases = (child_path, f"{path}[{key!r}]")
            comma = "," if index < len(value) - 1 else ""
            key_lead = f"{_scalar(key)}: "
            _layout(child, child_path, aliases, depth + 1, key_lead, comma, lines, spans)
        lines.append(f"{pad}}}{trail}")
    elif isinstance(value, list) and value:
        lines.append(f"{pad}{lead}[")
        for index, child in enumerate(value):
            child_path = f"{path}[{index}]"
            comma = "," if index < len(value) - 1 else ""
            _layout(child, child_path, (child_path,), depth + 1, "", comma, lines, spans)
        lines.append(f"{pad}]{trail}")
    else:
        lines.append(f"{pad}{lead}{_scalar(value)}{trail}")
    spans.append(_Span(paths, first, len(lines) - 1))


def _scalar(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _target(spans: list[_Span], path: str) -> _Span | None:
    """The value at `path`, else the deepest value that holds it (a missing field marks
    the object it is missing from); never the whole message."""
    best: _Span | None = None
    best_length = 0
    for span in spans:
        for alias in span.paths:
            if alias == path:
                return span if alias != "$" else None
            holds = path.startswith(alias) and path[len(alias) : len(alias) + 1] in (".", "[")
            if holds and alias != "$" and len(alias) > best_length:
                best, best_length = span, len(alias)
    return best
