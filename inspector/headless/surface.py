"""`inspector snapshot` and `inspector diff`: a server's surface kept as a file, and two
surfaces compared.

    inspector snapshot TARGET... [server options] [-o FILE]
    inspector diff A B [server options] [--format text|json|markdown] [-o FILE]

A and B are each a snapshot file, a session file (an export or a CLI trace), or a live
server: a URL, or a command line in one word (`"python server.py"`). Exit status, as
diff(1)'s: 0 the same, 1 different, 2 a usage error; 3 and 4 as for `--cli` (a live
server wants authorization, or could not be reached).
"""

from __future__ import annotations

import asyncio
import json
import shlex
import sys
from collections.abc import Sequence
from enum import IntEnum
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from inspector.headless.output import encode
from inspector.headless.target import SERVER_OPTIONS, SERVER_USAGE, ServerChoice, server_choice
from inspector.headless.words import (
    HelpRequested,
    Option,
    UsageError,
    last_value,
    option_table,
    tokenize,
)

if TYPE_CHECKING:
    from inspector.surface.model import Surface

SNAPSHOT_USAGE = f"""\
usage: inspector snapshot TARGET... [options] [-o FILE]

Connect, list the server's tools, resources, templates and prompts to their last page,
and write its surface (identity, capabilities, instructions and every list, with their
schemas) as JSON, for `inspector diff`.

  -o FILE                   write the snapshot to FILE instead of stdout

{SERVER_USAGE}
exit status: 0 written, 1 usage error, 3 authorization required, 4 could not connect
"""

DIFF_USAGE = f"""\
usage: inspector diff A B [options]

Compare two surfaces: what was added, removed and changed, and for each change which
field (description, title, annotations, each schema property: added, removed, its type,
whether it is required). A and B are each a snapshot file (`inspector snapshot`), a
session file (exported from the web UI, or written by --cli --trace), or a live server:
a URL, or a command line in one word ("python server.py").

  --format text|json|markdown   default text
  -o FILE                   write the comparison to FILE instead of stdout

{SERVER_USAGE}(the server options apply to A and B when they are live servers)

exit status: 0 the same, 1 different, 2 usage error, 3 authorization required,
             4 could not connect
"""


class DiffExit(IntEnum):
    SAME = 0
    DIFFERENT = 1
    USAGE = 2
    AUTH_REQUIRED = 3
    CONNECT_FAILED = 4


class SourceFailed(Exception):
    """A surface could not be had: a file that is not one (`live` False), or a server
    that could not be reached (`status`: its HTTP status, if it answered)."""

    def __init__(self, message: str, *, live: bool, status: int | None = None) -> None:
        super().__init__(message)
        self.live = live
        self.status = status


def surface_of(word: str, values: dict[str, list[str]]) -> Surface:
    """The surface a word names: a file, else a live server (the options describe it)."""
    from inspector.surface.model import SurfaceError
    from inspector.surface.sources import read_surface_file

    path = Path(word)
    if path.is_file():
        try:
            return read_surface_file(path)
        except SurfaceError as exc:
            raise SourceFailed(f"{word}: {exc}", live=False) from None
    words = [word] if word.lower().startswith(("http://", "https://")) else shlex.split(word)
    if not words:
        raise UsageError(f"{word!r} names no file and no server")
    return asyncio.run(capture_live(server_choice(values, words)))


async def capture_live(server: ServerChoice) -> Surface:
    from inspector.headless.run import connection_spec
    from inspector.surface.capture import CaptureError, capture

    try:
        return await capture(connection_spec(server))
    except CaptureError as exc:
        raise SourceFailed(str(exc), live=True, status=exc.status) from None


def _failure_code(exc: SourceFailed) -> DiffExit:
    if not exc.live:
        return DiffExit.USAGE
    if exc.status in (401, 403):
        return DiffExit.AUTH_REQUIRED
    return DiffExit.CONNECT_FAILED


def snapshot_main(
    argv: Sequence[str], *, stdout: BinaryIO | None = None, stderr: BinaryIO | None = None
) -> int:
    out, err = stdout or sys.stdout.buffer, stderr or sys.stderr.buffer
    try:
        values, target = tokenize(list(argv[1:]), option_table(SERVER_OPTIONS, (Option("-o"),)))
        server = server_choice(values, target)
    except HelpRequested:
        out.write(encode(SNAPSHOT_USAGE))
        return 0
    except UsageError as exc:
        err.write(encode(f"inspector snapshot: {exc}\n"))
        return 1
    try:
        surface = asyncio.run(capture_live(server))
    except UsageError as exc:
        err.write(encode(f"inspector snapshot: {exc}\n"))
        return 1
    except SourceFailed as exc:
        err.write(encode(f"inspector snapshot: could not connect: {exc}\n"))
        return 3 if exc.status in (401, 403) else 4
    text = json.dumps(surface.to_json(), indent=2, ensure_ascii=False) + "\n"
    return _write(text, last_value(values, "-o"), out, err, "snapshot", 0)


def diff_main(
    argv: Sequence[str], *, stdout: BinaryIO | None = None, stderr: BinaryIO | None = None
) -> int:
    from inspector.surface.render import DiffFormat

    out, err = stdout or sys.stdout.buffer, stderr or sys.stderr.buffer
    options = option_table(SERVER_OPTIONS, (Option("-o"), Option("--format")))
    try:
        values, sources = tokenize(list(argv[1:]), options)
        if len(sources) != 2:
            raise UsageError(f"give two surfaces to compare, A and B (got {len(sources)})")
        output = last_value(values, "--format") or "text"
        if output not in {item.value for item in DiffFormat}:
            raise UsageError(f"--format is text, json or markdown, not {output!r}")
    except HelpRequested:
        out.write(encode(DIFF_USAGE))
        return int(DiffExit.SAME)
    except UsageError as exc:
        err.write(encode(f"inspector diff: {exc}\n"))
        return int(DiffExit.USAGE)
    try:
        before, after = surface_of(sources[0], values), surface_of(sources[1], values)
    except UsageError as exc:
        err.write(encode(f"inspector diff: {exc}\n"))
        return int(DiffExit.USAGE)
    except SourceFailed as exc:
        err.write(encode(f"inspector diff: {exc}\n"))
        return int(_failure_code(exc))
    from inspector.surface.diff import diff_surfaces
    from inspector.surface.render import render_diff

    compared = diff_surfaces(before, after)
    text = render_diff(compared, DiffFormat(output), before=sources[0], after=sources[1])
    code = DiffExit.SAME if compared.same else DiffExit.DIFFERENT
    return _write(text, last_value(values, "-o"), out, err, "diff", int(code))


def _write(
    text: str, path: str | None, out: BinaryIO, err: BinaryIO, command: str, code: int
) -> int:
    if path is None:
        out.write(encode(text))
        out.flush()
        return code
    try:
        Path(path).write_text(text, encoding="utf-8")
    except OSError as exc:
        err.write(encode(f"inspector {command}: cannot write {path}: {exc.strerror}\n"))
        return 2 if command == "diff" else 1
    return code
