"""The message checks' findings through the CLI: in the JSON output, on stderr for people,
in the trace, and `--strict`'s exit 6 when the server's messages break a rule of error
severity. The servers are real: `tests/servers/rule_breaker.py` breaks one rule per run."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.headless.conftest import CliRun, fixture_command, run_cli

SPEC_TOOLS = "https://modelcontextprotocol.io/specification/2025-11-25/server/tools"


def breaking(rule: str, *args: str) -> CliRun:
    return run_cli(*fixture_command("rule_breaker", rule), *args, findings=True)


def stderr_lines(run: CliRun) -> list[str]:
    return run.stderr.splitlines()


def test_json_output_carries_each_finding_with_its_message() -> None:
    run = breaking("tools.schema-type", "--method", "tools/list", "--format", "json")
    assert run.code == 0, run.stderr
    assert run.stderr == ""
    output = run.json()
    assert output["result"]["tools"][0]["name"] == "probe"
    [finding] = output["findings"]
    assert finding == {
        "seq": finding["seq"],
        "direction": "in",
        "method": "tools/list",
        "rule": "tools.schema-type",
        "severity": "error",
        "message": finding["message"],
        "path": "$.result.tools[0].inputSchema.type",
        "spec_url": SPEC_TOOLS,
    }
    assert isinstance(finding["seq"], int)
    assert finding["seq"] > 0


def test_without_findings_the_json_output_is_the_result_alone(everything_py: list[str]) -> None:
    run = run_cli(*everything_py, "--method", "tools/list", "--format", "json")
    assert run.code == 0, run.stderr
    assert set(run.json()) == {"result"}


def test_people_read_the_findings_on_stderr_after_the_result() -> None:
    run = breaking("tools.schema-type", "--method", "tools/list")
    assert run.code == 0, run.stderr
    assert run.json()["tools"][0]["inputSchema"] == {"type": "array"}
    [line] = stderr_lines(run)
    assert line.startswith("error tools.schema-type tools/list #")
    assert " $.result.tools[0].inputSchema.type: " in line


def test_strict_exits_6_naming_the_rule_after_the_result() -> None:
    run = breaking("tools.schema-type", "--method", "tools/list", "--strict")
    assert run.code == 6
    assert run.json()["tools"][0]["name"] == "probe"
    finding, error = stderr_lines(run)
    assert finding.startswith("error tools.schema-type tools/list #")
    envelope = json.loads(error)
    assert envelope["error"]["code"] == "findings"
    assert envelope["error"]["rules"] == ["tools.schema-type"]
    assert "tools.schema-type" in envelope["error"]["message"]


def test_strict_with_json_keeps_the_findings_on_stdout_and_the_reason_on_stderr() -> None:
    run = breaking("tools.schema-type", "--method", "tools/list", "--strict", "--format", "json")
    assert run.code == 6
    assert [item["rule"] for item in run.json()["findings"]] == ["tools.schema-type"]
    assert run.error["rules"] == ["tools.schema-type"]


def test_strict_judges_a_tool_call_result_in_text_mode() -> None:
    run = breaking(
        "content.is-error", "--method", "tools/call", "--tool-name", "probe",
        "--format", "text", "--strict",
    )  # fmt: skip
    assert run.code == 6
    lines = stderr_lines(run)
    assert any(line.startswith("error content.is-error tools/call #") for line in lines), lines
    assert json.loads(lines[-1])["error"]["code"] == "findings"


def test_a_warning_is_shown_but_does_not_fail_strict() -> None:
    run = breaking("tools.name", "--method", "tools/list", "--strict")
    assert run.code == 0, run.stderr
    [line] = stderr_lines(run)
    assert line.startswith("warning tools.name tools/list #")


def test_the_trace_keeps_the_findings_on_each_event(tmp_path: Path) -> None:
    trace = tmp_path / "call.jsonl"
    run = breaking(
        "tools.schema-type", "--method", "tools/list", "--format", "json", "--trace", str(trace)
    )
    assert run.code == 0, run.stderr
    events: list[dict[str, Any]] = [json.loads(line) for line in trace.read_text().splitlines()]
    judged = [event for event in events if event.get("findings")]
    [finding] = run.json()["findings"]
    assert [event["seq"] for event in judged] == [finding["seq"]]
    [event] = judged
    assert (event["direction"], event["method"]) == ("in", "tools/list")
    assert event["findings"] == [
        {key: finding[key] for key in ("rule", "message", "path", "severity", "spec_url")}
    ]


def test_a_failed_call_shows_its_findings_before_the_error_and_keeps_its_status() -> None:
    # The CLI stops a listing whose cursor comes back (exit 5); the judge names the loop.
    run = breaking("pagination.cursor-loop", "--method", "tools/list", "--strict")
    assert run.code == 5
    *findings, error = stderr_lines(run)
    assert any(line.startswith("error pagination.cursor-loop tools/list #") for line in findings)
    assert json.loads(error)["error"]["code"] == "request_failed"
    as_json = breaking("pagination.cursor-loop", "--method", "tools/list", "--format", "json")
    assert as_json.code == 5
    assert as_json.stdout == ""
    [line] = stderr_lines(as_json)
    envelope = json.loads(line)
    assert envelope["error"]["code"] == "request_failed"
    assert "pagination.cursor-loop" in {item["rule"] for item in envelope["findings"]}
