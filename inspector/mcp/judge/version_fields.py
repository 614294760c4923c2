"""Fields a server sends that the negotiated (older) version does not define yet.

`mcp-types` checks every version before 2026-07-28 against the 2025-11-25 schema, which
ignores unknown fields either way; this table adds what each older version lacked. Content
block types are gated in `content`.
"""

from __future__ import annotations

from typing import Any

from inspector.mcp.findings import Finding
from inspector.mcp.judge.paths import items
from inspector.mcp.judge.rules import finding
from inspector.mcp.versions import KNOWN_VERSIONS, LEGACY_VERSIONS

# result method -> (array of items or "" for the result itself, field, first version).
FIELDS_SINCE: dict[str, tuple[tuple[str, str, str], ...]] = {
    "initialize": (
        ("", "capabilities.completions", "2025-03-26"),
        ("", "capabilities.tasks", "2025-11-25"),
        ("", "serverInfo.title", "2025-06-18"),
        ("", "serverInfo.icons", "2025-11-25"),
        ("", "serverInfo.websiteUrl", "2025-11-25"),
        ("", "serverInfo.description", "2025-11-25"),
    ),
    "tools/list": (
        ("tools", "annotations", "2025-03-26"),
        ("tools", "title", "2025-06-18"),
        ("tools", "outputSchema", "2025-06-18"),
        ("tools", "icons", "2025-11-25"),
        ("tools", "execution", "2025-11-25"),
    ),
    "tools/call": (("", "structuredContent", "2025-06-18"),),
    "prompts/list": (("prompts", "title", "2025-06-18"), ("prompts", "icons", "2025-11-25")),
    "resources/list": (("resources", "title", "2025-06-18"), ("resources", "icons", "2025-11-25")),
    "resources/templates/list": (
        ("resourceTemplates", "title", "2025-06-18"),
        ("resourceTemplates", "icons", "2025-11-25"),
    ),
}


def too_new_findings(method: str, result: dict[str, Any], version: str) -> list[Finding]:
    if version not in LEGACY_VERSIONS:
        return []
    rank = KNOWN_VERSIONS.index(version)
    found: list[Finding] = []
    for array, field, since in FIELDS_SINCE.get(method, ()):
        if rank >= KNOWN_VERSIONS.index(since):
            continue
        holders = items(result, array, "$.result") if array else [("$.result", result)]
        for path, holder in holders:
            if _has(holder, field):
                found.append(
                    finding(
                        "version.field",
                        f"{field} exists from protocol {since}, not in {version}.",
                        f"{path}.{field}",
                        version,
                    )
                )
    return found


def _has(holder: dict[str, Any], dotted: str) -> bool:
    node: Any = holder
    for part in dotted.split("."):
        if not isinstance(node, dict) or part not in node:
            return False
        node = node[part]
    return True
