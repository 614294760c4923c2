"""The surface snapshot and its file: one JSON document.

    {"format": "mcp-inspector-surface", "version": 1, "captured_at": "...",
     "target": "...", "server": {"name": ..., "version": ..., "title": ...,
     "protocol_version": ..., "capabilities": {...}, "instructions": ...},
     "tools": [...], "resources": [...], "resourceTemplates": [...], "prompts": [...]}

The lists hold the server's items as it sent them (the union of every page, in order).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

FORMAT = "mcp-inspector-surface"
FORMAT_VERSION = 1
# The lists of a surface: their key, the method that lists them, the capability that
# offers them, the field that names an item, and what one item is called.
LISTS: tuple[tuple[str, str, str, str, str], ...] = (
    ("tools", "tools/list", "tools", "name", "tool"),
    ("resources", "resources/list", "resources", "uri", "resource"),
    ("resourceTemplates", "resources/templates/list", "resources", "uriTemplate", "template"),
    ("prompts", "prompts/list", "prompts", "name", "prompt"),
)
LIST_KEYS = tuple(key for key, *_ in LISTS)


class SurfaceError(Exception):
    """A document that is not a surface snapshot this inspector can read."""


@dataclass(slots=True)
class Surface:
    server: dict[str, Any] = field(default_factory=dict)
    lists: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    target: str = ""
    captured_at: str = ""
    # Lists the source could not give whole (a listing cut short or never made).
    incomplete: list[str] = field(default_factory=list)

    def items(self, key: str) -> list[dict[str, Any]]:
        return self.lists.get(key, [])

    def to_json(self) -> dict[str, Any]:
        document: dict[str, Any] = {
            "format": FORMAT,
            "version": FORMAT_VERSION,
            "captured_at": self.captured_at,
            "target": self.target,
            "server": self.server,
        }
        for key in LIST_KEYS:
            if key in self.lists:
                document[key] = self.lists[key]
        if self.incomplete:
            document["incomplete"] = self.incomplete
        return document

    @classmethod
    def from_json(cls, document: Any) -> Surface:
        if not isinstance(document, dict) or document.get("format") != FORMAT:
            raise SurfaceError('not a surface snapshot (no "format": "mcp-inspector-surface")')
        version = document.get("version")
        if not isinstance(version, int) or version > FORMAT_VERSION:
            raise SurfaceError(
                f"written in format version {version!r}; this inspector reads up to "
                f"{FORMAT_VERSION}"
            )
        server = document.get("server")
        lists: dict[str, list[dict[str, Any]]] = {}
        for key in LIST_KEYS:
            items = document.get(key)
            if items is None:
                continue
            if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
                raise SurfaceError(f"{key} is not a list of objects")
            lists[key] = items
        incomplete = document.get("incomplete")
        return cls(
            server=server if isinstance(server, dict) else {},
            lists=lists,
            target=str(document.get("target", "")),
            captured_at=str(document.get("captured_at", "")),
            incomplete=[str(key) for key in incomplete] if isinstance(incomplete, list) else [],
        )


def server_summary(server_info: Any, protocol_version: Any, capabilities: Any,
                   instructions: Any) -> dict[str, Any]:  # fmt: skip
    """The `server` part of a surface, from what initialize (or discover) said."""
    info = server_info if isinstance(server_info, dict) else {}
    summary: dict[str, Any] = {
        "name": info.get("name", ""),
        "version": info.get("version", ""),
        "protocol_version": protocol_version or "",
        "capabilities": capabilities if isinstance(capabilities, dict) else {},
    }
    if info.get("title"):
        summary["title"] = info["title"]
    if instructions:
        summary["instructions"] = instructions
    return summary
