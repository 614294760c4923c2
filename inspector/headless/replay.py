"""`inspector replay FILE TARGET...`: a recorded session's requests sent again to a live
server, each answer compared with the recorded one.

Exit status: 0 every answer matches, 1 some differ, 2 usage error or an unreadable file,
3 the server wants authorization, 4 it could not be reached, 5 a request got no answer.
"""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Sequence
from enum import IntEnum
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from inspector.headless.output import encode
from inspector.headless.target import SERVER_OPTIONS, SERVER_USAGE, server_choice
from inspector.headless.words import (
    HelpRequested,
    Option,
    UsageError,
    last_value,
    option_table,
    tokenize,
)

if TYPE_CHECKING:
    from inspector.replay.plan import Step
    from inspector.replay.run import StepOutcome

USAGE = f"""\
usage: inspector replay FILE TARGET... [options]

Send the requests of a recorded session (FILE: exported from the web UI, or written by
--cli --trace) to a live server, in order, and compare each answer with the recorded
one: the same, different (each differing path), or failed. Replayed: the lists,
resources/read, prompts/get, completion/complete, and tools/call only with --call-tools
(a tool may change things); not the handshake, not notifications.

  --ignore PATH             a path to leave out of the comparison (repeatable), as
                            findings write paths: $.result.content[0].text; [*] any
                            index, .* any key, $..name at any depth. Always left out:
                            $.._meta, $..timestamp, $..createdAt, $..lastUpdatedAt
  --call-tools              replay the tool calls too
  --format text|json        default text
  -o FILE                   write the comparison to FILE instead of stdout

{SERVER_USAGE}
exit status: 0 every answer matches, 1 some differ, 2 usage error or unreadable file,
             3 authorization required, 4 could not connect, 5 a request got no answer
"""


class ReplayExit(IntEnum):
    SAME = 0
    DIFFERENT = 1
    USAGE = 2
    AUTH_REQUIRED = 3
    CONNECT_FAILED = 4
    REQUEST_FAILED = 5


OPTIONS = (Option("--ignore"), Option("--format"), Option("-o"))


def main(
    argv: Sequence[str], *, stdout: BinaryIO | None = None, stderr: BinaryIO | None = None
) -> int:
    out, err = stdout or sys.stdout.buffer, stderr or sys.stderr.buffer

    def fail(message: str, code: ReplayExit) -> int:
        err.write(encode(f"inspector replay: {message}\n"))
        err.flush()
        return int(code)

    from inspector.replay.compare import DEFAULT_IGNORED, BadPattern, IgnoredPaths

    try:
        words = list(argv[1:])
        values, target = tokenize(
            words, option_table(SERVER_OPTIONS, OPTIONS), switches=("--call-tools",)
        )
        if not target:
            raise UsageError("give the session FILE, then the server to replay it to")
        path, target = Path(target[0]), target[1:]
        server = server_choice(values, target)
        output = last_value(values, "--format") or "text"
        if output not in ("text", "json"):
            raise UsageError(f"--format is text or json, not {output!r}")
        ignored = IgnoredPaths((*DEFAULT_IGNORED, *values.get("--ignore", [])))
    except HelpRequested:
        out.write(encode(USAGE))
        return int(ReplayExit.SAME)
    except (UsageError, BadPattern) as exc:
        return fail(str(exc), ReplayExit.USAGE)
    try:
        steps = read_steps(path)
    except ValueError as exc:
        return fail(f"{path}: {exc}", ReplayExit.USAGE)

    from inspector.headless.run import connection_spec
    from inspector.replay.run import ReplayConnectError, Verdict, replay_against

    call_tools = "--call-tools" in values
    try:
        outcomes = asyncio.run(
            replay_against(connection_spec(server), steps, ignored, allowed=lambda step: call_tools)
        )
    except UsageError as exc:
        return fail(str(exc), ReplayExit.USAGE)
    except ReplayConnectError as exc:
        code = ReplayExit.AUTH_REQUIRED if exc.status in (401, 403) else ReplayExit.CONNECT_FAILED
        return fail(f"could not connect: {exc}", code)
    text = (
        render_json(outcomes, str(path), " ".join(target))
        if output == "json"
        else render_text(outcomes, str(path), " ".join(target), call_tools=call_tools)
    )
    verdicts = {outcome.verdict for outcome in outcomes}
    code = (
        ReplayExit.REQUEST_FAILED
        if Verdict.FAILED in verdicts
        else ReplayExit.DIFFERENT
        if Verdict.DIFFERENT in verdicts
        else ReplayExit.SAME
    )
    destination = last_value(values, "-o")
    if destination is None:
        out.write(encode(text))
        out.flush()
        return int(code)
    try:
        Path(destination).write_text(text, encoding="utf-8")
    except OSError as exc:
        return fail(f"cannot write {destination}: {exc.strerror}", ReplayExit.USAGE)
    return int(code)


def read_steps(path: Path) -> list[Step]:
    """The steps of a session file; `ValueError` says why the file cannot give them."""
    from inspector.replay.plan import plan_of
    from inspector.sessions.archive import ArchiveError, ArchiveReader

    try:
        with path.open("rb") as lines:
            reader = ArchiveReader(lines)
            return plan_of(data for data, _ in reader.events())
    except OSError as exc:
        raise ValueError(f"cannot be read: {exc.strerror}") from None
    except ArchiveError as exc:
        raise ValueError(f"not a session file: {exc}") from None


def render_text(outcomes: list[StepOutcome], source: str, target: str, *, call_tools: bool) -> str:
    counts: dict[str, int] = {}
    for outcome in outcomes:
        counts[outcome.verdict.value] = counts.get(outcome.verdict.value, 0) + 1
    summary = ", ".join(f"{count} {verdict}" for verdict, count in counts.items()) or "nothing"
    lines = [f"Replay of {source} against {target}: {len(outcomes)} requests: {summary}."]
    for outcome in outcomes:
        lines.append(f"  {outcome.verdict.value:<9}  #{outcome.step.seq:<5} {outcome.step.label}")
        for difference in outcome.differences:
            recorded = _shown(difference.before) if difference.missing != "before" else "(none)"
            replayed = _shown(difference.after) if difference.missing != "after" else "(none)"
            lines.append(f"             {difference.path}: {recorded} → {replayed}")
        if outcome.reason:
            skipped = outcome.step.may_change_things and not call_tools
            hint = " (pass --call-tools to replay it)" if skipped else ""
            lines.append(f"             {outcome.reason}{hint}")
    return "\n".join(lines) + "\n"


def render_json(outcomes: list[StepOutcome], source: str, target: str) -> str:
    document = {
        "source": source,
        "target": target,
        "steps": [outcome.to_json() for outcome in outcomes],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _shown(value: object) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 120 else text[:119] + "…"
