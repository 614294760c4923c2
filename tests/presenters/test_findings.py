"""The findings badge (a count and the worst severity, in words as well as colour), the
session's totals, and its findings grouped by rule."""

from __future__ import annotations

from inspector.mcp.findings import Finding, Severity
from inspector.mcp.judge.rules import RULES
from inspector.mcp.trace import Direction, EventKind, MessageType, TraceEvent
from inspector.presenters.findings import (
    events_findings,
    findings_badge,
    findings_totals,
    worst_severity,
)
from inspector.presenters.rule_groups import SHOWN_OCCURRENCES, rule_groups


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


def flagged(seq: int, *findings: Finding) -> TraceEvent:
    return TraceEvent(
        kind=EventKind.MESSAGE,
        direction=Direction.IN,
        seq=seq,
        message_type=MessageType.NOTIFICATION,
        method="notifications/message",
        findings=list(findings),
    )


def test_rule_groups_put_the_worst_first_and_count_every_occurrence() -> None:
    level = Finding(rule="logging.level", message="no such level", path="$.params.level")
    name = Finding(rule="tools.name", message="bad", severity=Severity.WARNING)
    gone = Finding(rule="retired.rule", message="old", severity=Severity.INFO)
    events = [flagged(3, name, level), flagged(5, level), flagged(9, gone)]
    groups = rule_groups(events)
    assert [(group.rule, group.count) for group in groups] == [
        ("logging.level", 2),
        ("tools.name", 1),
        ("retired.rule", 1),
    ]
    first = groups[0]
    assert first.explanation == RULES["logging.level"].sentence
    assert [(o.seq, o.summary, o.path) for o in first.occurrences] == [
        (3, "notifications/message", "$.params.level"),
        (5, "notifications/message", "$.params.level"),
    ]
    assert groups[2].explanation == ""
    totals = findings_totals(events_findings(events))
    assert (totals.errors, totals.warnings, totals.infos) == (2, 1, 1)


def test_a_rule_broken_by_a_flood_lists_its_first_occurrences_and_counts_the_rest() -> None:
    level = Finding(rule="logging.level", message="no such level")
    groups = rule_groups(flagged(seq, level) for seq in range(1, SHOWN_OCCURRENCES + 11))
    assert groups[0].count == SHOWN_OCCURRENCES + 10
    assert groups[0].hidden == 10
