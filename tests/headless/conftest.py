"""Running the real `inspector --cli` command, and the servers it is run against."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REPO_ROOT, allow_extra_time
from tests.headless.npm import INSTALL_TIMEOUT_SECONDS, npm_install

# Pinned, so that the tool names the tests use stay put.
OFFICIAL_EVERYTHING = "@modelcontextprotocol/server-everything@2026.8.31"
CLI_TIMEOUT_SECONDS = 60.0


def inspector_command(*args: str) -> subprocess.CompletedProcess[str]:
    """`inspector ARGS` (any subcommand) as a subprocess, as a person types it; never a
    traceback."""
    done = subprocess.run(
        [sys.executable, "-m", "inspector.cli", *args],
        capture_output=True,
        text=True,
        timeout=CLI_TIMEOUT_SECONDS,
        cwd=REPO_ROOT,
        check=False,
    )
    assert "Traceback" not in done.stderr, done.stderr
    return done


# The lines of ours on stderr, as opposed to the server's own, which pass through.
_FINDING_LINE = re.compile(r"^(error|warning|info) \S+ .* #\d+ ")
_NOTE_PREFIX = "note: "
_ENVELOPE_PREFIX = '{"error":'


@dataclass(frozen=True, slots=True)
class CliRun:
    code: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        return json.loads(self.stdout)

    @property
    def error(self) -> dict[str, Any]:
        """The error envelope: the last line on stderr, and the only one of its kind."""
        lines = self.stderr.splitlines()
        assert lines, "expected the error envelope on stderr, got nothing"
        envelopes = [line for line in lines if line.startswith(_ENVELOPE_PREFIX)]
        assert envelopes == lines[-1:], f"expected one envelope, last: {self.stderr!r}"
        envelope = json.loads(lines[-1])
        assert set(envelope) == {"error"}
        error: dict[str, Any] = envelope["error"]
        return error

    @property
    def notes(self) -> list[str]:
        return [line for line in self.stderr.splitlines() if line.startswith(_NOTE_PREFIX)]

    @property
    def server_stderr(self) -> list[str]:
        """The lines on stderr that are not the inspector's: the server's own."""
        return [line for line in self.stderr.splitlines() if not _is_ours(line)]


def _is_ours(line: str) -> bool:
    return (
        line.startswith((_NOTE_PREFIX, _ENVELOPE_PREFIX)) or _FINDING_LINE.match(line) is not None
    )


def run_cli(
    *args: str,
    timeout: float = CLI_TIMEOUT_SECONDS,
    env: dict[str, str] | None = None,
    cwd: Path = REPO_ROOT,
    findings: bool = False,
    notes: bool = False,
) -> CliRun:
    """`inspector --cli ARGS` as a subprocess, as a person would type it. A call that
    succeeds says nothing of its own on stderr (the server's stderr passes through), unless
    the server is expected to break rules (`findings`: shown there) or to lack what was
    asked for (`notes`: a note says so)."""
    result = subprocess.run(
        [sys.executable, "-m", "inspector.cli", "--cli", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=cwd,
        env={**os.environ, **(env or {})},
        check=False,
    )
    assert "Traceback" not in result.stderr, result.stderr
    run = CliRun(result.returncode, result.stdout, result.stderr)
    if result.returncode == 0:
        for line in result.stderr.splitlines():
            if line.startswith(_NOTE_PREFIX):
                assert notes, result.stderr
            elif _is_ours(line):
                assert findings, result.stderr
    return run


def fixture_command(module: str, *args: str) -> list[str]:
    """The words that start `tests/servers/<module>.py` over stdio (run from the repo root)."""
    return [sys.executable, "-m", f"tests.servers.{module}", *args]


@pytest.fixture
def everything_py() -> list[str]:
    return fixture_command("everything_py")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # Whichever test comes first installs the server, on a cold cache.
    allow_extra_time(config, items, "official_everything", INSTALL_TIMEOUT_SECONDS)


@pytest.fixture(scope="session")
def official_everything() -> list[str]:
    """The official reference server from the npm registry, over stdio. Installing it must
    work: a failure here fails the tests that need it, loudly, and never skips them."""
    prefix = npm_install(OFFICIAL_EVERYTHING)
    return [str(prefix / "node_modules" / ".bin" / "mcp-server-everything"), "stdio"]


# -- a server that wants authorization ------------------------------------------------------


class _AuthHandler(BaseHTTPRequestHandler):
    """`/unauthorized/mcp` answers every POST with 401; `/forbidden-later/mcp` lets the
    handshake through, then answers every request with 403."""

    def do_POST(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        message = json.loads(self.rfile.read(length) or b"{}")
        if self.path.startswith("/unauthorized"):
            self._send(
                401,
                {"error": "invalid_token"},
                {"WWW-Authenticate": 'Bearer error="invalid_token"'},
            )
        elif message.get("method") == "initialize":
            result = {
                "protocolVersion": message["params"]["protocolVersion"],
                "capabilities": {"tools": {}},
                "serverInfo": {"name": "fixture-auth", "version": "0.0.1"},
            }
            self._send(200, {"jsonrpc": "2.0", "id": message["id"], "result": result})
        elif "id" not in message:
            self._send(202, None)
        else:
            self._send(403, {"error": "insufficient_scope"})

    def do_GET(self) -> None:
        self._send(405, None)

    def _send(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(body).encode() if body is not None else b""
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        if data:
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        pass  # quiet tests


@pytest.fixture(scope="session")
def auth_server() -> Iterator[str]:
    """The base URL of a server that answers 401 or 403."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _AuthHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def words(*parts: str | Sequence[str]) -> list[str]:
    """Flatten a mix of words and lists of words into one argv."""
    flat: list[str] = []
    for part in parts:
        flat.extend([part] if isinstance(part, str) else part)
    return flat
