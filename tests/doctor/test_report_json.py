"""A report read back from its JSON is the report that wrote it: the web keeps reports as
JSON and renders their downloads from it."""

from __future__ import annotations

import pytest

from inspector.doctor.engine import DoctorOptions, examine
from inspector.doctor.report import PreviousReportError
from inspector.doctor.report_json import report_from_json
from inspector.headless.doctor_formats import ReportFormat, render
from tests.conftest import fixture_spec


async def test_a_report_survives_its_json() -> None:
    report = await examine(
        fixture_spec("doctor_faults", "faults"), DoctorOptions(repeat=2, versions=False)
    )
    document = report.to_json()
    again = report_from_json(document)
    # Timestamps are kept to the millisecond: the end is put back from the duration.
    assert {**again.to_json(), "ended_at": None} == {**document, "ended_at": None}
    assert abs(again.ended_at - report.ended_at) < 0.002
    for output in (ReportFormat.TEXT, ReportFormat.JUNIT, ReportFormat.MARKDOWN):
        assert render(again, output) == render(report, output)


def test_anything_else_is_refused() -> None:
    with pytest.raises(PreviousReportError):
        report_from_json({"format": "something-else/1"})
    with pytest.raises(PreviousReportError):
        report_from_json([1, 2])
