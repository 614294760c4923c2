"""Run an HTTP fixture server in a subprocess on a free 127.0.0.1 port, and record what a
transport reports while a test drives it.

The test process binds and listens on the socket itself and hands it to the child, so
the port is known before the child starts and no other process can take it in between.
Connections made before the child is ready simply wait in the listen backlog.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from inspector.mcp import jsonrpc
from inspector.mcp.errors import TransportClosed
from inspector.mcp.trace import EventKind, MessageType, TraceEvent
from inspector.mcp.transports.base import Outbound

SERVERS_DIR = Path(__file__).resolve().parent
READY_TIMEOUT_SECONDS = 20.0
STOP_TIMEOUT_SECONDS = 5.0


@dataclass(frozen=True, slots=True)
class RunningServer:
    base_url: str
    process: subprocess.Popen[bytes]
    log_path: Path

    def url(self, path: str) -> str:
        return f"{self.base_url}{path}"

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


def free_port() -> int:
    """A port nothing listens on right now, for a server about to be started on it."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def refused_port() -> Iterator[int]:
    """A port that refuses connections for as long as the block runs.

    The socket stays bound without listening: the kernel refuses every connection, and
    no server started meanwhile can be handed the same port.
    """
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        yield holder.getsockname()[1]


@contextmanager
def run_server(script: str, *args: str, ready_path: str = "/healthz") -> Iterator[RunningServer]:
    """Start `tests/servers/<script>` with `--fd <listening socket>`, wait until it serves
    `ready_path`, and stop its whole process group afterwards."""
    with run_servers(script, 1, *args, ready_path=ready_path) as (server,):
        yield server


@contextmanager
def run_servers(
    script: str, count: int, *args: str, ready_path: str = "/healthz"
) -> Iterator[tuple[RunningServer, ...]]:
    """Like `run_server`, for a script that serves `count` origins from one process: it
    gets `--fd` once per listening socket, in order, and every origin must serve
    `ready_path`."""
    listeners = [socket.socket() for _ in range(count)]
    for listener in listeners:
        listener.bind(("127.0.0.1", 0))
        listener.listen(128)
    ports = [listener.getsockname()[1] for listener in listeners]
    fd_args = [arg for listener in listeners for arg in ("--fd", str(listener.fileno()))]
    log_name = f"{Path(script).stem}-"
    try:
        with tempfile.NamedTemporaryFile(prefix=log_name, suffix=".log", delete=False) as log:
            log_path = Path(log.name)
            process = subprocess.Popen(
                [sys.executable, str(SERVERS_DIR / script), *fd_args, *args],
                pass_fds=[listener.fileno() for listener in listeners],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
    finally:
        # The child holds its own copies of the sockets.
        for listener in listeners:
            listener.close()
    servers = tuple(RunningServer(f"http://127.0.0.1:{port}", process, log_path) for port in ports)
    try:
        for server in servers:
            _wait_until_ready(server, ready_path)
        yield servers
    finally:
        _stop(process)
        log_path.unlink(missing_ok=True)


def _wait_until_ready(server: RunningServer, path: str) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"The fixture server exited early:\n{server.log()}")
        try:
            # The socket already listens, so this waits in the backlog until the app serves.
            httpx.get(server.url(path), timeout=max(0.1, deadline - time.monotonic()))
        except httpx.HTTPError:
            time.sleep(0.05)
            continue
        return
    raise RuntimeError(f"The fixture server did not answer in time:\n{server.log()}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=STOP_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            continue
        return


# --- Driving a transport ---------------------------------------------------------------


@dataclass
class Recorder:
    """A transport listener that keeps everything and lets a test wait for a condition."""

    events: list[TraceEvent] = field(default_factory=list)
    closed: list[TransportClosed] = field(default_factory=list)
    _changed: asyncio.Event | None = None

    def transport_event(self, event: TraceEvent) -> None:
        self.events.append(event)
        self._notify()

    def transport_closed(self, error: TransportClosed) -> None:
        self.closed.append(error)
        self._notify()

    def _notify(self) -> None:
        if self._changed is not None:
            self._changed.set()

    async def wait_for(self, condition: Callable[[], bool], seconds: float = 5.0) -> None:
        """Wait until `condition()` holds, failing the test after `seconds`."""
        self._changed = self._changed or asyncio.Event()
        async with asyncio.timeout(seconds):
            while not condition():
                self._changed.clear()
                await self._changed.wait()

    def of_kind(self, kind: EventKind) -> list[TraceEvent]:
        return [event for event in self.events if event.kind is kind]

    def frames(self) -> list[TraceEvent]:
        return [event for event in self.events if event.is_inbound_frame]

    def payloads(self) -> list[Any]:
        return [json.loads(event.text) for event in self.frames()]

    def response_to(self, request_id: int | str) -> dict[str, Any] | None:
        for payload in self.payloads():
            answered = isinstance(payload, dict) and ("result" in payload or "error" in payload)
            if answered and payload.get("id") == request_id:
                return payload  # type: ignore[no-any-return]
        return None

    def http(self, method: str | None = None) -> list[TraceEvent]:
        return [
            event
            for event in self.of_kind(EventKind.HTTP)
            if "method" in event.detail and (method is None or event.detail["method"] == method)
        ]

    def texts(self, kind: EventKind) -> list[str]:
        return [event.text for event in self.of_kind(kind)]


async def request_log(server: RunningServer, token: str) -> list[dict[str, Any]]:
    """What `http_broken.py` received for a token: method, scenario, query, headers, body."""
    async with httpx.AsyncClient() as client:
        response = await client.get(server.url(f"/_log/{token}"))
    entries: list[dict[str, Any]] = response.json()
    return entries


def header(headers: dict[str, str], name: str) -> str | None:
    """A header from an HTTP event's detail, looked up case-insensitively."""
    for key, value in headers.items():
        if key.lower() == name.lower():
            return value
    return None


def initialize(request_id: int = 1, version: str = "2025-11-25") -> Outbound:
    params = {
        "protocolVersion": version,
        "capabilities": {},
        "clientInfo": {"name": "inspector-tests", "version": "0.0.0"},
    }
    text = jsonrpc.encode(jsonrpc.request(request_id, "initialize", params))
    return Outbound(text, MessageType.REQUEST, "initialize", request_id)


def request(request_id: int | str, method: str, params: dict[str, Any] | None = None) -> Outbound:
    text = jsonrpc.encode(jsonrpc.request(request_id, method, params))
    return Outbound(text, MessageType.REQUEST, method, request_id)


def notification(method: str, params: dict[str, Any] | None = None) -> Outbound:
    return Outbound(
        jsonrpc.encode(jsonrpc.notification(method, params)), MessageType.NOTIFICATION, method
    )


def result(request_id: int | str, value: dict[str, Any]) -> Outbound:
    return Outbound(
        jsonrpc.encode(jsonrpc.result(request_id, value)), MessageType.RESULT, None, request_id
    )
