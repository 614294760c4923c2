"""Fixtures for the protocol core's tests: HTTP fixture servers, one process each per run."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from tests.servers.http_harness import RunningServer, run_server


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
