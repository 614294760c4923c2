"""JSON as editors write configuration files: comments and trailing commas allowed, and
objects whose keys repeat marked rather than silently keeping only the last value."""

from __future__ import annotations

import json
import re
from typing import Any


class RepeatedKeys(dict[str, Any]):
    """An object whose keys repeated; `json` alone would keep only the last one."""

    def __init__(self, pairs: list[tuple[str, Any]], repeated: list[str]) -> None:
        super().__init__(pairs)
        self.repeated = repeated


def load_jsonc(text: str) -> Any:
    """The document; `json.JSONDecodeError` when it is not JSON even with its comments
    and trailing commas taken out. The error is the strict parser's, so that its position
    points into the text as it was written."""
    try:
        return json.loads(text, object_pairs_hook=_checked_object)
    except json.JSONDecodeError as strict_error:
        try:
            return json.loads(_strip_jsonc(text), object_pairs_hook=_checked_object)
        except json.JSONDecodeError:
            raise strict_error from None


def _checked_object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    names = [name for name, _ in pairs]
    repeated = sorted({name for name in names if names.count(name) > 1})
    return RepeatedKeys(pairs, repeated) if repeated else dict(pairs)


# Strings first so that `//` inside a URL is left alone; then comments; then a comma that
# only closes a list or object.
_JSONC_TOKENS = re.compile(
    r'(?P<string>"(?:[^"\\]|\\.)*")|(?P<line>//[^\n]*)|(?P<block>/\*.*?\*/)'
    r"|(?P<comma>,(?=\s*(?:/\*.*?\*/\s*|//[^\n]*\s*)*[\]}]))",
    re.DOTALL,
)


def _strip_jsonc(text: str) -> str:
    def replace(match: re.Match[str]) -> str:
        if match.group("string") is not None:
            return match.group("string")
        if match.group("block") is not None:
            # Keep the line count so later errors still point at the right line.
            return "\n" * match.group("block").count("\n")
        return ""

    return _JSONC_TOKENS.sub(replace, text)
