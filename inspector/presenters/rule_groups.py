"""A session's findings grouped by the rule they broke, for the Findings view."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from inspector.mcp.judge.rules import RULES
from inspector.mcp.trace import TraceEvent
from inspector.presenters.events import event_summary
from inspector.presenters.findings import SEVERITY_ORDER

# A rule broken by a flood of messages would list thousands of links; past this many the
# view says how many more there are (the Protocol tab's filter shows every one).
SHOWN_OCCURRENCES = 50


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
