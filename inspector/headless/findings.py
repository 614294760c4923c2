"""The findings of one headless call: what the message checks noticed, and on which message.

Each finding keeps the event it was raised on (its seq, direction and method), so that a
script can find the message in the `--trace` file and a person can tell which call broke
which rule. `--strict` looks only at the server's messages: a finding on one of ours is
the inspector's to fix, not the server's.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from inspector.mcp.findings import Finding, Severity
from inspector.mcp.trace import Direction, TraceEvent


@dataclass(frozen=True, slots=True)
class CallFinding:
    seq: int
    direction: Direction
    method: str | None
    finding: Finding

    def to_dict(self) -> dict[str, Any]:
        finding = self.finding
        return {
            "seq": self.seq,
            "direction": self.direction.value,
            "method": self.method,
            "rule": finding.rule,
            "severity": finding.severity.value,
            "message": finding.message,
            "path": finding.path,
            "spec_url": finding.spec_url,
        }

    @property
    def fails_strict(self) -> bool:
        return self.direction is Direction.IN and self.finding.severity is Severity.ERROR


def findings_of(event: TraceEvent) -> list[CallFinding]:
    return [
        CallFinding(event.seq or 0, event.direction, event.method, finding)
        for finding in event.findings
    ]


def strict_rules(findings: Iterable[CallFinding]) -> list[str]:
    """The rule ids that make `--strict` fail, each once, in the order first raised."""
    return list(dict.fromkeys(item.finding.rule for item in findings if item.fails_strict))
