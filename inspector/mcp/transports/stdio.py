"""The stdio transport: a child process speaking newline-delimited JSON-RPC.

The child runs in its own process group so that everything it spawns (servers started
through npx or uvx fork again) is ended with it. Servers print banners and logs to stdout
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

# Variables a server usually needs to start; the inspector's own environment (which may
# hold secrets) is never passed through wholesale.
INHERITED_VARIABLES = ("HOME", "LOGNAME", "PATH", "SHELL", "TERM", "USER", "LANG", "TMPDIR")
READ_CHUNK = 64 * 1024
MAX_LINE_BYTES = 64 * 1024 * 1024
STDIN_GRACE_SECONDS = 2.0
TERM_GRACE_SECONDS = 2.0


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

    def __init__(self, parameters: StdioParameters) -> None:
        super().__init__()
        self.parameters = parameters
        self._process: asyncio.subprocess.Process | None = None
        self._readers: list[asyncio.Task[None]] = []
        self._waiter: asyncio.Task[None] | None = None
        self._write_lock = asyncio.Lock()
        self._closing = False

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
        buffer = bytearray()
        while True:
            await self.wait_for_flow()
            chunk = await stream.read(READ_CHUNK)
            if not chunk:
                break
            buffer.extend(chunk)
            while (newline := buffer.find(b"\n")) >= 0:
                line = bytes(buffer[:newline])
                del buffer[: newline + 1]
                deliver(_decode_line(line))
            if len(buffer) > MAX_LINE_BYTES:
                deliver(_decode_line(bytes(buffer)))
                buffer.clear()
        if buffer:
            deliver(_decode_line(bytes(buffer)))

    async def _wait_for_exit(self) -> None:
        process = self._process
        assert process is not None
        code = await process.wait()
        # Let the readers drain what the process wrote before it exited, so its last
        # words appear before the exit event.
        # A grandchild holding the pipes open must not keep the exit from being reported.
        await asyncio.wait(self._readers, timeout=1.0)
        self.emit(local_event(EventKind.PROCESS, _exit_text(code), pid=process.pid, exit_code=code))
        if not self._closing:
            self.listener.transport_closed(TransportClosed(_exit_text(code)))

    async def close(self) -> None:
        if self._closing:
            return
        self._closing = True
        process = self._process
        if process is None:
            return
        if process.returncode is None:
            await self._terminate(process)
        if self._waiter is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._waiter
        for task in self._readers:
            task.cancel()
        await asyncio.gather(*self._readers, return_exceptions=True)

    async def _terminate(self, process: asyncio.subprocess.Process) -> None:
        """Close stdin, then SIGTERM the group, then SIGKILL it, as the spec advises."""
        if process.stdin is not None:
            with contextlib.suppress(OSError):
                process.stdin.close()
        if await _exited_within(process, STDIN_GRACE_SECONDS):
            self._signal_group(process, signal.SIGTERM, "process group still alive")
            return
        self._signal_group(process, signal.SIGTERM, "did not exit after its input closed")
        if await _exited_within(process, TERM_GRACE_SECONDS):
            return
        self._signal_group(process, signal.SIGKILL, "did not exit after SIGTERM")
        await process.wait()

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


async def _exited_within(process: asyncio.subprocess.Process, seconds: float) -> bool:
    try:
        await asyncio.wait_for(asyncio.shield(process.wait()), seconds)
    except TimeoutError:
        return False
    return True
