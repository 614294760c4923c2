"""Two JSON answers compared, path by path, except where the paths to ignore say.

Paths are written as findings write them (`$.result.content[0].text`). A path to ignore
may use `[*]` for any index, `.*` for any key, and `..` for any depth: `$..timestamp`
ignores every `timestamp`; a path also ignores everything below it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

# What differs from one run to the next by nature: times, and the envelope's metadata.
DEFAULT_IGNORED = ("$.._meta", "$..timestamp", "$..createdAt", "$..lastUpdatedAt")
_STEP = r"(?:\.[^.\[]+|\[\d+\])"


@dataclass(frozen=True, slots=True)
class Difference:
    path: str
    before: Any
    after: Any
    missing: str = ""  # "before" or "after" when the path exists on one side only

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"path": self.path}
        if self.missing != "before":
            data["recorded"] = self.before
        if self.missing != "after":
            data["replayed"] = self.after
        return data


class IgnoredPaths:
    def __init__(self, patterns: Iterable[str]) -> None:
        self.patterns = tuple(patterns)
        self._compiled = [_compile(pattern) for pattern in self.patterns]

    def __contains__(self, path: str) -> bool:
        return any(pattern.match(path) for pattern in self._compiled)


class BadPattern(ValueError):
    pass


def _compile(pattern: str) -> re.Pattern[str]:
    if not pattern.startswith("$"):
        raise BadPattern(f"{pattern!r} is not a path: paths start with $ ($.result.x)")
    body = re.escape(pattern[1:])
    body = body.replace(r"\[\*\]", r"\[\d+\]").replace(r"\.\.", f"{_STEP}*\\.")
    body = body.replace(r"\.\*", r"\.[^.\[]+")
    return re.compile(rf"^\${body}(?:$|[.\[])")


def differences(
    before: Any, after: Any, ignored: IgnoredPaths, path: str = "$"
) -> list[Difference]:
    found: list[Difference] = []
    _walk(before, after, path, ignored, found)
    return found


def _walk(
    before: Any, after: Any, path: str, ignored: IgnoredPaths, found: list[Difference]
) -> None:
    if path in ignored or before == after:
        return
    if isinstance(before, dict) and isinstance(after, dict):
        for key in [*before, *(key for key in after if key not in before)]:
            where = f"{path}.{key}"
            if where in ignored:
                continue
            if key not in after:
                found.append(Difference(where, before[key], None, missing="after"))
            elif key not in before:
                found.append(Difference(where, None, after[key], missing="before"))
            else:
                _walk(before[key], after[key], where, ignored, found)
        return
    if isinstance(before, list) and isinstance(after, list):
        _lists(before, after, path, ignored, found)
        return
    found.append(Difference(path, before, after))


def _lists(
    before: Sequence[Any], after: Sequence[Any], path: str, ignored: IgnoredPaths,
    found: list[Difference],
) -> None:  # fmt: skip
    for index in range(max(len(before), len(after))):
        where = f"{path}[{index}]"
        if index >= len(after):
            found.append(Difference(where, before[index], None, missing="after"))
        elif index >= len(before):
            found.append(Difference(where, None, after[index], missing="before"))
        else:
            _walk(before[index], after[index], where, ignored, found)
