"""The `inspector` command: what it binds, what it prefills, what it prints."""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from inspector.cli import DEFAULT_PORT, check_bind, main, parse_args, prefill_from
from inspector.headless.words import UsageError
from tests.conftest import REPO_ROOT


def test_the_default_port_clashes_with_nothing_usual() -> None:
    assert DEFAULT_PORT not in {3000, 8000, 6274, 6277}
    assert parse_args([]).port == DEFAULT_PORT
    assert parse_args([]).host == "127.0.0.1"


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.20"])
def test_binding_beyond_loopback_is_refused_without_the_flag(host: str) -> None:
    with pytest.raises(UsageError, match="dangerously-bind-all"):
        check_bind(host, allow_all=False)
    check_bind(host, allow_all=True)


@pytest.mark.parametrize("host", ["127.0.0.1", "::1", "localhost", "127.0.0.2"])
def test_loopback_binds_are_fine(host: str) -> None:
    check_bind(host, allow_all=False)


def test_wildcard_bind_exits_with_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--host", "0.0.0.0"]) == 1
    assert "Refusing to bind 0.0.0.0" in capsys.readouterr().err


def test_a_command_after_the_separator_is_prefilled() -> None:
    args = parse_args(["--port", "7001", "--", "npx", "-y", "server-everything", "--flag"])
    assert args.port == 7001
    assert prefill_from(args) == {"command": "npx", "args": ["-y", "server-everything", "--flag"]}


def test_a_command_without_the_separator_is_prefilled_as_the_official_inspector_does() -> None:
    # `npx @modelcontextprotocol/inspector node server.js` starts its UI on that server.
    assert prefill_from(parse_args(["node", "server.js"])) == {
        "command": "node",
        "args": ["server.js"],
    }
    # Our options before the command; from the command on, every word is the server's.
    args = parse_args(["--port", "7000", "npx", "-y", "server", "--port", "3000", "-h"])
    assert args.port == 7000
    assert prefill_from(args) == {
        "command": "npx",
        "args": ["-y", "server", "--port", "3000", "-h"],
    }
    # The official form for a server option after `--` joins the command.
    assert prefill_from(parse_args(["node", "server.js", "--", "--verbose"])) == {
        "command": "node",
        "args": ["server.js", "--verbose"],
    }


@pytest.mark.parametrize(
    "argv",
    [
        ["http://127.0.0.1:9/mcp", "extra"],
        ["http://127.0.0.1:9/mcp", "--", "node"],
        ["--transport", "sse", "node", "server.js"],
    ],
)
def test_a_url_with_a_command_is_a_usage_error(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        parse_args(argv)
    assert exited.value.code == 2
    assert "inspector: error:" in capsys.readouterr().err


def test_a_url_is_prefilled_with_its_transport() -> None:
    assert prefill_from(parse_args(["http://127.0.0.1:9/mcp"])) == {
        "url": "http://127.0.0.1:9/mcp",
        "transport": "http",
    }
    args = parse_args(["--transport", "sse", "http://127.0.0.1:9/sse"])
    assert prefill_from(args)["transport"] == "sse"
    # Our options may follow a URL, which takes no arguments of its own.
    args = parse_args(["http://127.0.0.1:9/sse", "--transport", "sse", "--port", "7002"])
    assert (prefill_from(args)["transport"], args.port) == ("sse", 7002)


def test_a_busy_port_is_reported_plainly(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert main(["--port", str(port)]) == 1
    assert f"Cannot listen on 127.0.0.1:{port}" in capsys.readouterr().err


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def interruptible_children() -> Iterator[None]:
    """Processes started inside can be stopped with Ctrl-C's signal.

    A background job of a non-interactive shell (a CI runner, `scripts/test &`) starts
    with SIGINT ignored, and a child inherits that through exec: the server would ignore
    the SIGINT these tests send it. A Python handler, unlike SIG_IGN, is not inherited.
    """
    previous = signal.getsignal(signal.SIGINT)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        yield
    finally:
        if previous is not None:
            signal.signal(signal.SIGINT, previous)


@contextlib.contextmanager
def running_inspector(data_dir: Path, *args: str) -> Iterator[tuple[subprocess.Popen[str], str]]:
    """The real command in a subprocess, with the line it printed first."""
    env = {**os.environ, "INSPECTOR_DATA_DIR": str(data_dir)}
    env.pop("DATABASE_URL", None)
    with interruptible_children():
        process = subprocess.Popen(
            [sys.executable, "-m", "inspector.cli", *args],
            cwd=REPO_ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
    try:
        assert process.stdout is not None
        yield process, process.stdout.readline()
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            # Fail, but leave no server behind listening for the next run.
            process.kill()
            process.wait()
            raise


def test_starts_migrates_prints_the_token_url_and_prefills(tmp_path: Path) -> None:
    port = free_port()
    with running_inspector(tmp_path, "--port", str(port), "my-server", "--x") as (
        process,
        line,
    ):
        match = re.search(rf"Open (http://127\.0\.0\.1:{port}/\?token=\S+)", line)
        assert process.stderr is not None
        assert match, line + (process.stderr.read() if process.poll() is not None else "")
        assert (tmp_path / "inspector.sqlite3").exists()
        with httpx.Client(follow_redirects=True, timeout=10) as browser:
            page = browser.get(match.group(1))
            assert page.status_code == 200
            assert 'value="my-server"' in page.text
            assert 'value="--x"' in page.text
            assert httpx.get(f"http://127.0.0.1:{port}/", timeout=10).status_code == 403


def test_a_dangerous_bind_is_reachable_by_the_machines_names(tmp_path: Path) -> None:
    port = free_port()
    args = ("--host", "0.0.0.0", "--port", str(port), "--dangerously-bind-all")
    with running_inspector(tmp_path, *args) as (_, line):
        match = re.search(rf"Open http://([^:/]+):{port}/\?token=(\S+)", line)
        assert match, line
        name, token = match.groups()
        assert name != "0.0.0.0", "the printed URL must be one a browser can open"
        with httpx.Client(follow_redirects=True, timeout=10) as browser:
            page = browser.get(f"http://127.0.0.1:{port}/?token={token}", headers={"Host": name})
            assert page.status_code == 200, page.text[:300]
            foreign = browser.get(f"http://127.0.0.1:{port}/", headers={"Host": "evil.example"})
            assert foreign.status_code == 400


def session_file(path: Path, *, promised: int = 2) -> Path:
    """A session file as an export writes it: a header, then its events."""
    initialize = {"jsonrpc": "2.0", "id": 1, "result": {"serverInfo": {"name": "filed"}}}
    lines = [
        {
            "format": "mcp-inspector-session",
            "version": 1,
            "events": promised,
            "session": {
                "target": "python filed.py",
                "transport": "stdio",
                "status": "connected",
                "server": {"server_info": {"name": "filed-server"}, "capabilities": {}},
            },
        },
        {"seq": 1, "kind": "process", "direction": "local", "text": "started", "timestamp": 1.0},
        {
            "seq": 2,
            "kind": "message",
            "direction": "in",
            "text": json.dumps(initialize),
            "timestamp": 2.0,
            "message_type": "result",
            "method": "initialize",
        },
    ]
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    return path


def test_open_starts_the_ui_on_a_session_file(tmp_path: Path) -> None:
    port = free_port()
    path = session_file(tmp_path / "kept.jsonl")
    with running_inspector(tmp_path, "open", str(path), "--port", str(port)) as (process, line):
        match = re.search(
            rf"Open (http://127\.0\.0\.1:{port}/sessions/[0-9a-f]{{32}}/\?token=\S+)", line
        )
        assert process.stderr is not None
        assert match, line + (process.stderr.read() if process.poll() is not None else "")
        with httpx.Client(follow_redirects=True, timeout=10) as browser:
            page = browser.get(match.group(1))
            assert page.status_code == 200
            assert '<h1 id="server-heading">filed-server</h1>' in page.text
            assert 'Imported from <span class="mono">kept.jsonl</span>' in page.text
            assert "closed" in page.text, "a file's session is over, whatever it was"


def test_open_refuses_a_bad_file_with_its_line(tmp_path: Path) -> None:
    path = session_file(tmp_path / "short.jsonl", promised=3)
    env = {**os.environ, "INSPECTOR_DATA_DIR": str(tmp_path)}
    env.pop("DATABASE_URL", None)
    done = subprocess.run(
        [sys.executable, "-m", "inspector.cli", "open", str(path), "--port", str(free_port())],
        cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 1
    assert f"inspector: {path}: not imported, line 3: the file is cut short" in done.stderr
    assert "Nothing of it was kept." in done.stderr
    missing = subprocess.run(
        [sys.executable, "-m", "inspector.cli", "open"],
        cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert missing.returncode == 1
    assert "usage: inspector open FILE" in missing.stderr


def test_port_zero_prints_the_port_the_system_chose(tmp_path: Path) -> None:
    with running_inspector(tmp_path, "--port", "0") as (process, line):
        match = re.search(r"Open (http://127\.0\.0\.1:(\d+)/\?token=\S+)", line)
        assert process.stderr is not None
        assert match, line + (process.stderr.read() if process.poll() is not None else "")
        assert int(match.group(2)) != 0
        with httpx.Client(follow_redirects=True, timeout=10) as browser:
            assert browser.get(match.group(1)).status_code == 200


def test_the_apps_sandbox_listens_on_its_own_port_and_serves_only_the_proxy(
    tmp_path: Path,
) -> None:
    port, apps_port = free_port(), free_port()
    with running_inspector(tmp_path, "--port", str(port), "--apps-port", str(apps_port)) as (
        process,
        line,
    ):
        match = re.search(r"Open (http://127\.0\.0\.1:(\d+)/\?token=\S+)", line)
        assert process.stderr is not None
        assert match, line + (process.stderr.read() if process.poll() is not None else "")
        assert int(match.group(2)) == port
        with httpx.Client(follow_redirects=True, timeout=10) as browser:
            page = browser.get(match.group(1))
            # The pages may frame the sandbox origin, and nothing else.
            assert (
                f"frame-src http://127.0.0.1:{apps_port}" in page.headers["content-security-policy"]
            )
        sandbox = f"http://127.0.0.1:{apps_port}"
        proxy = httpx.get(f"{sandbox}/sandbox/?host=http://127.0.0.1:{port}", timeout=10)
        assert proxy.status_code == 200
        assert "connect-src 'none'" in proxy.headers["content-security-policy"]
        assert httpx.get(f"{sandbox}/sandbox/proxy.js", timeout=10).status_code == 200
        # The inspector's own pages are not reachable there, token or not.
        assert httpx.get(f"{sandbox}/", timeout=10).status_code == 404
        assert httpx.get(f"{sandbox}/static/inspector/inspector.css", timeout=10).status_code == 404


def test_the_apps_port_must_differ_from_the_inspectors(capsys: pytest.CaptureFixture[str]) -> None:
    port = free_port()
    assert main(["--port", str(port), "--apps-port", str(port)]) == 1
    assert "--apps-port must differ from --port" in capsys.readouterr().err
