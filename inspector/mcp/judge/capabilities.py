"""Capability rules that need no memory of the connection, shared by both eras: the
elicitation mode a server asks for against the modes the client declared."""

from __future__ import annotations

from typing import Any

from inspector.mcp.findings import Finding
from inspector.mcp.judge.rules import finding

FORM_MODE = "form"


def elicitation_mode_findings(
    params: dict[str, Any], declared: Any, path: str, version: str
) -> list[Finding]:
    """An elicitation in a mode the client did not declare. `path` is where the request's
    params are: `$.params` for a legacy request, the input request's params in the modern
    era."""
    mode = params.get("mode", FORM_MODE)
    modes = declared if isinstance(declared, dict) else {}
    # An empty elicitation capability means form mode only.
    allowed = mode in modes or (mode == FORM_MODE and not modes)
    if not isinstance(mode, str) or allowed:
        return []
    return [
        finding(
            "capabilities.elicitation-mode",
            f"The client did not declare elicitation mode {mode!r}.",
            f"{path}.mode",
            version,
        )
    ]
