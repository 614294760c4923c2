"""`inspector doctor TARGET ...`: the server's report card on the command line.

The server is named as for `--cli` (a command and its arguments, a URL, or `--config FILE
--server NAME`, with the same options); the report goes to stdout or `-o FILE`. Exit 0
when no check failed, 6 when one did (or warned, with `--fail-on warning`), 1 for a
usage error, 3 when the server wants authorization, 4 when it could not be reached.
The doctor engine, and the protocol core with it, load only for a command line that can
run.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from inspector.headless.doctor_formats import ReportFormat
from inspector.headless.output import ExitCode
from inspector.headless.report_command import ReportCommand
from inspector.headless.target import SERVER_OPTIONS, SERVER_USAGE, ServerChoice, server_choice
from inspector.headless.words import (
    Option,
    UsageError,
    last_value,
    option_table,
    seconds_value,
    tokenize,
)

if TYPE_CHECKING:
    from inspector.doctor.report import Report

# The doctor asks many small things: a request that takes longer than this is a finding,
# not something to wait a minute for (--timeout changes it).
DEFAULT_REQUEST_TIMEOUT = 10.0
MAX_REPEAT = 1000

DOCTOR_OPTIONS = (
    Option("--format"),
    Option("-o"),
    Option("--fail-on"),
    Option("--repeat"),
    Option("--budget"),
    Option("--call-tool"),
    Option("--previous"),
)

USAGE = f"""\
usage: inspector doctor TARGET [options]

Examine an MCP server and print its report card: connection, authorization (HTTP),
protocol versions, catalog (every message judged), behaviour probes, tool quality,
security of the text a model reads, and speed. Tools are never called unless named with
--call-tool. For a load test of one tool, see `inspector load --help`.

TARGET is a command and its arguments (a stdio server) or a URL.

report:
  --format text|json|junit|markdown   default text
  -o FILE                   write the report to FILE instead of stdout
  --fail-on fail|warning    exit 6 on a failed check (default), or on a warning too
  --repeat N                calls per latency figure (default 10)
  --budget SECONDS          the whole examination's time limit (default 60)
  --call-tool NAME          call this tool with no arguments (repeatable)
  --previous REPORT.json    an earlier JSON report: flag tool definitions that changed
  (--timeout defaults to 10 seconds here: a slow answer is a finding)

{SERVER_USAGE}
exit status: 0 nothing failed, 1 usage error, 3 authorization required,
             4 could not connect, 6 a check failed (or warned, with --fail-on warning)
"""


@dataclass(frozen=True, slots=True)
class DoctorCommand:
    server: ServerChoice
    output: ReportFormat = ReportFormat.TEXT
    output_path: str | None = None
    fail_on_warning: bool = False
    repeat: int = 10
    budget: float = 60.0
    call_tools: tuple[str, ...] = ()
    previous_tools: dict[str, str] | None = None


def wants_doctor(argv: Sequence[str]) -> bool:
    return bool(argv) and argv[0] == "doctor"


def parse(argv: Sequence[str]) -> DoctorCommand:
    words = list(argv[1:] if wants_doctor(argv) else argv)
    values, target = tokenize(words, option_table(SERVER_OPTIONS, DOCTOR_OPTIONS))
    server = server_choice(values, target)

    def last(name: str) -> str | None:
        return last_value(values, name)

    output = last("--format") or "text"
    if output not in {item.value for item in ReportFormat}:
        raise UsageError(f"--format is text, json, junit or markdown, not {output!r}")
    fail_on = last("--fail-on") or "fail"
    if fail_on not in ("fail", "warning"):
        raise UsageError(f"--fail-on is fail or warning, not {fail_on!r}")
    return DoctorCommand(
        server=server,
        output=ReportFormat(output),
        output_path=last("-o"),
        fail_on_warning=fail_on == "warning",
        repeat=_repeat(last("--repeat")),
        budget=seconds_value("--budget", last("--budget")) or 60.0,
        call_tools=tuple(values.get("--call-tool", [])),
        previous_tools=_previous(last("--previous")),
    )


def _repeat(value: str | None) -> int:
    if value is None:
        return 10
    if not value.isdigit() or not 1 <= int(value) <= MAX_REPEAT:
        raise UsageError(f"--repeat takes a whole number from 1 to {MAX_REPEAT}, not {value!r}")
    return int(value)


def _previous(path: str | None) -> dict[str, str] | None:
    if path is None:
        return None
    from inspector.doctor.report import PreviousReportError, previous_tools

    try:
        document = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise UsageError(f"cannot read --previous {path}: {exc.strerror}") from exc
    except ValueError as exc:
        raise UsageError(f"--previous {path} is not JSON: {exc}") from exc
    try:
        return previous_tools(document)
    except PreviousReportError as exc:
        raise UsageError(f"--previous {path}: {exc}") from exc


def exit_code(report: Report, fail_on_warning: bool) -> ExitCode:
    from inspector.doctor.report import Status

    error = report.connect_error
    if error is not None:
        return (
            ExitCode.AUTH_REQUIRED
            if error.get("status") in (401, 403)
            else (ExitCode.CONNECT_FAILED)
        )
    verdict = report.verdict
    if verdict is Status.FAIL or (fail_on_warning and verdict is Status.WARNING):
        return ExitCode.FINDINGS
    return ExitCode.OK


async def run(command: DoctorCommand) -> Report:
    from inspector.doctor.engine import DoctorOptions, examine
    from inspector.headless.run import connection_spec

    spec = connection_spec(command.server)
    if command.server.request_timeout is None:
        spec = replace(spec, request_timeout=DEFAULT_REQUEST_TIMEOUT)
    options = DoctorOptions(
        repeat=command.repeat,
        budget=command.budget,
        call_tools=command.call_tools,
        previous_tools=command.previous_tools,
    )
    return await examine(spec, options)


def _render(command: DoctorCommand, report: Report) -> str:
    from inspector.headless.doctor_formats import render

    return render(report, command.output)


def _verdict(command: DoctorCommand, report: Report) -> tuple[ExitCode, str]:
    return exit_code(report, command.fail_on_warning), report.verdict.value


DOCTOR: ReportCommand[DoctorCommand, Report] = ReportCommand(
    name="doctor",
    usage=USAGE,
    parse=parse,
    output_path=lambda command: command.output_path,
    run=run,
    render=_render,
    verdict=_verdict,
)
main = DOCTOR.main
