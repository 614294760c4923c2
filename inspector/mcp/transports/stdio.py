"""The stdio transport: a child process speaking newline-delimited JSON-RPC.

The child runs in its own process group so that everything it spawns (servers started
through npx or uvx fork again) is ended with it, on close, or by the watcher of
`reaper` when the inspector dies without closing. Servers print banners and logs to stdout
in practice; such lines are recorded as non-protocol output, never fatal.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shlex
import signal
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from inspector.mcp.errors import ConnectError, FailureLayer, TransportClosed
from inspector.mcp.masking import mask_value
from inspector.mcp.trace import Direction, EventKind, TraceEvent, local_event
from inspector.mcp.transports.base import Outbound, Transport, inbound_frame
from inspector.mcp.transports.reaper import REAPER

# Variables a server usually needs to start; the inspector's own environment (which may
# hold secrets) is never passed through wholesale.
INHERITED_VARIABLES = ("HOME", "LOGNAME", "PATH", "SHELL", "TERM", "USER", "LANG", "TMPDIR")
# Read in large chunks and split them in bulk: a flood of small messages costs one read
# and one decode per chunk, not per line. Also the asyncio buffer's limit (it holds up to
# twice this before it stops reading the pipe, so a held reader pushes back on the server).
READ_CHUNK = 256 * 1024
MAX_LINE_BYTES = 64 * 1024 * 1024
# A chunk's lines are delivered in slices: between two, the reader looks at the flow gate
# (the window's bound holds within one slice) and gives the event loop its turn once it
# has held it this long, so other sessions and pages never wait long on a flood.
LINES_PER_SLICE = 100
SLICE_SECONDS = 0.002
STDIN_GRACE_SECONDS = 2.0
TERM_GRACE_SECONDS = 2.0
READER_DRAIN_SECONDS = 1.0
EXIT_POLL_SECONDS = 0.02

# Servers left to the watcher (`StdioTransport.leave_to_watcher`), kept until this
# process ends: asyncio kills the child of a subprocess transport it collects.
_left_to_watcher: list[asyncio.subprocess.Process] = []


@dataclass(frozen=True, slots=True)
class StdioParameters:
    command: str
    args: Sequence[str] = ()
    env: Mapping[str, str] = field(default_factory=dict)
    cwd: str | None = None

    def command_line(self) -> str:
        return shlex.join([self.command, *self.args])

    def environment(self) -> dict[str, str]:
        inherited = {name: os.environ[name] for name in INHERITED_VARIABLES if name in os.environ}
        return {**inherited, **self.env}


class StdioTransport(Transport):
    kind = "stdio"

    def __init__(
        self, parameters: StdioParameters, *, stdin_grace: float = STDIN_GRACE_SECONDS
    ) -> None:
        super().__init__()
        self.parameters = parameters
        self._process: asyncio.subprocess.Process | None = None
        self._readers: list[asyncio.Task[None]] = []
        self._waiter: asyncio.Task[None] | None = None
        self._write_lock = asyncio.Lock()
        self._exited = asyncio.Event()
        self._closing = False
        # How long the server may take to exit once its input is closed, before SIGTERM.
        self._stdin_grace = stdin_grace

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process else None

    async def open(self) -> None:
        params = self.parameters
        try:
            self._process = await asyncio.create_subprocess_exec(
                params.command,
                *params.args,
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
                env=params.environment(),
                cwd=params.cwd or None,
                start_new_session=True,
                limit=READ_CHUNK,
            )
        except FileNotFoundError as exc:
            # Only on the failure path, so the blocking stat does not matter.
            cwd_missing = params.cwd and not os.path.isdir(params.cwd)  # noqa: ASYNC240
            missing = params.cwd if cwd_missing else params.command
            raise ConnectError(
                FailureLayer.PROCESS, f"{missing!r} was not found ({exc.strerror})."
            ) from exc
        except PermissionError as exc:
            raise ConnectError(
                FailureLayer.PROCESS, f"{params.command!r} cannot be executed ({exc.strerror})."
            ) from exc
        except OSError as exc:
            raise ConnectError(
                FailureLayer.PROCESS, f"{params.command!r} failed to start: {exc}"
            ) from exc
        process = self._process
        REAPER.watch(process.pid)  # its group, ended by the watcher if we die first
        self.emit(
            local_event(
                EventKind.PROCESS,
                f"Started {params.command_line()} (pid {process.pid})",
                pid=process.pid,
                command=params.command_line(),
                cwd=params.cwd,
            )
        )
        assert process.stdout is not None
        assert process.stderr is not None
        self._readers = [
            asyncio.create_task(self._read_lines(process.stdout, self._stdout_line)),
            asyncio.create_task(self._read_lines(process.stderr, self._stderr_line)),
        ]
        self._waiter = asyncio.create_task(self._wait_for_exit())

    def stalled_send(self, seconds: float) -> str:
        # Writing blocks only when the pipe is full: the server stopped reading it.
        return (
            f"The server did not take the message within the request timeout of {seconds:g} s: "
            "it is not reading its input."
        )

    async def send(self, message: Outbound) -> None:
        process = self._process
        if process is None or process.stdin is None or process.returncode is not None:
            raise TransportClosed("The server process is not running.")
        async with self._write_lock:
            try:
                process.stdin.write(message.text.encode() + b"\n")
                await process.stdin.drain()
            except (BrokenPipeError, ConnectionResetError) as exc:
                raise TransportClosed("The server process closed its standard input.") from exc

    def _stdout_line(self, line: str) -> None:
        # A protocol frame starts with an object or a batch; anything else is noise that a
        # misbehaving server printed, kept in its own lane.
        if line.lstrip().startswith(("{", "[")):
            self.emit(inbound_frame(line))
        elif line.strip():
            self.emit(TraceEvent(kind=EventKind.STDOUT, direction=Direction.IN, text=line))

    def _stderr_line(self, line: str) -> None:
        self.emit(TraceEvent(kind=EventKind.STDERR, direction=Direction.IN, text=line))

    async def _read_lines(
        self, stream: asyncio.StreamReader, deliver: Callable[[str], None]
    ) -> None:
        loop = asyncio.get_running_loop()
        # The start of a line whose end has not arrived yet, in the pieces it came in (a
        # long line is joined once, not copied again with every chunk).
        partial: list[bytes] = []
        partial_bytes = 0
        began = loop.time()  # since the reader last gave the event loop its turn
        while True:
            await self.wait_for_flow()
            chunk = await stream.read(READ_CHUNK)
            if not chunk:
                break
            end = chunk.rfind(b"\n")
            if end < 0:
                partial.append(chunk)
                partial_bytes += len(chunk)
                if partial_bytes > MAX_LINE_BYTES:
                    deliver(_decode_line(b"".join(partial)))
                    partial, partial_bytes = [], 0
                continue
            complete = chunk[:end]
            if partial:
                complete = b"".join((*partial, complete))
            rest = chunk[end + 1 :]
            partial, partial_bytes = ([rest], len(rest)) if rest else ([], 0)
            # A newline byte never occurs inside a UTF-8 sequence, so decoding the lines
            # together and splitting after is the same as decoding each.
            lines = complete.decode("utf-8", errors="replace").split("\n")
            for start in range(0, len(lines), LINES_PER_SLICE):
                if start:
                    await self.wait_for_flow()
                if loop.time() - began >= SLICE_SECONDS:
                    await asyncio.sleep(0)
                    began = loop.time()
                for line in lines[start : start + LINES_PER_SLICE]:
                    deliver(line.removesuffix("\r"))
        if partial:
            deliver(_decode_line(b"".join(partial)))

    async def _wait_for_exit(self) -> None:
        process = self._process
        assert process is not None
        code = await _exit_of(process)
        self._exited.set()
        # Let the readers drain what the process wrote before it exited, so its last
        # words come before the exit event; a grandchild holding the pipes open must not
        # hold the exit back.
        await asyncio.wait(self._readers, timeout=READER_DRAIN_SECONDS)
        self.emit(local_event(EventKind.PROCESS, _exit_text(code), pid=process.pid, exit_code=code))
        if not self._closing:
            self.listener.transport_closed(TransportClosed(_exit_text(code)))

    def peer_unresponsive(self) -> None:
        # A server that did not answer in time gets no grace to exit on its closed input:
        # it is told to stop (SIGTERM) at once, so a failed connect ends within its budget.
        self._stdin_grace = 0.0

    def leave_to_watcher(self) -> bool:
        """For a process about to end: close the server's input and leave its end to the
        watcher (`reaper`), which gives it the same grace once this process has ended,
        instead of waiting here. False, with nothing done, when no watcher runs."""
        process = self._process
        if self._closing or process is None or not REAPER.watching():
            return False
        self._closing = True
        if process.stdin is not None:
            with contextlib.suppress(OSError):
                process.stdin.close()
        _left_to_watcher.append(process)
        return True

    async def close(self) -> None:
        if self._closing:
            return
        self._closing = True
        process = self._process
        if process is None:
            return
        try:
            await self._terminate(process)
        finally:
            REAPER.forget(process.pid)
        tasks = [task for task in (self._waiter, *self._readers) if task is not None]
        _, stuck = await asyncio.wait(tasks, timeout=TERM_GRACE_SECONDS)
        for task in stuck:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def _terminate(self, process: asyncio.subprocess.Process) -> None:
        """Close stdin, then SIGTERM the group, then SIGKILL what is left of it.

        The group is signalled even when the server itself has exited: what it spawned
        (servers started through npx or uvx fork) may still be running.
        """
        if process.returncode is None:
            if process.stdin is not None:
                with contextlib.suppress(OSError):
                    process.stdin.close()
            exited = await self._exited_within(self._stdin_grace)
            why = (
                "its children were still running"
                if exited
                else (
                    "it did not exit after its input closed"
                    if self._stdin_grace
                    else "it did not answer within the connect timeout"
                )
            )
        else:
            why = "its children were still running"
        if not _group_alive(process.pid):
            return
        self._signal_group(process, signal.SIGTERM, why)
        if await _group_gone_within(process.pid, TERM_GRACE_SECONDS):
            return
        self._signal_group(process, signal.SIGKILL, "the group did not end after SIGTERM")

    async def _exited_within(self, seconds: float) -> bool:
        try:
            await asyncio.wait_for(self._exited.wait(), seconds)
        except TimeoutError:
            return False
        return True

    def _signal_group(
        self, process: asyncio.subprocess.Process, sig: signal.Signals, why: str
    ) -> None:
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        self.emit(
            local_event(
                EventKind.PROCESS,
                f"Sent {sig.name} to process group {process.pid}: {why}",
                pid=process.pid,
                signal=sig.name,
            )
        )

    def describe(self) -> dict[str, Any]:
        params = self.parameters
        return {
            "transport": self.kind,
            "command": params.command_line(),
            "cwd": params.cwd,
            "env": {name: mask_value(name, value) for name, value in params.env.items()},
        }


def _decode_line(raw: bytes) -> str:
    return raw.removesuffix(b"\r").decode("utf-8", errors="replace")


def _exit_text(code: int) -> str:
    if code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = str(-code)
        return f"The server process was killed by signal {name}."
    return f"The server process exited with code {code}."


async def _exit_of(process: asyncio.subprocess.Process) -> int:
    """The exit code, as soon as the process exits.

    `process.wait()` also waits for every pipe to close (on Python 3.11), which never
    happens while a grandchild holds them open. A pidfd says when the process itself
    has exited; asyncio's child watcher then records its code moments later.
    """
    pidfd = _pidfd(process.pid)
    if pidfd is not None:
        loop = asyncio.get_running_loop()
        exited: asyncio.Future[None] = loop.create_future()

        def readable() -> None:
            if not exited.done():
                exited.set_result(None)

        loop.add_reader(pidfd, readable)
        try:
            await exited
        finally:
            loop.remove_reader(pidfd)
            os.close(pidfd)
    # The watcher exposes no event of its own, so poll for the code it records.
    while process.returncode is None:  # noqa: ASYNC110
        await asyncio.sleep(EXIT_POLL_SECONDS)
    return process.returncode


def _pidfd(pid: int) -> int | None:
    try:
        return os.pidfd_open(pid)
    except (AttributeError, OSError):  # not Linux, or an old kernel: poll instead
        return None


def _group_alive(group: int) -> bool:
    try:
        os.killpg(group, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


async def _group_gone_within(group: int, seconds: float) -> bool:
    deadline = asyncio.get_running_loop().time() + seconds
    while _group_alive(group):
        if asyncio.get_running_loop().time() >= deadline:
            return False
        await asyncio.sleep(EXIT_POLL_SECONDS)
    return True
