"""Nothing left behind: the servers an inspector started end when it is killed with
SIGKILL, which lets it close nothing (the CLI and the web UI alike), through the watcher
of `inspector.mcp.transports.reaper`."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from inspector.mcp.transports.reaper import end_groups, watch_until_orphaned
from tests.conftest import REPO_ROOT

GONE_WITHIN_SECONDS = 15.0


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie is gone in all but name: its parent (the watcher, init) reaps it.
    status = Path(f"/proc/{pid}/stat")
    return status.exists() and status.read_text().split(") ")[-1][:1] != "Z"


def server_pids(pidfile: Path) -> list[int]:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if pidfile.exists() and pidfile.read_text().strip():
            return [int(pid) for pid in pidfile.read_text().split()]
        time.sleep(0.05)
    raise AssertionError("the server never started")


def all_gone(pids: list[int]) -> bool:
    deadline = time.monotonic() + GONE_WITHIN_SECONDS
    while time.monotonic() < deadline:
        if not any(alive(pid) for pid in pids):
            return True
        time.sleep(0.1)
    return False


@pytest.fixture
def leftovers() -> Iterator[list[int]]:
    """Pids a failed test must not leave running."""
    pids: list[int] = []
    yield pids
    for pid in pids:
        if alive(pid):
            os.kill(pid, signal.SIGKILL)


def test_a_killed_cli_leaves_no_server_behind(tmp_path: Path, leftovers: list[int]) -> None:
    pidfile = tmp_path / "pids"
    cli = subprocess.Popen(
        [sys.executable, "-m", "inspector.cli", "--cli", sys.executable, "-m",
         "tests.servers.stubborn", str(pidfile), "--method", "tools/call",
         "--tool-name", "wait"],
        cwd=REPO_ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    pids = server_pids(pidfile)
    leftovers.extend(pids)
    assert all(alive(pid) for pid in pids)
    cli.send_signal(signal.SIGKILL)
    cli.wait()
    assert all_gone(pids), "the server and its child outlived the CLI"


def test_a_cli_that_answered_leaves_its_server_to_the_watcher_which_ends_it(
    tmp_path: Path, leftovers: list[int]
) -> None:
    """The command ends once its answer is out; the server (which ignores its closed
    input, its child too) is ended by the watcher all the same."""
    pidfile = tmp_path / "pids"
    answered = subprocess.run(
        [sys.executable, "-m", "inspector.cli", "--cli", sys.executable, "-m",
         "tests.servers.stubborn", str(pidfile), "--method", "tools/list"],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert answered.returncode == 0, answered.stderr
    assert json.loads(answered.stdout) == {"tools": []}
    pids = server_pids(pidfile)
    leftovers.extend(pids)
    assert all_gone(pids), "the server and its child outlived the CLI"


def test_a_killed_web_ui_leaves_no_server_behind(tmp_path: Path, leftovers: list[int]) -> None:
    pidfile = tmp_path / "pids"
    env = {**os.environ, "INSPECTOR_DATA_DIR": str(tmp_path)}
    env.pop("DATABASE_URL", None)
    ui = subprocess.Popen(
        [sys.executable, "-m", "inspector.cli", "--port", "0"],
        cwd=REPO_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )  # fmt: skip
    try:
        assert ui.stdout is not None
        url = re.search(r"Open (http://\S+)", ui.stdout.readline())
        assert url, "the UI did not start"
        with httpx.Client(follow_redirects=True, timeout=30) as browser:
            home = browser.get(url.group(1))
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', home.text)
            assert token
            base = url.group(1).split("/?")[0]
            form = {
                "csrfmiddlewaretoken": token.group(1), "transport": "stdio",
                "command": sys.executable, "arguments": f"-m tests.servers.stubborn {pidfile}",
                "cwd": str(REPO_ROOT), "era": "legacy", "protocol_version": "2025-11-25",
                "connect_timeout": "30", "request_timeout": "60",
            }  # fmt: skip
            connected = browser.post(f"{base}/connect", data=form, headers={"Origin": base})
            assert connected.status_code == 200, connected.text[:500]
        pids = server_pids(pidfile)
        leftovers.extend(pids)
        ui.send_signal(signal.SIGKILL)
        ui.wait()
        assert all_gone(pids), "the server and its child outlived the web UI"
    finally:
        if ui.poll() is None:
            ui.kill()
            ui.wait()


def test_the_watcher_ends_only_the_groups_still_listed() -> None:
    lines = [b"+101\n", b"+102\n", b"-101\n", b"junk\n", b"+\n", b"+103\n"]
    assert watch_until_orphaned(iter(lines)) == {102, 103}


def test_ending_a_group_takes_its_whole_tree() -> None:
    group = subprocess.Popen(
        [sys.executable, "-c",
         "import subprocess, sys, time; subprocess.Popen([sys.executable, '-c', "
         "'import time; time.sleep(600)']); print(flush=True); time.sleep(600)"],
        start_new_session=True, stdout=subprocess.PIPE,
    )  # fmt: skip
    try:
        assert group.stdout is not None
        group.stdout.readline()  # its child is started
        end_groups({group.pid}, grace=2.0)
        group.wait(timeout=5)
        assert group.returncode is not None
    finally:
        if group.poll() is None:
            group.kill()
