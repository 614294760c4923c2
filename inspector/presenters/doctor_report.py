"""A report card's JSON (`inspector-doctor/1`) as its page shows it: the verdict in plain
words, the counts per section, what to fix first, and each check with its evidence."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

STATUSES = ("fail", "warning", "pass", "skipped")
HEADLINES = {
    "pass": "Nothing to fix",
    "warning": "Works, with things worth fixing",
    "fail": "Needs fixing",
}
EXPLANATIONS = {
    "pass": "Every check that ran passed.",
    "warning": "Nothing failed, but some checks found things that trouble clients or users.",
    "fail": "The server breaks the protocol, or puts the people who use it at risk, in the "
    "ways listed below. Each one says what was seen and what to change.",
}
STATUS_WORDS = {"pass": "Passed", "warning": "Warning", "fail": "Failed", "skipped": "Skipped"}


@dataclass(frozen=True, slots=True)
class CheckRow:
    id: str
    section_title: str
    status: str
    sentence: str
    evidence: tuple[int, ...]
    detail: dict[str, Any]
    duration_ms: float | None

    @property
    def anchor(self) -> str:
        """An element id: check ids are dotted words of our own making."""
        return "check-" + "".join(char if char.isalnum() else "-" for char in self.id)

    @property
    def status_word(self) -> str:
        return STATUS_WORDS.get(self.status, self.status)


@dataclass(frozen=True, slots=True)
class SectionView:
    id: str
    title: str
    counts: dict[str, int]
    checks: list[CheckRow] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class ReportView:
    verdict: str
    headline: str
    explanation: str
    totals: dict[str, int]
    sections: list[SectionView]
    to_fix: list[CheckRow]
    server: dict[str, Any] | None
    protocol_version: str | None
    era: str | None
    duration_seconds: float
    inspector_version: str
    connect_error: dict[str, Any] | None


def report_view(document: dict[str, Any]) -> ReportView:
    sections = [_section(section) for section in document.get("sections") or ()]
    checks = [check for section in sections for check in section.checks]
    verdict = str(document.get("verdict", "pass"))
    to_fix = [c for c in checks if c.status == "fail"] + [
        c for c in checks if c.status == "warning"
    ]
    return ReportView(
        verdict=verdict,
        headline=HEADLINES.get(verdict, verdict),
        explanation=EXPLANATIONS.get(verdict, ""),
        totals=_counts(checks),
        sections=sections,
        to_fix=to_fix,
        server=document.get("server") if isinstance(document.get("server"), dict) else None,
        protocol_version=document.get("protocol_version"),
        era=document.get("era"),
        duration_seconds=round(float(document.get("duration_ms") or 0) / 1000, 1),
        inspector_version=str(document.get("inspector_version", "")),
        connect_error=document.get("connect_error"),
    )


def _section(data: dict[str, Any]) -> SectionView:
    title = str(data.get("title", data.get("id", "")))
    checks = [
        CheckRow(
            id=str(check.get("id", "")),
            section_title=title,
            status=str(check.get("status", "")),
            sentence=str(check.get("sentence", "")),
            evidence=tuple(seq for seq in check.get("evidence") or () if isinstance(seq, int)),
            detail=_dict(check.get("detail")),
            duration_ms=check.get("duration_ms"),
        )
        for check in data.get("checks") or ()
        if isinstance(check, dict)
    ]
    return SectionView(
        id=str(data.get("id", "")), title=title, counts=_counts(checks), checks=checks
    )


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _counts(checks: list[CheckRow]) -> dict[str, int]:
    counts = dict.fromkeys(STATUSES, 0)
    for check in checks:
        if check.status in counts:
            counts[check.status] += 1
    return counts
