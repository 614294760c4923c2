"""JSON a server sent, read leniently (a value of the wrong type reads as absent, so that
a presenter shows what it can and never raises), and written back for people to read."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, TypeGuard


def as_text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def as_mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def at_path(node: Any, *path: str) -> Any:
    """The value under `path` in nested objects; None where the path breaks."""
    for key in path:
        if not isinstance(node, dict):
            return None
        node = node.get(key)
    return node


def is_integer(value: Any) -> TypeGuard[int]:
    """A JSON integer (Python's `bool` is an `int`, JSON's is not)."""
    return isinstance(value, int) and not isinstance(value, bool)


def number(value: Any) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return None


def indented_json(value: Any) -> str:
    """JSON for people to read: indented, in the order the server sent it, and with its
    non-ASCII text as text."""
    return json.dumps(value, indent=2, ensure_ascii=False)
