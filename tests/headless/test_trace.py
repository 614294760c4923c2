"""`--trace FILE`: every event of the call, as JSON lines, even when the call fails."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import sysconfig
import time
from pathlib import Path
from typing import Any

from tests.conftest import REPO_ROOT
from tests.headless.conftest import fixture_command, run_cli


def read_trace(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_the_trace_holds_every_event_in_order_with_pairs(
    everything_py: list[str], tmp_path: Path
) -> None:
    trace = tmp_path / "call.jsonl"
    run = run_cli(
        *everything_py, "--method", "tools/call", "--tool-name", "echo",
        "--tool-arg", "message=traced", "--trace", str(trace),
    )  # fmt: skip
    assert run.code == 0, run.stderr
    events = read_trace(trace)
    assert [event["seq"] for event in events] == list(range(1, len(events) + 1))
    assert {"process", "message", "stderr"} <= {event["kind"] for event in events}
    messages = [event for event in events if event["kind"] == "message"]
    assert [(event["direction"], event["message_type"], event.get("method")) for event in messages][
        :4
    ] == [
        ("out", "request", "initialize"),
        ("in", "result", "initialize"),
        ("out", "notification", "notifications/initialized"),
        ("out", "request", "tools/call"),
    ]
    by_seq = {event["seq"]: event for event in events}
    result = next(
        event
        for event in messages
        if event["direction"] == "in" and event.get("method") == "tools/call"
    )
    request = by_seq[result["request_seq"]]
    assert json.loads(request["text"])["params"]["arguments"] == {"message": "traced"}
    assert json.loads(result["text"])["result"]["content"][0]["text"] == "traced"
    assert result["duration_ms"] >= 0
    stderr = [event["text"] for event in events if event["kind"] == "stderr"]
    assert "echo called with 'traced'" in stderr
    # The server's exit is the last word: the trace covers the shutdown too.
    assert events[-1]["kind"] == "process"
    assert "exited" in events[-1]["text"] or "signal" in events[-1]["text"]


def test_a_failed_call_still_leaves_its_trace(tmp_path: Path) -> None:
    trace = tmp_path / "crash.jsonl"
    run = run_cli(
        *fixture_command("broken_stdio", "crash", "invalid"), "--method", "tools/call",
        "--tool-name", "t", "--trace", str(trace),
    )  # fmt: skip
    assert run.code == 5
    events = read_trace(trace)
    texts = [event["text"] for event in events]
    assert "panic: the tool exploded" in texts
    assert any(event.get("findings") for event in events)  # the frame that is not JSON
    assert any(event["kind"] == "error" and "tools/call" in event["text"] for event in events)


def test_an_interrupted_call_shuts_the_server_down(tmp_path: Path) -> None:
    trace = tmp_path / "interrupted.jsonl"
    command = [
        str(Path(sysconfig.get_path("scripts")) / "inspector"),
        "--cli", *fixture_command("broken_stdio", "silent"), "--method", "tools/call",
        "--tool-name", "t", "--timeout", "60", "--trace", str(trace),
    ]  # fmt: skip
    process = subprocess.Popen(
        command, cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        deadline = time.monotonic() + 20
        events: list[dict[str, Any]] = []
        while not any(event.get("method") == "tools/call" for event in events):
            assert time.monotonic() < deadline, "the call never reached tools/call"
            time.sleep(0.1)
            events = read_trace_partial(trace) if trace.exists() else []
        pid = next(event["detail"]["pid"] for event in events if event["kind"] == "process")
        process.send_signal(signal.SIGTERM)
        stdout, stderr = process.communicate(timeout=20)
    finally:
        # A failed test must not leave the command (and its server) running.
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 128 + signal.SIGTERM
    assert stdout == ""
    assert json.loads(stderr)["error"]["code"] == "interrupted"
    assert not process_exists(pid)


def read_trace_partial(path: Path) -> list[dict[str, Any]]:
    events = []
    for line in path.read_text().splitlines():
        try:
            events.append(json.loads(line))
        except ValueError:
            break  # a line still being written
    return events


def process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_stdio_calls_load_neither_httpx_nor_django(everything_py: list[str]) -> None:
    probe = (
        "import sys\n"
        "from inspector.headless.main import main\n"
        f"code = main(['--cli', *{everything_py!r}, '--method', 'ping'])\n"
        "heavy = {'httpx', 'httpx_sse', 'httpcore', 'django', 'channels', 'daphne'}\n"
        "print(sorted(name for name in sys.modules if name.split('.')[0] in heavy), code)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, cwd=REPO_ROOT, check=True
    )
    assert result.stdout.splitlines()[-1] == "[] 0"
