"""`inspector replay FILE TARGET`, run as a person types it: a session recorded against
one version of a fixture server, replayed against it and against the next version;
tool calls only when allowed; every exit status."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from tests.headless.conftest import inspector_command as inspector

PYTHON = sys.executable
V1 = (PYTHON, "-m", "tests.servers.surface_server", "v1")
V2 = (PYTHON, "-m", "tests.servers.surface_server", "v2")


@pytest.fixture
def recorded(tmp_path: Path) -> Path:
    """A trace of a tool call against v1 (its answer recorded), then of tools/list."""
    call = tmp_path / "call.jsonl"
    done = inspector("--cli", *V1, "--method", "tools/call", "--tool-name", "forecast",
                     "--tool-arg", "city=Paris", "--trace", str(call))  # fmt: skip
    assert done.returncode == 0, done.stderr
    listing = tmp_path / "list.jsonl"
    assert (
        inspector("--cli", *V1, "--method", "tools/list", "--trace", str(listing)).returncode == 0
    )
    both = tmp_path / "session.jsonl"
    # One trace, numbered on: the listing's events after the call's.
    offset = len(call.read_text().splitlines())
    lines = [json.loads(line) for line in listing.read_text().splitlines()]
    for line in lines:
        line["seq"] += offset
        if "request_seq" in line:
            line["request_seq"] += offset
    both.write_text(call.read_text() + "".join(json.dumps(line) + "\n" for line in lines))
    return both


def test_replayed_against_the_same_server_everything_matches(recorded: Path) -> None:
    done = inspector("replay", str(recorded), *V1, "--call-tools")
    assert done.returncode == 0, done.stdout + done.stderr
    assert ": 3 requests: 3 same." in done.stdout.splitlines()[0]


def test_against_the_changed_server_each_difference_is_a_path(recorded: Path) -> None:
    done = inspector("replay", str(recorded), *V2)
    assert done.returncode == 1, done.stderr
    lines = done.stdout.splitlines()
    assert "3 requests: 1 skipped, 2 different." in lines[0]
    assert any(line.split()[:3] == ["skipped", lines[1].split()[1], "tools/call"] for line in lines)
    assert "             a tool call, not confirmed (pass --call-tools to replay it)" in lines
    assert (
        '             $.result.tools[0].inputSchema.properties.city.type: "string" → "integer"'
        in lines
    )
    quiet = inspector(
        "replay", str(recorded), *V2, "--format", "json",
        "--ignore", "$.result.tools", "--call-tools",
    )  # fmt: skip
    steps = json.loads(quiet.stdout)["steps"]
    assert [step["verdict"] for step in steps] == ["same", "same", "same"]
    assert quiet.returncode == 0


def test_a_request_left_unanswered_is_exit_5(recorded: Path) -> None:
    done = inspector(
        "replay", str(recorded), PYTHON, "-m", "tests.servers.broken_stdio", "crash",
        "--call-tools",
    )  # fmt: skip
    assert done.returncode == 5, done.stdout + done.stderr
    assert "failed" in done.stdout


def test_usage_unreadable_files_and_unreachable_servers(recorded: Path, tmp_path: Path) -> None:
    assert inspector("replay").returncode == 2
    assert inspector("replay", str(recorded), *V1, "--ignore", "result.x").returncode == 2
    junk = tmp_path / "junk.jsonl"
    junk.write_text("not json\n")
    bad = inspector("replay", str(junk), *V1)
    assert bad.returncode == 2
    assert "not a session file: line 1" in bad.stderr
    gone = inspector("replay", str(recorded), "http://127.0.0.1:9/mcp", "--connect-timeout", "5")
    assert gone.returncode == 4
    assert "could not connect" in gone.stderr
