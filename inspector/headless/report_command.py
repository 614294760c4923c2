"""How the report-writing subcommands (`doctor`, `load`) run: parse the words, run the
engine, write what it found to stdout or `-o FILE`, and end with the status the result
earns, saying why on stderr when it is not 0. Never a traceback."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, Generic, TypeVar

from inspector.headless.output import ExitCode, encode
from inspector.headless.words import HelpRequested, UsageError

Command = TypeVar("Command")
Result = TypeVar("Result")


@dataclass(frozen=True, slots=True)
class ReportCommand(Generic[Command, Result]):
    name: str  # as the person typed it: "doctor"
    usage: str
    parse: Callable[[Sequence[str]], Command]
    output_path: Callable[[Command], str | None]
    run: Callable[[Command], Coroutine[Any, Any, Result]]
    render: Callable[[Command, Result], str]
    # The exit status, and why when it is not 0.
    verdict: Callable[[Command, Result], tuple[ExitCode, str]]

    def main(
        self,
        argv: Sequence[str],
        *,
        stdout: BinaryIO | None = None,
        stderr: BinaryIO | None = None,
    ) -> int:
        out = stdout or sys.stdout.buffer
        err = stderr or sys.stderr.buffer

        def say(message: str) -> None:
            err.write(encode(f"inspector {self.name}: {message}\n"))
            err.flush()

        try:
            command = self.parse(argv)
            path = self.output_path(command)
            if path is not None:
                Path(path).touch()  # an unwritable path fails before the run
        except HelpRequested:
            out.write(encode(self.usage))
            out.flush()
            return int(ExitCode.OK)
        except (UsageError, OSError) as exc:
            say(exc.strerror or str(exc) if isinstance(exc, OSError) else str(exc))
            return int(ExitCode.USAGE)
        try:
            result: Result = asyncio.run(self.run(command))
        except UsageError as exc:  # a config file that names no usable server
            say(str(exc))
            return int(ExitCode.USAGE)
        except KeyboardInterrupt:
            say("interrupted")
            return int(ExitCode.INTERRUPTED)
        rendered = encode(self.render(command, result))
        if path is not None:
            try:
                Path(path).write_bytes(rendered)
            except OSError as exc:
                say(f"cannot write {path}: {exc}")
                return int(ExitCode.USAGE)
        else:
            out.write(rendered)
            out.flush()
        code, why = self.verdict(command, result)
        if code is not ExitCode.OK:
            say(f"{why} (exit {int(code)})")
        return int(code)
