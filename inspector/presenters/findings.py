"""What a page shows of the findings on a message: a badge for its row, and each finding."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from inspector.mcp.findings import Finding, Severity

# Worst first: the badge takes the colour and word of the first one present.
SEVERITY_ORDER = (Severity.ERROR, Severity.WARNING, Severity.INFO)


@dataclass(frozen=True, slots=True)
class FindingsBadge:
    """How many findings a message drew and the worst of them, in words as well as colour."""

    count: int
    severity: str

    @property
    def label(self) -> str:
        noun = "finding" if self.count == 1 else "findings"
        return f"{self.count} {noun}, worst: {self.severity}"


def worst_severity(findings: Sequence[Finding]) -> Severity | None:
    present = {finding.severity for finding in findings}
    return next((severity for severity in SEVERITY_ORDER if severity in present), None)


def findings_badge(findings: Sequence[Finding]) -> FindingsBadge | None:
    worst = worst_severity(findings)
    if worst is None:
        return None
    return FindingsBadge(count=len(findings), severity=worst.value)
