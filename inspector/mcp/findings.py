"""Findings: what the inspector noticed to be wrong about a message, attached to its event."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True, slots=True)
class Finding:
    rule: str
    message: str
    path: str = "$"
    severity: Severity = Severity.ERROR
    # The spec page of the negotiated version that states the rule; empty when none does
    # (events stored before findings carried it have none either).
    spec_url: str = ""

    def to_dict(self) -> dict[str, Any]:
        data = {
            "rule": self.rule,
            "message": self.message,
            "path": self.path,
            "severity": self.severity.value,
        }
        if self.spec_url:
            data["spec_url"] = self.spec_url
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Finding:
        return cls(
            rule=str(data["rule"]),
            message=str(data["message"]),
            path=str(data.get("path", "$")),
            severity=Severity(data.get("severity", "error")),
            spec_url=str(data.get("spec_url", "")),
        )
