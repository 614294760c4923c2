"""The findings badge: a count and the worst severity, in words as well as colour."""

from __future__ import annotations

from inspector.mcp.findings import Finding, Severity
from inspector.presenters.findings import findings_badge, worst_severity


def finding(severity: Severity) -> Finding:
    return Finding(rule="rule.id", message="wrong", severity=severity)


def test_no_findings_no_badge() -> None:
    assert findings_badge([]) is None
    assert worst_severity([]) is None


def test_the_badge_takes_the_worst_severity_and_counts_them_all() -> None:
    badge = findings_badge(
        [finding(Severity.INFO), finding(Severity.ERROR), finding(Severity.WARNING)]
    )
    assert badge is not None
    assert (badge.count, badge.severity) == (3, "error")
    assert badge.label == "3 findings, worst: error"


def test_one_warning_is_one_finding() -> None:
    badge = findings_badge([finding(Severity.WARNING)])
    assert badge is not None
    assert badge.label == "1 finding, worst: warning"
