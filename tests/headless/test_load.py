"""`inspector load` as a person types it: the summary read back as text and as the
documented JSON, and each exit status provoked for real."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.conftest import REPO_ROOT
from tests.headless.conftest import fixture_command

LOAD_TIMEOUT_SECONDS = 120.0
KEYS = {
    "format",
    "target",
    "transport",
    "tool",
    "concurrency",
    "duration_s",
    "request_limit",
    "rate",
    "stopped",
    "requests",
    "ok",
    "errors",
    "error_rate",
    "elapsed_ms",
    "throughput",
    "max_in_flight",
    "latency_ms",
    "timeline",
    "error_messages",
    "connect_error",
    "tool_missing",
}


def load(*args: str) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, "-m", "inspector.cli", "load", *args],
        capture_output=True,
        text=True,
        timeout=LOAD_TIMEOUT_SECONDS,
        cwd=REPO_ROOT,
        env=dict(os.environ),
        check=False,
    )
    assert "Traceback" not in result.stderr, result.stderr
    return result


def summary(run: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(run.stdout)
    assert set(document) == KEYS
    assert document["format"] == "inspector-load/1"
    return document


def test_a_run_prints_its_figures_and_exits_0() -> None:
    run = load(
        "--tool", "add", "--args", '{"a": 1, "b": 2}', "--concurrency", "3", "--requests", "30",
        *fixture_command("load_target"),
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert run.stderr == ""
    lines = run.stdout.splitlines()
    assert lines[0].startswith("Load test of add on ")
    assert "30 calls in " in lines[1]
    assert "stopped by requests" in lines[1]
    assert "ok 30, errors 0 (0.00%)" in run.stdout
    assert "latency ms: min " in run.stdout
    assert "most calls in flight at once: 3" in run.stdout


def test_json_has_the_documented_shape_and_errors_do_not_fail_the_run(tmp_path: Path) -> None:
    out = tmp_path / "load.json"
    args = ["--tool", "flaky", "--concurrency", "2", "--requests", "12", "--format", "json"]
    run = load(*args, "-o", str(out), *fixture_command("load_target"))
    assert run.returncode == 0, run.stderr
    assert run.stdout == ""
    document = json.loads(out.read_text())
    assert set(document) == KEYS
    assert (document["requests"], document["ok"]) == (12, 8)
    assert document["errors"] == {"tool_error": 2, "jsonrpc_error": 2}
    assert document["error_rate"] == 0.3333
    assert document["stopped"] == "requests"
    assert document["concurrency"] == 2
    assert document["request_limit"] == 12
    assert document["duration_s"] is None
    assert {bucket["second"] for bucket in document["timeline"]} == set(
        range(len(document["timeline"]))
    )
    for message in document["error_messages"]:
        assert all(isinstance(seq, int) and seq > 0 for seq in message["evidence"])


def test_an_error_rate_over_the_limit_exits_6() -> None:
    args = ["--tool", "flaky", "--concurrency", "2", "--requests", "12", "--format", "json"]
    run = load(*args, "--max-error-rate", "0.2", *fixture_command("load_target"))
    assert run.returncode == 6
    assert summary(run)["error_rate"] == 0.3333
    assert "error rate 0.3333 is over --max-error-rate 0.2 (exit 6)" in run.stderr
    within = load(*args, "--max-error-rate", "0.5", *fixture_command("load_target"))
    assert within.returncode == 0


def test_a_tool_the_server_does_not_have_exits_5() -> None:
    run = load("--tool", "nope", "--requests", "3", *fixture_command("load_target"))
    assert run.returncode == 5
    assert "the server lists no tool nope" in run.stdout
    assert "the server lists no tool nope (exit 5)" in run.stderr


def test_a_server_that_cannot_start_exits_4() -> None:
    run = load("--tool", "add", "--requests", "3", "--format", "json", "/no/such/server")
    assert run.returncode == 4
    document = summary(run)
    assert document["connect_error"]["layer"] == "process"
    assert document["requests"] == 0


def test_a_server_that_wants_authorization_exits_3(auth_server: str) -> None:
    run = load("--tool", "add", "--requests", "3", f"{auth_server}/unauthorized/mcp")
    assert run.returncode == 3
    assert "could not connect" in run.stdout


def test_usage_errors_exit_1_before_anything_starts(tmp_path: Path) -> None:
    server = fixture_command("load_target")
    cases = {
        ("--requests", "3"): "--tool NAME is required",
        ("--tool", "add", "--args", "[1]"): "--args must be a JSON object",
        ("--tool", "add", "--args", "{"): "--args is not JSON",
        ("--tool", "add", "--concurrency", "0"): "--concurrency takes a whole number",
        ("--tool", "add", "--rate", "-2"): "--rate takes a positive number",
        ("--tool", "add", "--duration", "soon"): "--duration takes a number of seconds",
        ("--tool", "add", "--max-error-rate", "2"): "--max-error-rate takes a fraction",
        ("--tool", "add", "--format", "xml"): "--format is text or json",
    }
    for args, message in cases.items():
        run = load(*args, *server)
        assert run.returncode == 1, args
        assert message in run.stderr, (args, run.stderr)
        assert run.stdout == ""
    assert not list(tmp_path.iterdir())


def test_help_exits_0() -> None:
    run = load("--help")
    assert run.returncode == 0
    assert run.stdout.startswith("usage: inspector load TARGET --tool NAME")
