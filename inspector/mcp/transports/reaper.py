"""What ends the server processes when the inspector itself cannot: a small watcher.

A stdio server runs in a process group of its own, which the transport ends on close. An
inspector killed with SIGKILL closes nothing: a server that ignores the end of its input
(and whatever it spawned, through npx or uvx) would outlive it. So the first server the
process starts also starts one watcher process for the whole inspector, which is told
each group started and ended, over a pipe. When the pipe reaches its end, the inspector
is gone, however it ended, and with it the servers' input: the watcher gives every group
still listed a moment to end on that, as a closing client would, then signals what is
left (SIGTERM, then SIGKILL after a grace) and exits. The CLI counts on this: once its
answer is out it ends at once, and leaves its server to the watcher.

The watcher is this module run as a script: the standard library only, no event loop.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterable

GRACE_SECONDS = 2.0
# What a closing client gives a server to exit on its closed input (as the CLI's own
# close does) before SIGTERM.
INPUT_CLOSED_GRACE_SECONDS = 0.25
POLL_SECONDS = 0.05


class GroupReaper:
    """The inspector's side: tells the watcher which groups to end if it dies."""

    def __init__(self) -> None:
        self._watcher: subprocess.Popen[bytes] | None = None
        self._lock = threading.Lock()

    def watch(self, group: int) -> None:
        self._tell(f"+{group}", start=True)

    def forget(self, group: int) -> None:
        self._tell(f"-{group}", start=False)

    def watching(self) -> bool:
        """Whether a watcher is there to end the groups it was told of."""
        with self._lock:
            return self._watcher is not None and self._watcher.poll() is None

    def _tell(self, line: str, *, start: bool) -> None:
        with self._lock:
            watcher = self._watcher
            if watcher is None or watcher.poll() is not None:
                if not start:
                    return
                watcher = self._watcher = _start_watcher()
            if watcher is None or watcher.stdin is None:
                return
            try:
                watcher.stdin.write(f"{line}\n".encode())
                watcher.stdin.flush()
            except OSError:
                self._watcher = None  # it died: the next group started starts another


def _start_watcher() -> subprocess.Popen[bytes] | None:
    try:
        return subprocess.Popen(
            [sys.executable, os.path.abspath(__file__)],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            # Not in the inspector's group: a Ctrl-C there must leave it to do its work.
            start_new_session=True,
            close_fds=True,
        )
    except OSError:
        return None  # the servers still end on a normal close


REAPER = GroupReaper()


# -- the watcher --------------------------------------------------------------------------


def watch_until_orphaned(lines: Iterable[bytes]) -> set[int]:
    """The groups still listed when the input ends."""
    groups: set[int] = set()
    for raw in lines:
        text = raw.decode(errors="replace").strip()
        if len(text) < 2 or not text[1:].isdigit():
            continue
        group = int(text[1:])
        if text[0] == "+":
            groups.add(group)
        elif text[0] == "-":
            groups.discard(group)
    return groups


def end_groups(
    groups: set[int], grace: float = GRACE_SECONDS, input_closed_grace: float = 0.0
) -> None:
    groups = _left_after(groups, input_closed_grace)
    for sig in (signal.SIGTERM, signal.SIGKILL):
        for group in list(groups):
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(group, sig)
        deadline = time.monotonic() + grace
        while groups and time.monotonic() < deadline:
            groups = {group for group in groups if _alive(group)}
            time.sleep(POLL_SECONDS)
        if not groups:
            return


def _left_after(groups: set[int], seconds: float) -> set[int]:
    """The groups still alive after up to `seconds` of waiting for them to end."""
    deadline = time.monotonic() + seconds
    while True:
        groups = {group for group in groups if _alive(group)}
        if not groups or time.monotonic() >= deadline:
            return groups
        time.sleep(POLL_SECONDS)


def _alive(group: int) -> bool:
    try:
        os.killpg(group, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


if __name__ == "__main__":
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # only the end of its input ends it
    end_groups(
        watch_until_orphaned(sys.stdin.buffer), input_closed_grace=INPUT_CLOSED_GRACE_SECONDS
    )
