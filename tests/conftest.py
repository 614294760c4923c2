"""Fixtures shared by every layer's tests: how to start the fixture servers."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from inspector.mcp.transports.stdio import StdioParameters
from inspector.sessions.spec import ConnectionSpec, TransportKind

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
