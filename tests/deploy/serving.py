"""Start a web process as an operator would, and read a page as a browser does: the HTML,
then every stylesheet and script it links."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from html.parser import HTMLParser
from pathlib import Path

import httpx

READY_TIMEOUT_SECONDS = 60.0
STOP_TIMEOUT_SECONDS = 10.0


class _AssetLinks(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        url = found.get("src") if tag == "script" else found.get("href") if tag == "link" else None
        if url and not url.startswith("data:"):  # a data: URL carries its content inline
            self.urls.append(url)


def linked_assets(html: str) -> list[str]:
    """The URLs of the scripts and linked resources (stylesheets, icons) a page fetches."""
    parser = _AssetLinks()
    parser.feed(html)
    return parser.urls


@contextmanager
def serving(
    command: list[str], *, env: Mapping[str, str], cwd: Path, ready_url: str, log_path: Path
) -> Iterator[subprocess.Popen[bytes]]:
    """Run `command` until the block ends, once `ready_url` answers; its output goes to
    `log_path`, which a failure quotes. The whole process group is stopped at the end (a
    shell line's server is the shell's child)."""
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command,
            env=dict(env),
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        _wait_until_answering(process, ready_url, log_path)
        yield process
    finally:
        _stop_group(process)


def _wait_until_answering(process: subprocess.Popen[bytes], url: str, log_path: Path) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(
                f"{process.args!r} exited with {process.returncode} before serving:\n"
                + log_path.read_text(errors="replace")
            )
        with contextlib.suppress(httpx.TransportError):
            httpx.get(url, timeout=2)
            return
        time.sleep(0.1)
    raise AssertionError(
        f"{process.args!r} did not answer {url} within {READY_TIMEOUT_SECONDS:.0f} s:\n"
        + log_path.read_text(errors="replace")
    )


def _stop_group(process: subprocess.Popen[bytes]) -> None:
    for sig in (signal.SIGTERM, signal.SIGKILL):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        try:
            process.wait(timeout=STOP_TIMEOUT_SECONDS)
            return
        except subprocess.TimeoutExpired:
            continue
