"""Protocol revisions the client knows, and what differs between them."""

from __future__ import annotations

from enum import StrEnum


class Era(StrEnum):
    LEGACY = "legacy"
    MODERN = "modern"


LEGACY_VERSIONS: tuple[str, ...] = ("2024-11-05", "2025-03-26", "2025-06-18", "2025-11-25")
MODERN_VERSIONS: tuple[str, ...] = ("2026-07-28",)
KNOWN_VERSIONS: tuple[str, ...] = LEGACY_VERSIONS + MODERN_VERSIONS
DEFAULT_VERSION = "2025-11-25"


def era_of(version: str) -> Era:
    return Era.MODERN if version in MODERN_VERSIONS else Era.LEGACY


def is_known(version: str) -> bool:
    return version in KNOWN_VERSIONS


def allows_batches(version: str) -> bool:
    """JSON-RPC batches existed in 2025-03-26 only: added there, removed in 2025-06-18."""
    return version == "2025-03-26"


def sends_protocol_version_header(version: str) -> bool:
    """`MCP-Protocol-Version` is required on HTTP requests after negotiation from 2025-06-18."""
    return is_known(version) and version >= "2025-06-18"
