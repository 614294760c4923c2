"""Fixtures for the browser tests: the real inspector in a subprocess, and Chromium.

Everything here is synchronous on purpose. The sync Playwright API runs its own event
loop; mixing it with async tests in one process breaks those later tests, so these tests
run in their own invocation: `python -m pytest tests/browser -p no:cacheprovider`.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, expect, sync_playwright

from tests.chromium import CHROMIUM, CHROMIUM_ARGS

REPO_ROOT = Path(__file__).resolve().parents[2]
READY_LINE = re.compile(r"MCP Inspector is running\. Open (http://127\.0\.0\.1:\d+/\?token=\S+)")
START_TIMEOUT_SECONDS = 30.0
STOP_TIMEOUT_SECONDS = 10.0
EXPECT_TIMEOUT_MS = 15_000

HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test in this folder is a browser test."""
    for item in items:
        if HERE in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.browser)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=STOP_TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=STOP_TIMEOUT_SECONDS)


def _wait_for_url(process: subprocess.Popen[bytes], stdout_path: Path, stderr_path: Path) -> str:
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        match = READY_LINE.search(stdout_path.read_text(errors="replace"))
        if match:
            return match.group(1)
        if process.poll() is not None:
            break
        time.sleep(0.05)
    _stop(process)
    pytest.fail(
        f"The inspector did not announce its URL within {START_TIMEOUT_SECONDS:g} s "
        f"(exit code {process.returncode}).\n"
        f"stdout:\n{stdout_path.read_text(errors='replace')}\n"
        f"stderr:\n{stderr_path.read_text(errors='replace')}"
    )


@contextmanager
def run_inspector(port: int | None = None, **extra_env: str) -> Iterator[str]:
    """The real `inspector` command on a port (a free one by default) with a fresh data
    directory and `extra_env`; yields the start-up URL that carries the access token."""
    with tempfile.TemporaryDirectory(prefix="inspector-browser-") as tmp:
        data_dir = Path(tmp) / "data"
        stdout_path = Path(tmp) / "stdout.log"
        stderr_path = Path(tmp) / "stderr.log"
        env = {
            name: value
            for name, value in os.environ.items()
            if not name.startswith(("INSPECTOR_", "DJANGO_"))
        }
        env.update(INSPECTOR_DATA_DIR=str(data_dir), PYTHONUNBUFFERED="1", **extra_env)
        # The `inspector` command imports whichever checkout was installed (editable);
        # the tests are about this one, so it comes first on the path.
        env["PYTHONPATH"] = os.pathsep.join(
            filter(None, [str(REPO_ROOT), os.environ.get("PYTHONPATH", "")])
        )
        with stdout_path.open("wb") as stdout, stderr_path.open("wb") as stderr:
            process = subprocess.Popen(
                ["inspector", "--port", str(port or free_port())],
                cwd=REPO_ROOT,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=stdout,
                stderr=stderr,
            )
        try:
            yield _wait_for_url(process, stdout_path, stderr_path)
        finally:
            _stop(process)
            problems = stderr_path.read_text(errors="replace")
            if "Traceback" in problems:
                # Shown with -s or on failure; the server's errors belong in the report.
                print(f"\n--- inspector stderr ---\n{problems}", file=sys.stderr)


@pytest.fixture(scope="session")
def inspector_url() -> Iterator[str]:
    """The inspector every browser test shares; see `run_inspector`."""
    with run_inspector() as url:
        yield url


@pytest.fixture(scope="session")
def playwright_instance() -> Iterator[Playwright]:
    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser(playwright_instance: Playwright) -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium package (apt).")
    browser = playwright_instance.chromium.launch(
        executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
    )
    expect.set_options(timeout=EXPECT_TIMEOUT_MS)
    yield browser
    browser.close()


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(EXPECT_TIMEOUT_MS)
    yield context
    context.close()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()
