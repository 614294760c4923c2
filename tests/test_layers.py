"""The lower layers and the presenters know nothing of Django or Channels; the CLI starts
without them."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import pytest

import inspector.presenters
from tests.conftest import REPO_ROOT

LOWER_LAYER_MODULES = [
    "inspector.mcp.client",
    "inspector.mcp.jsonrpc",
    "inspector.mcp.eras.base",
    "inspector.mcp.eras.legacy",
    "inspector.mcp.eras.modern",
    "inspector.mcp.eras.auto",
    "inspector.mcp.auth.flow",
    "inspector.mcp.validation",
    "inspector.mcp.network",
    "inspector.mcp.transports.stdio",
    "inspector.mcp.transports.streamable_http",
    "inspector.mcp.transports.sse_legacy",
    "inspector.sessions.session",
    "inspector.sessions.status",
    "inspector.sessions.connecting",
    "inspector.sessions.calls",
    "inspector.sessions.stream",
    "inspector.sessions.authorization",
    "inspector.sessions.persistence",
    "inspector.sessions.ports",
    "inspector.sessions.registry",
    "inspector.sessions.log",
    "inspector.sessions.spec",
    "inspector.sessions.catalog",
    "inspector.sessions.task_tracker",
    "inspector.sessions.approvals",
    "inspector.sessions.consent",
    "inspector.sessions.roots",
    "inspector.sessions.config_files",
    "inspector.schemaform.nodes",
    "inspector.schemaform.binding",
    "inspector.schemaform.validation",
    "inspector.schemaform.state",
    "inspector.cli",
    "inspector.headless.args",
    "inspector.headless.output",
    "inspector.headless.run",
    "inspector.headless.main",
    "inspector.headless.commandline",
    # Server JSON -> what a page shows: every presenter, so that a new one is checked too.
    *(
        f"inspector.presenters.{found.name}"
        for found in pkgutil.iter_modules(inspector.presenters.__path__)
    ),
]


@pytest.mark.parametrize("module", LOWER_LAYER_MODULES)
def test_module_imports_without_django_or_channels(module: str) -> None:
    probe = (
        f"import sys, {module}\n"
        "web = {'django', 'channels', 'daphne'}\n"
        "leaked = sorted(name for name in sys.modules if name.split('.')[0] in web)\n"
        "print(','.join(leaked))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, cwd=REPO_ROOT, check=True
    )
    assert result.stdout.strip() == "", f"{module} pulled in {result.stdout.strip()}"
