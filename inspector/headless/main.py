"""The entry point of `inspector --cli`: parse, call, report, and never a traceback."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Sequence
from typing import BinaryIO

from inspector.headless.args import USAGE, OutputFormat, parse
from inspector.headless.output import ExitCode, Failure, Reporter, encode, usage_failure
from inspector.headless.words import HelpRequested, UsageError


def main(
    argv: Sequence[str], *, stdout: BinaryIO | None = None, stderr: BinaryIO | None = None
) -> int:
    """Run `inspector --cli ...` (argv may still hold `--cli`); return the exit status."""
    out = stdout or sys.stdout.buffer
    err = stderr or sys.stderr.buffer
    try:
        invocation = parse(argv)
    except HelpRequested:
        out.write(encode(USAGE))
        out.flush()
        return int(ExitCode.OK)
    except UsageError as exc:
        Reporter(OutputFormat.PRETTY, out, err).failure(usage_failure(str(exc)))
        return int(ExitCode.USAGE)
    reporter = Reporter(invocation.output, out, err)
    try:
        # The protocol core is loaded only for a command line that can run.
        from inspector.headless.run import run

        return asyncio.run(run(invocation, reporter))
    except KeyboardInterrupt:
        reporter.failure(Failure(ExitCode.INTERRUPTED, "interrupted", "Interrupted."))
        return int(ExitCode.INTERRUPTED)
    except Exception as exc:  # a bug of ours: still one line on stderr, not a traceback
        reporter.failure(Failure(ExitCode.USAGE, "internal_error", f"{type(exc).__name__}: {exc}"))
        return int(ExitCode.USAGE)
