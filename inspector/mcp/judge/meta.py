"""`_meta` key names (an optional reverse-DNS prefix, then a name) and log levels."""

from __future__ import annotations

import re
from typing import Any

from inspector.mcp.findings import Finding
from inspector.mcp.judge.rules import finding
from inspector.mcp.log_levels import LOG_LEVELS

_LABEL = r"[A-Za-z](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
_NAME = r"(?:[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)?"
_KEY = re.compile(rf"^(?:(?P<prefix>{_LABEL}(?:\.{_LABEL})*)/)?{_NAME}$")
_RESERVED_SECOND_LABELS = ("modelcontextprotocol", "mcp")
# The reserved keys the protocol itself defines (its versions and extensions).
KNOWN_RESERVED_KEYS = frozenset(
    f"io.modelcontextprotocol/{name}"
    for name in (
        "related-task",
        "clientCapabilities",
        "clientInfo",
        "logLevel",
        "protocolVersion",
        "serverInfo",
        "subscriptionId",
        "tasks",
        "oauth-client-credentials",
    )
)


def meta_findings(container: Any, path: str, version: str) -> list[Finding]:
    """Findings for the keys of `container._meta` (`path` is the container's)."""
    meta = container.get("_meta") if isinstance(container, dict) else None
    if not isinstance(meta, dict):
        return []
    found: list[Finding] = []
    for key in meta:
        match = _KEY.match(key)
        where = f"{path}._meta[{key!r}]"
        if match is None:
            found.append(
                finding("meta.key", f"{key!r} is not a well-formed _meta key.", where, version)
            )
            continue
        prefix = match.group("prefix")
        labels = prefix.split(".") if prefix else []
        if (
            len(labels) > 1
            and labels[1] in _RESERVED_SECOND_LABELS
            and key not in KNOWN_RESERVED_KEYS
        ):
            found.append(
                finding(
                    "meta.reserved-prefix",
                    f"{key!r} uses a prefix reserved for the protocol's own keys.",
                    where,
                    version,
                )
            )
    return found


def level_findings(params: Any, path: str, version: str) -> list[Finding]:
    level = params.get("level") if isinstance(params, dict) else None
    if level is None or level in LOG_LEVELS:
        return []
    return [
        finding(
            "logging.level",
            f"{level!r} is not a log level ({', '.join(LOG_LEVELS)}).",
            f"{path}.level",
            version,
        )
    ]
