"""What a page shows of the findings on a message: a badge for its row, and each finding."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from inspector.mcp.findings import Finding, Severity
from inspector.mcp.trace import TraceEvent

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


@dataclass(frozen=True, slots=True)
class FindingsTotals:
    """A session's findings counted by severity, for its header."""

    errors: int = 0
    warnings: int = 0
    infos: int = 0

    @property
    def any(self) -> bool:
        return bool(self.errors or self.warnings or self.infos)


def findings_totals(findings: Iterable[Finding]) -> FindingsTotals:
    counts = Counter(finding.severity for finding in findings)
    return FindingsTotals(
        errors=counts[Severity.ERROR],
        warnings=counts[Severity.WARNING],
        infos=counts[Severity.INFO],
    )


def events_findings(events: Iterable[TraceEvent]) -> Iterator[Finding]:
    for event in events:
        yield from event.findings
