"""A report read back from its JSON (`inspector-doctor/1`), as the web keeps it, so that
the same renderers (text, JUnit, Markdown) can write it again later. Only `ended_at` may
come back a millisecond off; the JSON itself is best served as it was kept."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from inspector.doctor.report import FORMAT, Check, PreviousReportError, Report, Section, Status


def report_from_json(document: Any) -> Report:
    """The report `Report.to_json()` wrote; raise `PreviousReportError` for anything else.
    A check of a section or status this version does not know is left out."""
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise PreviousReportError(f"it is not an {FORMAT} report")
    started_at = _timestamp(document.get("started_at"))
    duration_ms = document.get("duration_ms")
    # The timestamps are kept to the millisecond, the duration to a tenth of one: the end
    # is put back from the duration, so that the renderers show the duration as it was.
    ended_at = (
        started_at + duration_ms / 1000
        if isinstance(duration_ms, int | float)
        else _timestamp(document.get("ended_at"))
    )
    report = Report(
        target=str(document.get("target", "")),
        transport=str(document.get("transport", "")),
        started_at=started_at,
        ended_at=ended_at,
        inspector_version=str(document.get("inspector_version", "")),
        server=_dict_or_none(document.get("server")),
        protocol_version=document.get("protocol_version"),
        era=document.get("era"),
        tools=dict(document.get("tools") or {}),
        connect_error=_dict_or_none(document.get("connect_error")),
    )
    for section in document.get("sections") or ():
        for check in section.get("checks") or () if isinstance(section, dict) else ():
            parsed = _check(check)
            if parsed is not None:
                report.add(parsed)
    return report


def _check(data: Any) -> Check | None:
    if not isinstance(data, dict):
        return None
    try:
        section = Section(str(data.get("section")))
        status = Status(str(data.get("status")))
    except ValueError:
        return None
    evidence = tuple(seq for seq in data.get("evidence") or () if isinstance(seq, int))
    duration = data.get("duration_ms")
    return Check(
        id=str(data.get("id", "")),
        section=section,
        status=status,
        sentence=str(data.get("sentence", "")),
        evidence=evidence,
        detail=_dict_or_none(data.get("detail")) or {},
        duration_ms=float(duration) if isinstance(duration, int | float) else None,
    )


def _timestamp(value: Any) -> float:
    try:
        return datetime.fromisoformat(str(value)).timestamp()
    except ValueError:
        return 0.0


def _dict_or_none(value: Any) -> dict[str, Any] | None:
    return dict(value) if isinstance(value, dict) else None
