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

from tests.conformance.auth_checks import (
    AUTH_EXPECTED_CHECKS,
    AUTH_SPEC_VERSIONS,
    MODERN_AUTH_EXPECTED_CHECKS,
    MODERN_AUTH_REFUSALS,
)
from tests.conformance.conftest import ConformanceSuite

DRIVER = Path(__file__).resolve().parent / "driver.py"
REPO_ROOT = DRIVER.parents[2]
# The suite gives the driver 30 s; this bounds the suite's own start and teardown too.
RUN_TIMEOUT_SECONDS = 120
# SKIPPED is what the suite reports for a check the run could not exercise (the
# initialize header in a stateless run, a capability the driver does not declare); the
# suite passes such runs, and EXPECTED_CHECKS still demands what each scenario is for.
PASSING = frozenset({"SUCCESS", "INFO", "SKIPPED"})
MODERN = "2026-07-28"
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


# The same demand for the modern era, run with `--spec-version 2026-07-28`.
MODERN_EXPECTED_CHECKS: dict[str, frozenset[str]] = {
    "tools_call": EXPECTED_CHECKS["tools_call"],
    "request-metadata": frozenset(
        {
            "sep-2575-http-client-sends-version-header",
            "sep-2575-client-populates-meta",
            "sep-2575-client-sends-client-info",
            "sep-2575-http-version-header-matches-meta",
            "sep-2575-client-declares-elicitation-capability",
            "sep-2575-client-retry-supported-version",
        }
    ),
    "sep-2322-client-request-state": frozenset(
        {
            "sep-2322-client-request-state-echoed",
            "sep-2322-client-jsonrpc-id-different",
            "sep-2322-client-no-state-omitted",
            "sep-2322-client-parallel-isolation",
            "sep-2322-default-result-type-complete",
        }
    ),
    "http-standard-headers": frozenset({"sep-2243-client-includes-standard-headers"}),
    "http-custom-headers": frozenset(
        {
            "sep-2243-client-supports-custom-headers",
            "sep-2243-client-mirrors-designated-params",
            "sep-2243-client-encode-values",
            "sep-2243-client-base64-unsafe",
            "sep-2243-client-omit-null",
        }
    ),
    "http-invalid-tool-headers": frozenset(
        {
            "sep-2243-client-reject-invalid-tool",
            "sep-2243-x-mcp-header-not-empty",
            "sep-2243-x-mcp-header-primitive-only",
            "sep-2243-x-mcp-header-unique",
            "sep-2243-x-mcp-header-charset",
        }
    ),
    "json-schema-ref-no-deref": frozenset({"sep-2106-no-network-ref-deref"}),
    "json-schema-2020-12-preservation": EXPECTED_CHECKS["json-schema-2020-12-preservation"],
    **MODERN_AUTH_EXPECTED_CHECKS,
}
# (scenario, spec version): None runs the suite's default version for the scenario.
CASES: list[tuple[str, str | None]] = [
    *((scenario, None) for scenario in sorted(EXPECTED_CHECKS)),
    *((scenario, MODERN) for scenario in sorted(MODERN_EXPECTED_CHECKS)),
]


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


@pytest.mark.parametrize(("scenario", "spec_version"), CASES)
def test_client_scenario(
    scenario: str, spec_version: str | None, conformance_suite: ConformanceSuite, tmp_path: Path
) -> None:
    command = shlex.join([sys.executable, str(DRIVER)])
    version = spec_version or AUTH_SPEC_VERSIONS.get(scenario)
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
    expected = MODERN_EXPECTED_CHECKS if spec_version == MODERN else EXPECTED_CHECKS
    missing = expected[scenario] - succeeded
    assert not missing, f"{scenario} reported no SUCCESS for {sorted(missing)}\n{context}"
    assert run.returncode == 0, f"the suite failed {scenario}\n{context}"
    refusal = MODERN_AUTH_REFUSALS.get(scenario) if spec_version == MODERN else None
    if refusal is not None:
        # The suite allows the client to fail these; it must fail for the scenario's reason.
        stderr = driver_stderr(result_dir)
        assert refusal in stderr, (
            f"{scenario}: the driver did not refuse with {refusal!r}\n{context}"
        )
