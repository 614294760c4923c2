"""JSON paths as findings show them: `$.result.content[0].text`."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any


def json_path(root: str, parts: Iterable[Any]) -> str:
    return root + "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in parts)


def items(container: Any, key: str, root: str) -> list[tuple[str, dict[str, Any]]]:
    """The objects of the array at `container[key]`, each with its path (others skipped)."""
    values = container.get(key) if isinstance(container, dict) else None
    if not isinstance(values, list):
        return []
    return [
        (f"{root}.{key}[{index}]", value)
        for index, value in enumerate(values)
        if isinstance(value, dict)
    ]
