"""The report card as text, JSON, JUnit XML or Markdown.

Text and Markdown are for people who do not know the protocol: a verdict first, then each
section with its checks, each saying what to fix, with the events that prove it as `#seq`
(the numbers of `--trace`-style event logs). JUnit has one testsuite per section and one
testcase per check, so any CI shows failures and skipped checks. Server-provided text has
its control characters escaped: a report must not drive the terminal that shows it.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Callable
from enum import StrEnum

from inspector.doctor.report import Check, Report, Section, Status
from inspector.headless.text import clean


class ReportFormat(StrEnum):
    TEXT = "text"
    JSON = "json"
    JUNIT = "junit"
    MARKDOWN = "markdown"


MARKS = {Status.PASS: "PASS", Status.WARNING: "WARN", Status.FAIL: "FAIL", Status.SKIPPED: "SKIP"}
VERDICTS = {
    Status.PASS: "PASS: nothing to fix.",
    Status.WARNING: "WARNING: nothing failed, but some things are worth fixing.",
    Status.FAIL: "FAIL: the server breaks the protocol or puts its users at risk.",
}


def render(report: Report, output: ReportFormat) -> str:
    renderers: dict[ReportFormat, Callable[[Report], str]] = {
        ReportFormat.TEXT: text,
        ReportFormat.JSON: lambda r: json.dumps(r.to_json(), indent=2, ensure_ascii=False) + "\n",
        ReportFormat.JUNIT: junit,
        ReportFormat.MARKDOWN: markdown,
    }
    return renderers[output](report)


def _evidence(check: Check) -> str:
    shown = " ".join(f"#{seq}" for seq in check.evidence[:8])
    more = f" (+{len(check.evidence) - 8})" if len(check.evidence) > 8 else ""
    return f"{shown}{more}"


def _counts(counts: dict[str, int]) -> str:
    return (
        f"{counts['fail']} failed, {counts['warning']} warnings, {counts['pass']} passed, "
        f"{counts['skipped']} skipped"
    )


def _server_line(report: Report) -> str:
    server = report.server or {}
    name = clean(server.get("name", "?"))
    version = f" {clean(server['version'])}" if server.get("version") else ""
    protocol = (
        f", protocol {clean(report.protocol_version)} ({report.era} era)"
        if report.protocol_version
        else ""
    )
    return f"{name}{version}{protocol}" if report.server else "not reached"


def text(report: Report) -> str:
    summary = report.summary()
    lines = [
        f"Report card for {clean(report.target)} ({report.transport})",
        f"Server: {_server_line(report)}; inspector {report.inspector_version}; "
        f"{report.duration_ms / 1000:.1f} s",
        f"Verdict: {VERDICTS[report.verdict]}",
        f"         {_counts(summary['total'])}",
    ]
    for section in Section:
        checks = report.in_section(section)
        if not checks:
            continue
        lines += ["", f"{section.heading}: {_counts(summary[section.value])}"]
        for check in checks:
            evidence = _evidence(check)
            lines.append(f"  {MARKS[check.status]} {check.id}: {clean(check.sentence)}")
            if evidence:
                lines.append(f"       evidence: {evidence}")
    return "\n".join(lines) + "\n"


def markdown(report: Report) -> str:
    summary = report.summary()
    lines = [
        f"# Report card: `{_code(report.target)}`",
        "",
        f"**Verdict: {VERDICTS[report.verdict]}** {_counts(summary['total'])}.",
        "",
        f"Server: {_md(_server_line(report))} · transport {report.transport} · "
        f"inspector {report.inspector_version} · {report.duration_ms / 1000:.1f} s",
        "",
        "| Section | Failed | Warnings | Passed | Skipped |",
        "| --- | --- | --- | --- | --- |",
    ]
    for section in Section:
        counts = summary[section.value]
        lines.append(
            f"| {section.heading} | {counts['fail']} | {counts['warning']} | "
            f"{counts['pass']} | {counts['skipped']} |"
        )
    for section in Section:
        checks = report.in_section(section)
        if not checks:
            continue
        lines += ["", f"## {section.heading}", "", "| | Check | What was seen | Evidence |"]
        lines.append("| --- | --- | --- | --- |")
        for check in checks:
            lines.append(
                f"| {MARKS[check.status]} | `{check.id}` | {_md(clean(check.sentence))} | "
                f"{_evidence(check)} |"
            )
    return "\n".join(lines) + "\n"


def _md(value: str) -> str:
    """Server text inside a Markdown table cell: no markup of its own, no cell breaks."""
    escaped = value.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")
    for char in "`*_[]<>#":
        escaped = escaped.replace(char, f"\\{char}")
    return escaped


def _code(value: str) -> str:
    return clean(value).replace("`", "'")


def junit(report: Report) -> str:
    suites = ET.Element(
        "testsuites",
        name=f"inspector doctor {clean(report.target)}",
        tests=str(len(report.checks)),
        failures=str(sum(c.status is Status.FAIL for c in report.checks)),
        skipped=str(sum(c.status is Status.SKIPPED for c in report.checks)),
        time=f"{report.duration_ms / 1000:.3f}",
    )
    for section in Section:
        checks = report.in_section(section)
        suite = ET.SubElement(
            suites,
            "testsuite",
            name=section.value,
            tests=str(len(checks)),
            failures=str(sum(c.status is Status.FAIL for c in checks)),
            skipped=str(sum(c.status is Status.SKIPPED for c in checks)),
            errors="0",
        )
        for check in checks:
            case = ET.SubElement(
                suite,
                "testcase",
                classname=f"doctor.{section.value}",
                name=check.id,
                time=f"{(check.duration_ms or 0) / 1000:.3f}",
            )
            sentence = clean(check.sentence)
            evidence = _evidence(check)
            if check.status is Status.FAIL:
                failure = ET.SubElement(case, "failure", message=sentence, type="fail")
                failure.text = f"{sentence}\nevidence: {evidence}"
            elif check.status is Status.SKIPPED:
                ET.SubElement(case, "skipped", message=sentence)
            elif check.status is Status.WARNING:
                ET.SubElement(case, "system-out").text = f"warning: {sentence}\n{evidence}"
    ET.indent(suites)
    body = ET.tostring(suites, encoding="unicode")
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{body}\n'
