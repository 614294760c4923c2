"""Content rules: what the schema's `string` fields must also be (base64, MIME types,
URIs) and the ranges of annotations, on every content block and resource a server sends."""

from __future__ import annotations

import binascii
import re
from base64 import b64decode
from datetime import datetime
from typing import Any

from inspector.mcp.findings import Finding
from inspector.mcp.judge.paths import items
from inspector.mcp.judge.rules import finding
from inspector.mcp.versions import KNOWN_VERSIONS

# RFC 6838 type/subtype (restricted-name characters), with optional parameters.
_MIME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*(\s*;.*)?$")
# RFC 3986: a scheme, then anything but whitespace.
_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:\S*$")
# The first version that defines each content block type (2024-11-05 had text, image, resource).
CONTENT_TYPE_SINCE = {
    "audio": "2025-03-26",
    "resource_link": "2025-06-18",
    "tool_use": "2025-11-25",
    "tool_result": "2025-11-25",
}


def result_content_findings(method: str, result: dict[str, Any], version: str) -> list[Finding]:
    """Content rules for the result of `method`."""
    root = "$.result"
    found: list[Finding] = []
    if method == "tools/call":
        for path, block in items(result, "content", root):
            found += block_findings(block, path, version)
        if "isError" in result and not isinstance(result["isError"], bool):
            found.append(
                finding(
                    "content.is-error", "isError must be true or false.", f"{root}.isError", version
                )
            )
    elif method == "prompts/get":
        for path, message in items(result, "messages", root):
            content = message.get("content")
            if isinstance(content, dict):
                found += block_findings(content, f"{path}.content", version)
    elif method == "resources/read":
        for path, contents in items(result, "contents", root):
            found += resource_findings(contents, path, version)
    elif method in ("resources/list", "resources/templates/list"):
        key = "resources" if method == "resources/list" else "resourceTemplates"
        for path, resource in items(result, key, root):
            found += resource_findings(
                resource, path, version, uri_key="uri" if key == "resources" else ""
            )
    return found


def request_content_findings(
    method: str, params: dict[str, Any], version: str, root: str = "$.params"
) -> list[Finding]:
    """Content rules for a request of the server's: the messages it asks a model to
    sample from carry content blocks like any result."""
    found: list[Finding] = []
    if method == "sampling/createMessage":
        for path, message in items(params, "messages", root):
            found += _blocks_findings(message.get("content"), f"{path}.content", version)
    return found


def _blocks_findings(content: Any, path: str, version: str) -> list[Finding]:
    """One content block, or (sampling from 2025-11-25) an array of them."""
    if isinstance(content, dict):
        return block_findings(content, path, version)
    if isinstance(content, list):
        return [
            each
            for index, block in enumerate(content)
            if isinstance(block, dict)
            for each in block_findings(block, f"{path}[{index}]", version)
        ]
    return []


def block_findings(block: dict[str, Any], path: str, version: str) -> list[Finding]:
    kind = block.get("type")
    found: list[Finding] = []
    since = CONTENT_TYPE_SINCE.get(kind) if isinstance(kind, str) else None
    if since is not None and KNOWN_VERSIONS.index(version) < KNOWN_VERSIONS.index(since):
        found.append(
            finding(
                "version.field",
                f"Content of type {kind!r} exists from protocol {since}, not in {version}.",
                f"{path}.type",
                version,
            )
        )
    if kind in ("image", "audio"):
        found += _base64(block.get("data"), f"{path}.data", version)
        found += _mime(block.get("mimeType"), f"{path}.mimeType", version)
    elif kind == "resource_link":
        found += resource_findings(block, path, version)
    elif kind == "resource" and isinstance(block.get("resource"), dict):
        found += resource_findings(block["resource"], f"{path}.resource", version)
    elif kind == "tool_result":
        found += _blocks_findings(block.get("content"), f"{path}.content", version)
    found += annotation_findings(block.get("annotations"), f"{path}.annotations", version)
    return found


def resource_findings(
    resource: dict[str, Any], path: str, version: str, *, uri_key: str = "uri"
) -> list[Finding]:
    found: list[Finding] = []
    uri = resource.get(uri_key) if uri_key else None
    if isinstance(uri, str) and not _URI.match(uri):
        found.append(finding("content.uri", f"{uri!r} is not a URI.", f"{path}.{uri_key}", version))
    found += _mime(resource.get("mimeType"), f"{path}.mimeType", version)
    if "blob" in resource:
        found += _base64(resource.get("blob"), f"{path}.blob", version)
    found += annotation_findings(resource.get("annotations"), f"{path}.annotations", version)
    return found


def annotation_findings(annotations: Any, path: str, version: str) -> list[Finding]:
    if not isinstance(annotations, dict):
        return []
    found: list[Finding] = []
    priority = annotations.get("priority")
    if (
        isinstance(priority, int | float)
        and not isinstance(priority, bool)
        and not 0 <= priority <= 1
    ):
        found.append(
            finding(
                "content.annotations",
                f"priority {priority} is outside 0 to 1.",
                f"{path}.priority",
                version,
            )
        )
    modified = annotations.get("lastModified")
    if isinstance(modified, str) and not _iso_8601(modified):
        found.append(
            finding(
                "content.annotations",
                f"lastModified {modified!r} is not an ISO 8601 timestamp.",
                f"{path}.lastModified",
                version,
            )
        )
    return found


def _iso_8601(value: str) -> bool:
    try:
        datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


def _base64(value: Any, path: str, version: str) -> list[Finding]:
    if not isinstance(value, str):
        return []
    try:
        b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return [finding("content.base64", "The data is not valid base64.", path, version)]
    return []


def _mime(value: Any, path: str, version: str) -> list[Finding]:
    if isinstance(value, str) and not _MIME.match(value):
        return [finding("content.mime-type", f"{value!r} is not a MIME type.", path, version)]
    return []
