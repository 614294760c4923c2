"""`inspector doctor` as a person types it: each exit status provoked for real, each
output format read back the way its consumers read it, the official server examined."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

from tests.conftest import REPO_ROOT
from tests.headless.conftest import fixture_command
from tests.servers.oauth_harness import OAuthServers

DOCTOR_TIMEOUT_SECONDS = 120.0
STATUSES = {"pass", "warning", "fail", "skipped"}
SECTIONS = [
    "connection",
    "authorization",
    "versions",
    "catalog",
    "probes",
    "tools",
    "security",
    "speed",
]
CHECK_KEYS = {"id", "section", "status", "sentence", "evidence", "detail", "duration_ms"}


def doctor(*args: str) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, "-m", "inspector.cli", "doctor", *args],
        capture_output=True,
        text=True,
        timeout=DOCTOR_TIMEOUT_SECONDS,
        cwd=REPO_ROOT,
        env=dict(os.environ),
        check=False,
    )
    assert "Traceback" not in result.stderr, result.stderr
    return result


def checks_of(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {check["id"]: check for section in report["sections"] for check in section["checks"]}


def assert_schema_shape(report: dict[str, Any]) -> None:
    """The documented inspector-doctor/1 shape, and counts that add up."""
    assert report["format"] == "inspector-doctor/1"
    assert [section["id"] for section in report["sections"]] == SECTIONS
    assert report["verdict"] in {"pass", "warning", "fail"}
    total = dict.fromkeys(STATUSES, 0)
    for section in report["sections"]:
        counted = dict.fromkeys(STATUSES, 0)
        for check in section["checks"]:
            assert set(check) == CHECK_KEYS
            assert check["section"] == section["id"]
            assert check["status"] in STATUSES
            assert all(isinstance(seq, int) and seq > 0 for seq in check["evidence"])
            counted[check["status"]] += 1
        assert report["summary"][section["id"]] == counted
        total = {key: total[key] + counted[key] for key in STATUSES}
    assert report["summary"]["total"] == total


def test_the_official_server_has_no_failure_and_its_real_faults_are_named(
    official_everything: list[str],
) -> None:
    run = doctor(*official_everything, "--format", "json", "--repeat", "3")
    assert run.returncode == 0, run.stderr
    report = json.loads(run.stdout)
    assert_schema_shape(report)
    checks = checks_of(report)
    failed = [check["id"] for check in checks.values() if check["status"] == "fail"]
    assert failed == []
    assert report["server"]["name"] == "mcp-servers/everything"
    # Its real faults (2026.8.31): a request missing required params is answered -32603
    # (internal error), not -32602 (invalid params)...
    for check_id in ("probe.bad-params.tools-call", "probe.bad-params.resources-read"):
        assert checks[check_id]["status"] == "warning"
        assert "error -32603" in checks[check_id]["sentence"]
    # ... and a 2024-11-05 session is told of `completions`, which that version lacks.
    assert checks["judge.version.field"]["status"] == "warning"
    assert "completions" in checks["judge.version.field"]["sentence"]
    assert report["verdict"] == "warning"
    # Everything it declares was probed, and every version answered.
    assert {checks[f"versions.{v}"]["status"] for v in ("2024-11-05", "2026-07-28")} == {"pass"}
    for check_id in ("probe.completion", "probe.logging", "probe.subscribe"):
        assert checks[check_id]["status"] == "pass"


def test_a_failed_check_exits_6_and_the_text_names_it_with_its_evidence() -> None:
    run = doctor(*fixture_command("doctor_faults", "faults"), "--repeat", "2")
    assert run.returncode == 6
    assert run.stderr == "inspector doctor: fail (exit 6)\n"
    lines = run.stdout.splitlines()
    assert lines[2].startswith("Verdict: FAIL")
    injection = next(i for i, line in enumerate(lines) if "security.injection" in line)
    assert lines[injection].startswith("  FAIL security.injection: Found in tool fetch")
    assert lines[injection + 1].strip().startswith("evidence: #")


def test_a_clean_server_exits_0_with_a_passing_verdict() -> None:
    run = doctor(*fixture_command("doctor_faults", "plain"), "--repeat", "1", "--format", "json")
    assert run.returncode == 0, run.stdout
    assert run.stderr == ""
    report = json.loads(run.stdout)
    assert_schema_shape(report)
    assert report["verdict"] == "pass"


def test_warnings_exit_0_unless_fail_on_warning(tmp_path: Path) -> None:
    server = fixture_command("everything_py")
    relaxed = doctor(*server, "--repeat", "1", "--format", "json")
    assert relaxed.returncode == 0, relaxed.stderr
    assert json.loads(relaxed.stdout)["verdict"] == "warning"
    strict = doctor(*server, "--repeat", "1", "--fail-on", "warning", "-o", str(tmp_path / "r.txt"))
    assert strict.returncode == 6
    assert strict.stdout == ""
    assert (tmp_path / "r.txt").read_text().startswith("Report card for ")


def test_usage_errors_exit_1_before_anything_starts(tmp_path: Path) -> None:
    marker = tmp_path / "started"
    server = ["sh", "-c", f"touch {marker}"]
    not_a_report = tmp_path / "other.json"
    not_a_report.write_text('{"format": "something-else"}')
    for argv, said in (
        ([*server, "--format", "yaml"], "--format is text, json, junit or markdown"),
        ([*server, "--repeat", "0"], "--repeat takes a whole number"),
        ([*server, "--budget", "-3"], "--budget must be a positive number"),
        ([*server, "--fail-on", "info"], "--fail-on is fail or warning"),
        ([*server, "--previous", str(tmp_path / "none.json")], "cannot read --previous"),
        ([*server, "--previous", str(not_a_report)], "not an inspector-doctor/1 report"),
        (["--format", "json"], "no server given"),
    ):
        run = doctor(*argv)
        assert run.returncode == 1, argv
        assert said in run.stderr, run.stderr
        assert run.stdout == ""
    assert not marker.exists()


def test_help_exits_0() -> None:
    run = doctor("--help")
    assert run.returncode == 0
    assert "--fail-on fail|warning" in run.stdout
    assert "--protocol-version V" in run.stdout  # the server options of --cli


def test_a_server_that_cannot_start_exits_4_with_a_report() -> None:
    run = doctor("/nonexistent/mcp-server", "--format", "json")
    assert run.returncode == 4
    report = json.loads(run.stdout)
    assert_schema_shape(report)
    assert report["connect_error"]["layer"] == "process"
    assert checks_of(report)["connection.connect"]["status"] == "fail"


def test_a_url_with_nothing_listening_exits_4(closed_port: int) -> None:
    run = doctor(f"http://127.0.0.1:{closed_port}/mcp", "--format", "json")
    assert run.returncode == 4
    assert json.loads(run.stdout)["connect_error"]["layer"] == "tcp"


def test_a_server_that_wants_authorization_exits_3(auth_server: str) -> None:
    run = doctor(f"{auth_server}/unauthorized/mcp", "--format", "json")
    assert run.returncode == 3
    assert json.loads(run.stdout)["connect_error"]["status"] == 401


def test_a_protected_server_exits_3_with_its_authorization_examined(
    oauth_servers: OAuthServers,
) -> None:
    run = doctor(oauth_servers.mcp_url, "--format", "json")
    assert run.returncode == 3
    report = json.loads(run.stdout)
    assert_schema_shape(report)
    authorization = next(s for s in report["sections"] if s["id"] == "authorization")
    assert {check["id"]: check["status"] for check in authorization["checks"]} == {
        "auth.challenge": "pass",
        "auth.resource-metadata": "pass",
        "auth.server-metadata": "pass",
        "auth.pkce": "pass",
        "auth.registration": "pass",
        "auth.https": "pass",
    }
    assert all(check["evidence"] for check in authorization["checks"])
    assert report["summary"]["authorization"]["pass"] == 6


def test_junit_has_a_suite_per_section_and_a_case_per_check() -> None:
    command = fixture_command("doctor_faults", "faults")
    as_json = json.loads(doctor(*command, "--repeat", "1", "--format", "json").stdout)
    run = doctor(*command, "--repeat", "1", "--format", "junit")
    assert run.returncode == 6
    root = ET.fromstring(run.stdout)
    suites = root.findall("testsuite")
    assert [suite.get("name") for suite in suites] == SECTIONS
    for suite, section in zip(suites, as_json["sections"], strict=True):
        cases = suite.findall("testcase")
        statuses = [check["status"] for check in section["checks"]]
        assert [case.get("name") for case in cases] == [c["id"] for c in section["checks"]]
        assert int(suite.get("tests", "-1")) == len(cases)
        assert int(suite.get("failures", "-1")) == statuses.count("fail")
        assert int(suite.get("skipped", "-1")) == statuses.count("skipped")
        assert sum(case.find("failure") is not None for case in cases) == statuses.count("fail")
        assert sum(case.find("skipped") is not None for case in cases) == statuses.count("skipped")
    assert int(root.get("failures", "-1")) == as_json["summary"]["total"]["fail"]


def test_markdown_escapes_what_the_server_wrote() -> None:
    run = doctor(
        *fixture_command("doctor_faults", "faults"), "--repeat", "1", "--format", "markdown"
    )
    assert run.returncode == 6
    assert run.stdout.startswith("# Report card: `")
    assert "| Security of model-read text | 2 |" in run.stdout
    row = next(line for line in run.stdout.splitlines() if "`security.injection`" in line)
    assert row.startswith("| FAIL | `security.injection` |")
    assert row.count(" | ") == 3  # the server's text adds no cell
