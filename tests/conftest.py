"""Fixtures shared by every layer's tests: how to start the fixture servers."""

from __future__ import annotations

import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from inspector.mcp.transports.stdio import StdioParameters
from inspector.sessions.spec import ConnectionSpec, TransportKind
from tests.servers.http_harness import RunningServer, refused_port, run_server

REPO_ROOT = Path(__file__).resolve().parent.parent


def fixture_server(module: str, *args: str) -> StdioParameters:
    """Parameters to run `tests/servers/<module>.py` over stdio."""
    return StdioParameters(
        sys.executable, ("-m", f"tests.servers.{module}", *args), cwd=str(REPO_ROOT)
    )


def fixture_spec(module: str, *args: str, **options: object) -> ConnectionSpec:
    params = fixture_server(module, *args)
    return ConnectionSpec(
        TransportKind.STDIO,
        command=params.command,
        args=tuple(params.args),
        cwd=params.cwd,
        **options,  # type: ignore[arg-type]
    )


@pytest.fixture
def everything() -> StdioParameters:
    return fixture_server("everything_py")


@pytest.fixture
def repo_root() -> Path:
    return REPO_ROOT


@pytest.fixture
def closed_port() -> Iterator[int]:
    """A local port that refuses connections throughout the test."""
    with refused_port() as port:
        yield port


@pytest.fixture(scope="session")
def mcp_http_server() -> Iterator[RunningServer]:
    """Real `mcp` servers: /stream/mcp, /json/mcp, /resumable/mcp and /legacy/sse."""
    with run_server("http_mcp.py") as server:
        yield server


@pytest.fixture(scope="session")
def broken_http_server() -> Iterator[RunningServer]:
    """The hand-written misbehaving server; see `tests/servers/http_broken.py`."""
    with run_server("http_broken.py") as server:
        yield server


@pytest.fixture
def path_token() -> str:
    """A fresh path segment, so a test's state on the shared broken server is its own."""
    return uuid.uuid4().hex[:12]
