"""Protocol revisions the client knows, and what differs between them."""

from __future__ import annotations

from enum import StrEnum


class Era(StrEnum):
    LEGACY = "legacy"
    MODERN = "modern"


class EraChoice(StrEnum):
    """What a connection is told to speak: one era, or whichever the server does."""

    LEGACY = "legacy"
    MODERN = "modern"
    AUTO = "auto"

    @property
    def label(self) -> str:
        return {
            "legacy": "Legacy (initialize handshake)",
            "modern": "Modern (2026-07-28, stateless)",
            "auto": "Auto-detect",
        }[self.value]


LEGACY_VERSIONS: tuple[str, ...] = ("2024-11-05", "2025-03-26", "2025-06-18", "2025-11-25")
MODERN_VERSIONS: tuple[str, ...] = ("2026-07-28",)
KNOWN_VERSIONS: tuple[str, ...] = LEGACY_VERSIONS + MODERN_VERSIONS
DEFAULT_VERSION = "2025-11-25"
LATEST_MODERN_VERSION = MODERN_VERSIONS[-1]
# The HTTP header that names the protocol version a request speaks.
PROTOCOL_VERSION_HEADER = "MCP-Protocol-Version"


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


def modern_version_for(requested: str) -> str:
    """The modern version to offer when `requested` (the connection's setting) is legacy."""
    return requested if era_of(requested) is Era.MODERN else LATEST_MODERN_VERSION


def legacy_version_for(requested: str) -> str:
    """The legacy version to offer in `initialize` when `requested` is a modern one."""
    return requested if era_of(requested) is Era.LEGACY else DEFAULT_VERSION
