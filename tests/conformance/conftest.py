"""The official conformance suite, installed from npm into a cache outside the repository.

The suite's version is pinned, and so is the major version of Node it runs on: Node 20
(what Debian ships) crashes the suite at import, so a Node 22 binary comes from the npm
registry as the package `node@22`. A missing or incomplete install is (re)done under a
lock; a failed one fails the tests, never skips them.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import allow_extra_time

SUITE_PACKAGE = "@modelcontextprotocol/conformance"
SUITE_VERSION = "0.2.0-alpha.12"
NODE_PACKAGE = "node@22"
NODE_MAJOR = "v22."
INSTALL_TIMEOUT_SECONDS = 600


@dataclass(frozen=True, slots=True)
class ConformanceSuite:
    node: Path
    cli: Path

    def command(self, *args: str) -> list[str]:
        return [str(self.node), str(self.cli), *args]

    def env(self) -> dict[str, str]:
        # Anything the suite itself starts as `node` must be the same Node 22.
        path = f"{self.node.parent}{os.pathsep}{os.environ.get('PATH', '')}"
        return {**os.environ, "PATH": path}


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "mcp-inspector-tests" / "conformance" / SUITE_VERSION


def _installed(root: Path) -> ConformanceSuite | None:
    """The install under `root` if it is whole and the pinned one, else None."""
    modules = root / "node_modules"
    node = modules / ".bin" / "node"
    package = modules / SUITE_PACKAGE / "package.json"
    try:
        manifest = json.loads(package.read_text())
        version, cli = manifest["version"], package.parent / manifest["bin"]["conformance"]
        node_version = subprocess.run(
            [str(node), "--version"], capture_output=True, text=True, timeout=30, check=True
        ).stdout.strip()
    except (OSError, ValueError, KeyError, TypeError, subprocess.SubprocessError):
        return None
    if version != SUITE_VERSION or not node_version.startswith(NODE_MAJOR) or not cli.is_file():
        return None
    return ConformanceSuite(node, cli)


def _install(root: Path) -> None:
    npm = shutil.which("npm")
    if npm is None:
        pytest.fail("npm is needed to install the conformance suite, and it is not on PATH.")
    command = [
        npm,
        "install",
        "--prefix",
        str(root),
        "--no-save",
        "--no-package-lock",
        "--no-audit",
        "--no-fund",
        # The node package fetches its platform's binary in an install script.
        "--ignore-scripts=false",
        NODE_PACKAGE,
        f"{SUITE_PACKAGE}@{SUITE_VERSION}",
    ]
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=INSTALL_TIMEOUT_SECONDS, check=False
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"Installing the conformance suite took over {INSTALL_TIMEOUT_SECONDS} s.")
    if done.returncode != 0:
        pytest.fail(
            f"Installing the conformance suite failed ({' '.join(command)}, "
            f"exit {done.returncode}):\n{done.stdout}\n{done.stderr}"
        )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # Whichever test comes first installs the suite on a cold cache, after waiting for the
    # lock while another run may be installing it.
    allow_extra_time(config, items, "conformance_suite", 2 * INSTALL_TIMEOUT_SECONDS)


@pytest.fixture(scope="session")
def conformance_suite() -> ConformanceSuite:
    root = cache_dir()
    root.mkdir(parents=True, exist_ok=True)
    # Several test runs may share the cache; one installs while the others wait.
    with (root / ".install.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        suite = _installed(root)
        if suite is None:
            _install(root)
            suite = _installed(root)
        if suite is None:
            pytest.fail(
                f"After npm install, {root} still has no {SUITE_PACKAGE}@{SUITE_VERSION} "
                f"running on Node {NODE_MAJOR}x."
            )
    return suite
