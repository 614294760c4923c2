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


# Keys whose values are someone's own data or a JSON Schema, where a key named `_meta` is
# just a name: tool arguments and structured results, schemas, log data, sampling
# metadata, experimental capabilities, and `_meta` itself.
_DATA_KEYS = frozenset(
    {
        "_meta",
        "arguments",
        "data",
        "experimental",
        "inputSchema",
        "metadata",
        "outputSchema",
        "requestedSchema",
        "structuredContent",
    }
)


def meta_findings(container: Any, path: str, version: str) -> list[Finding]:
    """Findings for the keys of every `_meta` in `container` (`path` is the container's):
    its own, and those of what it holds (tools, resources, content blocks...)."""
    found: list[Finding] = []
    pending: list[tuple[Any, str]] = [(container, path)]
    while pending:
        node, where = pending.pop()
        if isinstance(node, dict):
            found += _keys_findings(node.get("_meta"), where, version)
            children = [
                (child, f"{where}.{key}")
                for key, child in node.items()
                if isinstance(child, dict | list)
                and key not in _DATA_KEYS
                # An elicitation's answer: the person's values, by field name.
                and not (key == "content" and isinstance(child, dict))
            ]
        elif isinstance(node, list):
            children = [
                (child, f"{where}[{index}]")
                for index, child in enumerate(node)
                if isinstance(child, dict | list)
            ]
        else:
            continue
        pending.extend(reversed(children))  # in document order
    return found


def _keys_findings(meta: Any, path: str, version: str) -> list[Finding]:
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
