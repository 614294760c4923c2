"""A session's findings grouped by the rule they broke, for the Findings view."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from inspector.mcp.judge.rules import RULES
from inspector.mcp.trace import TraceEvent
from inspector.presenters.events import event_summary
from inspector.presenters.findings import SEVERITY_ORDER

# A rule broken by a flood of messages would list thousands of links; past this many the
# view offers the rest, a page at a time.
SHOWN_OCCURRENCES = 50
OCCURRENCES_PAGE = 500


@dataclass(frozen=True, slots=True)
class Occurrence:
    """One event that broke the rule, and where in its message."""

    seq: int
    summary: str
    path: str
    message: str


@dataclass(slots=True)
class RuleGroup:
    rule: str
    severity: str
    # The rule's one sentence; empty for a rule this inspector no longer knows (a
    # recorded session from another version of it).
    explanation: str
    spec_url: str
    count: int = 0
    occurrences: list[Occurrence] = field(default_factory=list)

    @property
    def hidden(self) -> int:
        return self.count - len(self.occurrences)


@dataclass(frozen=True, slots=True)
class OccurrencePage:
    """Further events that broke one rule, after those already listed."""

    rule: str
    occurrences: list[Occurrence]
    next_start: int | None  # where the page after this one starts; None at the end
    remaining: int  # how many are left after this page


def rule_groups(events: Iterable[TraceEvent]) -> list[RuleGroup]:
    """Worst severity first, then the rules broken most often."""
    groups: dict[str, RuleGroup] = {}
    for event in events:
        if event.seq is None:
            continue
        for finding in event.findings:
            group = groups.get(finding.rule)
            if group is None:
                known = RULES.get(finding.rule)
                group = groups[finding.rule] = RuleGroup(
                    rule=finding.rule,
                    severity=finding.severity.value,
                    explanation=known.sentence if known else "",
                    spec_url=finding.spec_url,
                )
            group.count += 1
            if len(group.occurrences) < SHOWN_OCCURRENCES:
                group.occurrences.append(
                    Occurrence(event.seq, event_summary(event), finding.path, finding.message)
                )
    rank = {severity.value: index for index, severity in enumerate(SEVERITY_ORDER)}
    return sorted(
        groups.values(), key=lambda group: (rank[group.severity], -group.count, group.rule)
    )


def occurrence_page(
    events: Iterable[TraceEvent], rule: str, start: int, size: int | None = None
) -> OccurrencePage:
    """The events from the `start`-th (counting from 0) that broke `rule`, a page of them."""
    size = size or OCCURRENCES_PAGE
    found: list[Occurrence] = []
    total = 0
    for event in events:
        if event.seq is None:
            continue
        for finding in event.findings:
            if finding.rule != rule:
                continue
            if start <= total < start + size:
                found.append(
                    Occurrence(event.seq, event_summary(event), finding.path, finding.message)
                )
            total += 1
    end = start + len(found)
    return OccurrencePage(
        rule=rule,
        occurrences=found,
        next_start=end if end < total else None,
        remaining=max(0, total - end),
    )
