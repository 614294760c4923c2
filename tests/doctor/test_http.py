"""The doctor over Streamable HTTP: the real `mcp` server's exchange read layer by layer,
and a server that answers 500 to everything after the handshake."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from inspector.doctor.engine import DoctorOptions, examine
from inspector.doctor.report import Status
from inspector.mcp.versions import EraChoice
from inspector.sessions.spec import ConnectionSpec, TransportKind
from tests.servers.http_harness import RunningServer

QUICK = DoctorOptions(repeat=2, budget=40.0, versions=False)


class _FailingHandler(BaseHTTPRequestHandler):
    """initialize is answered; every other request gets HTTP 500."""

    def do_POST(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        message = json.loads(self.rfile.read(length) or b"{}")
        if message.get("method") == "initialize":
            result = {
                "protocolVersion": message["params"]["protocolVersion"],
                "capabilities": {"tools": {}, "prompts": {}},
                "serverInfo": {"name": "fixture-500", "version": "0"},
            }
            self._send(200, {"jsonrpc": "2.0", "id": message["id"], "result": result})
        elif "id" not in message:
            self._send(202, None)
        else:
            self._send(500, {"error": "internal"})

    def do_GET(self) -> None:
        self._send(405, None)

    def _send(self, status: int, body: Any) -> None:
        data = json.dumps(body).encode() if body is not None else b""
        self.send_response(status)
        if data:
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def failing_server() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _FailingHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/mcp"
    finally:
        server.shutdown()
        server.server_close()


def statuses(checks: list[Any]) -> dict[str, Status]:
    return {check.id: check.status for check in checks}


async def test_the_http_exchange_is_checked(mcp_http_server: RunningServer) -> None:
    url = mcp_http_server.url("/stream/mcp")
    report = await examine(ConnectionSpec(TransportKind.HTTP, url=url, era=EraChoice.LEGACY), QUICK)
    found = statuses(report.checks)
    assert found["connection.http.initialize"] is Status.PASS
    assert found["connection.http.session-id"] is Status.PASS
    assert found["connection.http.get-stream"] is Status.PASS
    assert found["connection.tcp"] is Status.PASS
    initialize = next(c for c in report.checks if c.id == "connection.http.initialize")
    assert initialize.detail["status"] == 200
    assert initialize.evidence
    assert Status.FAIL not in found.values()


async def test_a_server_answering_500_still_gets_a_finished_report(failing_server: str) -> None:
    report = await examine(
        ConnectionSpec(TransportKind.HTTP, url=failing_server, era=EraChoice.LEGACY), QUICK
    )
    found = statuses(report.checks)
    assert found["connection.connect"] is Status.PASS
    assert found["catalog.tools"] is Status.FAIL
    ping = next(c for c in report.checks if c.id == "probe.ping")
    assert ping.status is Status.FAIL
    assert "HTTP 500" in ping.sentence
    assert found["speed.ping"] is Status.FAIL
    assert found["connection.http.get-stream"] is Status.PASS  # 405: no stream, properly said


def resumable_check(report: Any) -> Any:
    return next(c for c in report.checks if c.id == "connection.http.resumable")


@pytest.mark.parametrize(
    ("path", "status", "words"),
    [
        ("/resumable/mcp", Status.PASS, "can resume"),
        ("/stream/mcp", Status.WARNING, "loses what was in flight"),
        ("/json/mcp", Status.SKIPPED, "as JSON"),
    ],
)
async def test_resumability_is_read_from_the_sse_events(
    mcp_http_server: RunningServer, path: str, status: Status, words: str
) -> None:
    url = mcp_http_server.url(path)
    report = await examine(ConnectionSpec(TransportKind.HTTP, url=url, era=EraChoice.LEGACY), QUICK)
    check = resumable_check(report)
    assert check.status is status
    assert words in check.sentence
    if status is not Status.SKIPPED:
        assert check.evidence
