"""The report card: checks, grouped by section, with a summary and one verdict.

The JSON form (`Report.to_json()`) is an interface: scripts and CI read it, and a later
run compares itself with an earlier one (`--previous`). Its schema, `inspector-doctor/1`:

    {
      "format": "inspector-doctor/1",
      "target": "npx -y server" | "https://host/mcp",   the server, as given (no secrets)
      "transport": "stdio" | "http" | "sse",
      "started_at": "2026-12-06T08:00:00+00:00",          ISO 8601, UTC
      "ended_at": "...",
      "duration_ms": 1234.5,
      "inspector_version": "0.1.0",
      "server": {"name": ..., "version": ..., "title": ...} | null,
      "protocol_version": "2025-11-25" | null,            negotiated on the main connection
      "era": "legacy" | "modern" | null,
      "verdict": "pass" | "warning" | "fail",             the worst status of any check
      "summary": {SECTION: {"pass": n, "warning": n, "fail": n, "skipped": n}, ...,
                  "total": {...}},
      "sections": [
        {"id": SECTION, "title": "...", "checks": [
          {"id": "probe.unknown-method",                  stable, dotted
           "section": SECTION,
           "status": "pass" | "warning" | "fail" | "skipped",
           "sentence": "...",                             what was seen, and what to fix
           "evidence": [12, 13],                          seqs of the events that prove it
           "detail": {...},                               check-specific values
           "duration_ms": 3.2 | null}
        ]}
      ],
      "tools": {NAME: SHA-256 of the tool's definition},  what `--previous` compares
      "connect_error": {"layer": "process" | "dns" | "tcp" | "tls" | "http" | "protocol"
                        | "timeout" | "policy", "status": 401 | null, "message": "..."}
                       | null                             when the server was not reached
    }

Sections, in order: connection, authorization, versions, catalog, probes, tools,
security, speed. A new field (or section) may be added within format 1; a field is never
renamed or given another meaning without a new format number.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

FORMAT = "inspector-doctor/1"


class Status(StrEnum):
    PASS = "pass"
    WARNING = "warning"
    FAIL = "fail"
    SKIPPED = "skipped"


class Section(StrEnum):
    CONNECTION = "connection"
    AUTHORIZATION = "authorization"
    VERSIONS = "versions"
    CATALOG = "catalog"
    PROBES = "probes"
    TOOLS = "tools"
    SECURITY = "security"
    SPEED = "speed"

    @property
    def heading(self) -> str:
        return SECTION_TITLES[self]


SECTION_TITLES = {
    Section.CONNECTION: "Connection",
    Section.AUTHORIZATION: "Authorization",
    Section.VERSIONS: "Protocol versions",
    Section.CATALOG: "Catalog and messages",
    Section.PROBES: "Behaviour probes",
    Section.TOOLS: "Tool quality",
    Section.SECURITY: "Security of model-read text",
    Section.SPEED: "Speed",
}


@dataclass(frozen=True, slots=True)
class Check:
    id: str
    section: Section
    status: Status
    sentence: str
    evidence: tuple[int, ...] = ()
    detail: dict[str, Any] = field(default_factory=dict)
    duration_ms: float | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "section": self.section.value,
            "status": self.status.value,
            "sentence": self.sentence,
            "evidence": list(self.evidence),
            "detail": self.detail,
            "duration_ms": self.duration_ms,
        }


def seqs(*groups: Iterable[int | None] | int | None) -> tuple[int, ...]:
    """Event seqs, in order, each once, without the missing ones."""
    found: list[int] = []
    for group in groups:
        items = [group] if group is None or isinstance(group, int) else group
        found.extend(item for item in items if item is not None)
    return tuple(sorted(set(found)))


@dataclass(slots=True)
class Report:
    target: str
    transport: str
    started_at: float
    ended_at: float = 0.0
    inspector_version: str = ""
    server: dict[str, Any] | None = None
    protocol_version: str | None = None
    era: str | None = None
    checks: list[Check] = field(default_factory=list)
    tools: dict[str, str] = field(default_factory=dict)
    # How the first connection failed (layer, status, message), when it did.
    connect_error: dict[str, Any] | None = None

    def add(self, check: Check) -> None:
        self.checks.append(check)

    def has(self, check_id: str) -> bool:
        return any(check.id == check_id for check in self.checks)

    def in_section(self, section: Section) -> list[Check]:
        return [check for check in self.checks if check.section is section]

    def counts(self, checks: Iterable[Check]) -> dict[str, int]:
        counted = {status.value: 0 for status in Status}
        for check in checks:
            counted[check.status.value] += 1
        return counted

    def summary(self) -> dict[str, dict[str, int]]:
        summary = {section.value: self.counts(self.in_section(section)) for section in Section}
        summary["total"] = self.counts(self.checks)
        return summary

    @property
    def verdict(self) -> Status:
        statuses = {check.status for check in self.checks}
        for worst in (Status.FAIL, Status.WARNING):
            if worst in statuses:
                return worst
        return Status.PASS

    @property
    def duration_ms(self) -> float:
        return round(max(self.ended_at - self.started_at, 0.0) * 1000, 1)

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "target": self.target,
            "transport": self.transport,
            "started_at": _iso(self.started_at),
            "ended_at": _iso(self.ended_at),
            "duration_ms": self.duration_ms,
            "inspector_version": self.inspector_version,
            "server": self.server,
            "protocol_version": self.protocol_version,
            "era": self.era,
            "verdict": self.verdict.value,
            "summary": self.summary(),
            "sections": [
                {
                    "id": section.value,
                    "title": section.heading,
                    "checks": [check.to_json() for check in self.in_section(section)],
                }
                for section in Section
            ],
            "tools": self.tools,
            "connect_error": self.connect_error,
        }


def _iso(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, tz=UTC).isoformat(timespec="milliseconds")


class PreviousReportError(ValueError):
    """A `--previous` file that is not a report of this format."""


def previous_tools(document: Any) -> dict[str, str]:
    """The tool fingerprints of an earlier report's JSON; raise `PreviousReportError`."""
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise PreviousReportError(f"it is not an {FORMAT} report")
    tools = document.get("tools")
    if not isinstance(tools, dict) or not all(
        isinstance(name, str) and isinstance(digest, str) for name, digest in tools.items()
    ):
        raise PreviousReportError('its "tools" is not an object of names and fingerprints')
    return dict(tools)
