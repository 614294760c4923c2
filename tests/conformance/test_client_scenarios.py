"""The official conformance suite's client scenarios, run against `driver.py`.

Each test is one `conformance client` run: the suite starts its mock server, runs the
driver, and judges it. A check that is neither SUCCESS nor INFO fails the test (the suite
itself fails a scenario on any WARNING), and so does a non-zero exit of the suite, which
also covers a driver that crashed or timed out.
"""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conformance.auth_checks import AUTH_EXPECTED_CHECKS, AUTH_SPEC_VERSIONS
from tests.conformance.conftest import ConformanceSuite

DRIVER = Path(__file__).resolve().parent / "driver.py"
REPO_ROOT = DRIVER.parents[2]
# The suite gives the driver 30 s; this bounds the suite's own start and teardown too.
RUN_TIMEOUT_SECONDS = 120
PASSING = frozenset({"SUCCESS", "INFO"})
DETAIL_CHARS = 4000
_ANSI = re.compile(r"\x1b\[[0-9;]*m")

# The checks each scenario must report as SUCCESS, so that none passes by checking
# nothing. The suite adds `wire-schema-valid` only where its mock server is instrumented
# for it (not the raw HTTP mocks of initialize and sse-retry, nor the elicitation one).
EXPECTED_CHECKS: dict[str, frozenset[str]] = {
    "initialize": frozenset({"mcp-client-initialization"}),
    "tools_call": frozenset({"tool-add-numbers", "wire-schema-valid"}),
    "elicitation-sep1034-client-defaults": frozenset(
        f"client-elicitation-sep1034-{kind}-default"
        for kind in ("string", "integer", "number", "enum", "boolean")
    ),
    "sse-retry": frozenset(
        {"client-sse-graceful-reconnect", "client-sse-retry-timing", "client-sse-last-event-id"}
    ),
    "json-schema-2020-12-preservation": frozenset(
        {
            "json-schema-2020-12-client-tool-found",
            "json-schema-2020-12-client-echo-completed",
            "json-schema-2020-12-client-$schema-preserved",
            "json-schema-2020-12-client-$defs-preserved",
            "json-schema-2020-12-client-additionalProperties-preserved",
            "sep-2106-client-composition-keywords-preserved",
            "sep-2106-client-conditional-keywords-preserved",
            "sep-2106-client-anchor-keyword-preserved",
            "wire-schema-valid",
        }
    ),
    **AUTH_EXPECTED_CHECKS,
}


def describe(check: dict[str, Any]) -> str:
    shown = {
        key: check.get(key)
        for key in ("id", "status", "description", "errorMessage", "details")
        if check.get(key) is not None
    }
    text = json.dumps(shown, indent=2, default=str)
    return text if len(text) <= DETAIL_CHARS else f"{text[:DETAIL_CHARS]}…"


def tail(text: str, lines: int = 60) -> str:
    return "\n".join(_ANSI.sub("", text).splitlines()[-lines:])


def driver_stderr(result_dir: Path) -> str:
    path = result_dir / "stderr.txt"
    return path.read_text(errors="replace") if path.is_file() else "(none saved)"


@pytest.mark.parametrize("scenario", sorted(EXPECTED_CHECKS))
def test_client_scenario(
    scenario: str, conformance_suite: ConformanceSuite, tmp_path: Path
) -> None:
    command = shlex.join([sys.executable, str(DRIVER)])
    version = AUTH_SPEC_VERSIONS.get(scenario)
    run = subprocess.run(
        conformance_suite.command(
            "client",
            "--command",
            command,
            "--scenario",
            scenario,
            "-o",
            str(tmp_path),
            *(["--spec-version", version] if version else []),
        ),
        cwd=REPO_ROOT,
        env=conformance_suite.env(),
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT_SECONDS,
        check=False,
    )
    suite_output = f"suite (exit {run.returncode}):\n{tail(run.stdout + run.stderr)}"
    # A scenario's name may contain a slash (`auth/...`), which nests its directory.
    results = sorted(tmp_path.glob("**/checks.json"))
    assert len(results) == 1, f"expected one checks.json under {tmp_path}\n{suite_output}"
    result_dir = results[0].parent
    checks: list[dict[str, Any]] = json.loads(results[0].read_text())

    failing = [check for check in checks if check.get("status") not in PASSING]
    context = f"{suite_output}\ndriver stderr:\n{tail(driver_stderr(result_dir))}"
    assert not failing, (
        f"{len(failing)} check(s) of {scenario} did not pass:\n"
        + "\n".join(describe(check) for check in failing)
        + f"\n{context}"
    )
    # INFO passes above, but a check the scenario exists for must have succeeded outright
    # (sse-retry reports its timing as INFO when the tool was never called).
    succeeded = {check.get("id") for check in checks if check.get("status") == "SUCCESS"}
    missing = EXPECTED_CHECKS[scenario] - succeeded
    assert not missing, f"{scenario} reported no SUCCESS for {sorted(missing)}\n{context}"
    assert run.returncode == 0, f"the suite failed {scenario}\n{context}"
