"""Checks of message contents against the shapes the negotiated version defines.

A violation is a finding on the event, never an exception: the inspector records what
the server sent and says where it breaks the rules.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ValidationError

from inspector.mcp.findings import Finding
from inspector.mcp.models import InitializeResult

RESULT_SHAPES: dict[str, type[BaseModel]] = {
    "initialize": InitializeResult,
}


def result_findings(method: str, result: Any) -> list[Finding]:
    """Findings for a result, judged by the method of the request it answers."""
    shape = RESULT_SHAPES.get(method)
    if shape is None:
        return []
    try:
        shape.model_validate(result)
    except ValidationError as exc:
        return [_finding(f"schema.{method}", error, "$.result") for error in exc.errors()]
    return []


def _finding(rule: str, error: Any, root: str) -> Finding:
    path = root + "".join(
        f"[{part}]" if isinstance(part, int) else f".{part}" for part in error["loc"]
    )
    return Finding(rule, str(error["msg"]), path)
