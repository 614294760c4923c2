"""`inspector load TARGET --tool NAME ...`: a load test of one tool on the command line.

The server is named as for `--cli` and `doctor`. The summary goes to stdout or `-o FILE`.
Exit status, as the official inspector's `--load` does: 0 when the test ran, whatever
its error rate (the summary says it), unless `--max-error-rate` is given and exceeded
(6); 1 usage; 3 the server wants authorization; 4 it could not be reached, or the
connection ended during the run; 5 the server has no such tool. The load engine, and the
protocol core with it, load only for a command line that can run.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from inspector.headless.output import ExitCode
from inspector.headless.report_command import ReportCommand
from inspector.headless.target import SERVER_OPTIONS, SERVER_USAGE, ServerChoice, server_choice
from inspector.headless.text import clean
from inspector.headless.words import (
    Option,
    UsageError,
    last_value,
    option_table,
    seconds_value,
    tokenize,
)

if TYPE_CHECKING:
    from inspector.doctor.load_result import LoadResult

# A call slower than this is a timeout, counted as an error (--timeout changes it); it
# also bounds how long the run goes on after its duration, for the calls under way.
DEFAULT_REQUEST_TIMEOUT = 10.0
DEFAULT_CONCURRENCY = 10
DEFAULT_DURATION = 10.0
MAX_CONCURRENCY = 1000

LOAD_OPTIONS = (
    Option("--tool"),
    Option("--args"),
    Option("--concurrency"),
    Option("--duration"),
    Option("--requests"),
    Option("--rate"),
    Option("--format"),
    Option("-o"),
    Option("--max-error-rate"),
)

USAGE = f"""\
usage: inspector load TARGET --tool NAME [options]

Load-test one tool: call it from N workers at once over one connection, at most R calls
a second, until the duration or the request count is reached; then print the throughput,
the latency percentiles, the errors by kind and the latency second by second.

load:
  --tool NAME               the tool to call (required)
  --args JSON               its arguments, a JSON object (default {{}})
  --concurrency N           calls in flight at most (default {DEFAULT_CONCURRENCY})
  --duration SECONDS        stop starting calls after this long (default
                            {DEFAULT_DURATION:g} unless --requests is given)
  --requests N              stop after starting this many calls
  --rate R                  start at most R calls a second (default: no limit)
  --format text|json        default text
  -o FILE                   write the summary to FILE instead of stdout
  --max-error-rate F        exit 6 when more than this fraction of calls failed
  (--timeout defaults to {DEFAULT_REQUEST_TIMEOUT:g} seconds here: a slower call is an error)

{SERVER_USAGE}
exit status: 0 the test ran (see its error rate), 1 usage error, 3 authorization
             required, 4 could not connect or the connection ended, 5 no such tool,
             6 the error rate passed --max-error-rate
"""


@dataclass(frozen=True, slots=True)
class LoadCommand:
    server: ServerChoice
    tool: str
    arguments: dict[str, Any]
    concurrency: int = DEFAULT_CONCURRENCY
    duration: float | None = DEFAULT_DURATION
    requests: int | None = None
    rate: float | None = None
    json_output: bool = False
    output_path: str | None = None
    max_error_rate: float | None = None


def wants_load(argv: Sequence[str]) -> bool:
    return bool(argv) and argv[0] == "load"


def parse(argv: Sequence[str]) -> LoadCommand:
    words = list(argv[1:] if wants_load(argv) else argv)
    values, target = tokenize(words, option_table(SERVER_OPTIONS, LOAD_OPTIONS))
    server = server_choice(values, target)

    def last(name: str) -> str | None:
        return last_value(values, name)

    tool = last("--tool")
    if not tool:
        raise UsageError("--tool NAME is required: the tool to load")
    output = last("--format") or "text"
    if output not in ("text", "json"):
        raise UsageError(f"--format is text or json, not {output!r}")
    requests = _whole("--requests", last("--requests"), 1, 10**9)
    duration = seconds_value("--duration", last("--duration"))
    return LoadCommand(
        server=server,
        tool=tool,
        arguments=_arguments(last("--args")),
        concurrency=_whole("--concurrency", last("--concurrency"), 1, MAX_CONCURRENCY)
        or DEFAULT_CONCURRENCY,
        duration=duration if duration is not None or requests is not None else DEFAULT_DURATION,
        requests=requests,
        rate=_positive("--rate", last("--rate")),
        json_output=output == "json",
        output_path=last("-o"),
        max_error_rate=_fraction(last("--max-error-rate")),
    )


def _whole(name: str, value: str | None, low: int, high: int) -> int | None:
    if value is None:
        return None
    if not value.isdigit() or not low <= int(value) <= high:
        raise UsageError(f"{name} takes a whole number from {low} to {high}, not {value!r}")
    return int(value)


def _positive(name: str, value: str | None) -> float | None:
    if value is None:
        return None
    try:
        number = float(value)
    except ValueError:
        number = math.nan
    if not math.isfinite(number) or number <= 0:
        raise UsageError(f"{name} takes a positive number, not {value!r}")
    return number


def _fraction(value: str | None) -> float | None:
    if value is None:
        return None
    try:
        number = float(value)
    except ValueError:
        number = math.nan
    if not 0 <= number <= 1:
        raise UsageError(f"--max-error-rate takes a fraction from 0 to 1, not {value!r}")
    return number


def _arguments(text: str | None) -> dict[str, Any]:
    if text is None:
        return {}
    try:
        value = json.loads(text)
    except ValueError as exc:
        raise UsageError(f"--args is not JSON: {exc}") from exc
    if not isinstance(value, dict):
        raise UsageError("--args must be a JSON object of the tool's arguments")
    return value


def exit_code(result: LoadResult, max_error_rate: float | None) -> ExitCode:
    from inspector.doctor.load_result import StopReason

    error = result.connect_error
    if error is not None:
        auth = error.get("status") in (401, 403)
        return ExitCode.AUTH_REQUIRED if auth else ExitCode.CONNECT_FAILED
    if result.tool_missing is not None:
        return ExitCode.REQUEST_FAILED
    if result.stopped is StopReason.CONNECTION:
        return ExitCode.CONNECT_FAILED
    if max_error_rate is not None and result.error_rate > max_error_rate:
        return ExitCode.FINDINGS
    return ExitCode.OK


async def run(command: LoadCommand) -> LoadResult:
    from inspector.doctor.load import LoadOptions, load_test
    from inspector.headless.run import connection_spec

    spec = connection_spec(command.server)
    if command.server.request_timeout is None:
        spec = replace(spec, request_timeout=DEFAULT_REQUEST_TIMEOUT)
    options = LoadOptions(
        tool=command.tool,
        arguments=command.arguments,
        concurrency=command.concurrency,
        duration=command.duration,
        requests=command.requests,
        rate=command.rate,
    )
    return await load_test(spec, options)


def text(result: LoadResult) -> str:
    document = result.to_json()
    lines = [f"Load test of {clean(result.tool)} on {clean(result.target)} ({result.transport})"]
    if result.connect_error is not None:
        message = clean(result.connect_error.get("message", ""))
        return "\n".join([*lines, f"  could not connect: {message}", ""])
    if result.tool_missing is not None:
        return "\n".join([*lines, f"  {clean(result.tool_missing)}", ""])
    rate = f"at most {result.rate:g}/s" if result.rate is not None else "no rate limit"
    lines.append(
        f"  {result.requests} calls in {result.elapsed_s:.2f} s: {result.throughput:g} calls/s "
        f"(concurrency {result.concurrency}, {rate}; stopped by {result.stopped.value})"
    )
    kinds = ", ".join(f"{kind} {count}" for kind, count in document["errors"].items())
    lines.append(
        f"  ok {result.ok}, errors {result.requests - result.ok} "
        f"({result.error_rate * 100:.2f}%){': ' + kinds if kinds else ''}"
    )
    latency = document["latency_ms"]
    if latency is not None:
        lines.append(
            "  latency ms: "
            + "  ".join(f"{key} {latency[key]:.2f}" for key in ("min", "p50", "p90", "p99", "max"))
            + f"  (mean {latency['mean']:.2f})"
        )
    lines.append(f"  most calls in flight at once: {result.max_in_flight}")
    for message in document["error_messages"]:
        evidence = " ".join(f"#{seq}" for seq in message["evidence"])
        lines.append(
            f"  {message['kind']} x{message['count']}: {clean(message['message'])}"
            + (f" (evidence: {evidence})" if evidence else "")
        )
    lines.append("  second  calls  errors  p50 ms  p99 ms")
    for bucket in document["timeline"]:
        p50, p99 = bucket["p50_ms"], bucket["p99_ms"]
        lines.append(
            f"  {bucket['second']:>6}  {bucket['count']:>5}  {bucket['errors']:>6}  "
            f"{_ms(p50):>6}  {_ms(p99):>6}"
        )
    return "\n".join(lines) + "\n"


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


def _render(command: LoadCommand, result: LoadResult) -> str:
    if command.json_output:
        return json.dumps(result.to_json(), indent=2, ensure_ascii=False) + "\n"
    return text(result)


def _verdict(command: LoadCommand, result: LoadResult) -> tuple[ExitCode, str]:
    code = exit_code(result, command.max_error_rate)
    return code, _why(result, command) if code is not ExitCode.OK else ""


def _why(result: LoadResult, command: LoadCommand) -> str:
    if result.connect_error is not None:
        return f"could not connect: {clean(result.connect_error.get('message', ''))}"
    if result.tool_missing is not None:
        return clean(result.tool_missing)
    if result.stopped.value == "connection":
        return "the connection ended during the run"
    return f"error rate {result.error_rate:g} is over --max-error-rate {command.max_error_rate:g}"


LOAD: ReportCommand[LoadCommand, LoadResult] = ReportCommand(
    name="load",
    usage=USAGE,
    parse=parse,
    output_path=lambda command: command.output_path,
    run=run,
    render=_render,
    verdict=_verdict,
)
main = LOAD.main
