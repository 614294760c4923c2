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
    and trailing commas taken out, at the place of the fault in the text as it was
    written (comments and commas are blanked, not removed, so every position holds)."""
    try:
        return json.loads(_blank_jsonc(text), object_pairs_hook=_checked_object)
    except json.JSONDecodeError as error:
        raise json.JSONDecodeError(error.msg, text, error.pos) from None
    except RecursionError:
        # Lists or objects nested thousands deep: no configuration is, and the decoder
        # gives up on them with a RecursionError rather than a decode error.
        raise json.JSONDecodeError("Nested too deeply", text, 0) from None


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


def _blank_jsonc(text: str) -> str:
    """The text with comments and trailing commas turned into spaces (line breaks kept)."""

    def replace(match: re.Match[str]) -> str:
        if match.group("string") is not None:
            return match.group("string")
        return _NOT_A_LINE_BREAK.sub(" ", match.group())

    return _JSONC_TOKENS.sub(replace, text)


_NOT_A_LINE_BREAK = re.compile(r"[^\r\n]")
