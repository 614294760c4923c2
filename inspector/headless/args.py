"""The headless command line (`inspector --cli`), parsed into an `Invocation`.

The grammar is the official inspector CLI's (see `words`), so that its users need not
relearn it; the server is read by `target`, the method and its options here. Only the
standard library is imported: a usage error is reported before the protocol core is even
loaded.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path, PurePosixPath
from typing import Any

from inspector.headless.target import SERVER_OPTIONS, SERVER_USAGE, ServerChoice, server_choice
from inspector.headless.words import (
    Option,
    UsageError,
    is_pair,
    json_pairs,
    last_value,
    option_table,
    pairs,
    reject_constant,
    split_word,
    tokenize,
)
from inspector.mcp.log_levels import LOG_LEVELS
from inspector.sessions.roots import InvalidRoot, Root, add_root, parse_root

# The options that only make sense with one method, per method.
METHOD_OPTIONS: dict[str, frozenset[str]] = {
    "initialize": frozenset(),
    "ping": frozenset(),
    "tools/list": frozenset(),
    "tools/call": frozenset({"--tool-name", "--tool-arg", "--tool-args-json", "--tool-metadata"}),
    "resources/list": frozenset(),
    "resources/read": frozenset({"--uri"}),
    "resources/templates/list": frozenset(),
    "prompts/list": frozenset(),
    "prompts/get": frozenset({"--prompt-name", "--prompt-args"}),
    "logging/setLevel": frozenset({"--log-level"}),
    "completion/complete": frozenset(
        {"--ref-prompt", "--ref-resource", "--argument-name", "--argument-value", "--context-arg"}
    ),
}
METHODS = tuple(METHOD_OPTIONS)
LIST_METHODS = {
    "tools/list": "tools",
    "resources/list": "resources",
    "resources/templates/list": "resourceTemplates",
    "prompts/list": "prompts",
}

USAGE = (
    """\
usage: inspector --cli TARGET... --method METHOD [options]
       inspector --cli --config FILE [--server NAME] --method METHOD [options]

Call one method of an MCP server and print its result as JSON.

TARGET is a command and its arguments (a stdio server) or one URL. Words that are not
options of the inspector belong to the command; put them after `--` when they clash
(`inspector --cli --method tools/list -- server --timeout 5`). A line in the official
CLI's order, the server before `--` and --method after it, is read as it reads it.

"""
    + SERVER_USAGE
    + """
client:
  --root PATH               a directory to share with the server as a root (repeatable;
                            a path or a file:// URI). The roots capability is declared
                            either way, as the official CLI does; by default no root
                            is shared

method (--method):
  initialize                connect and print the server's initialize result
  ping
  tools/list, resources/list, resources/templates/list, prompts/list
                            every page, followed through nextCursor; the empty list
                            (and a note on stderr) when the server does not declare
                            the capability
  tools/call                --tool-name NAME, arguments from --tool-arg key=value
                            (repeatable; a value is JSON when it parses as JSON, else a
                            string) and/or --tool-args-json '{...}' (--tool-arg wins);
                            --tool-metadata key=value adds to this call's _meta
  resources/read            --uri URI
  prompts/get               --prompt-name NAME, --prompt-args key=value (repeatable)
  logging/setLevel          --log-level debug|info|notice|warning|error|critical|alert|emergency
  completion/complete       --ref-prompt NAME or --ref-resource URI (the reference),
                            --argument-name NAME, --argument-value TEXT (default ""),
                            --context-arg key=value (repeatable: already-filled arguments)
  --metadata key=value      adds to the request's _meta (repeatable; JSON values parsed)

output:
  --format json             one line: {"result": ..., "findings": [...]} (findings
                            only when there are some)
  --format text             for people (the default is indented JSON)
  --trace FILE              write every event of the call (wire messages, stderr, HTTP
                            exchanges, process events, each with its findings) to FILE
                            as JSON lines
  --strict                  exit 6 when a message of the server broke a rule of error
                            severity

Every message is checked against the negotiated protocol version. Unless --format json,
what the checks find goes to stderr after the result, one line each:
severity rule method #seq path: message.
A stdio server's own stderr passes through to stderr as it arrives.
Errors are one JSON line, the last on stderr: {"error": {"code": ..., "message": ...}}.
Exit status: 0 success, 1 usage, 3 authorization required (HTTP 401/403; code
auth_required), 4 could not connect (unreachable, or connect_failed: the server was
reached but did not start or refused initialize), 5 the request failed (tool_is_error,
tool_not_found, jsonrpc_error, timeout, connection_closed, ...), 6 (--strict only) a
message of the server broke a rule of error severity. Without --strict, findings never
change the exit status.
"""
)


class OutputFormat(StrEnum):
    PRETTY = "pretty"  # the default: indented JSON of the result, as the official CLI prints
    JSON = "json"
    TEXT = "text"


@dataclass(frozen=True, slots=True)
class Invocation:
    server: ServerChoice
    method: str
    params: dict[str, Any] | None = None
    output: OutputFormat = OutputFormat.PRETTY
    trace_path: str | None = None
    strict: bool = False
    # What `roots/list` answers, as `file://` URIs (with a name).
    roots: tuple[Root, ...] = ()


# -- the options ---------------------------------------------------------------------------


_OPTIONS = option_table(
    SERVER_OPTIONS,
    (
        Option("--method"),
        Option("--tool-name"),
        Option("--tool-arg", is_pair),
        Option("--tool-args-json"),
        Option("--tool-metadata", is_pair),
        Option("--uri"),
        Option("--prompt-name"),
        Option("--prompt-args", is_pair),
        Option("--log-level"),
        Option("--ref-prompt"),
        Option("--ref-resource"),
        Option("--argument-name"),
        Option("--argument-value"),
        Option("--context-arg", is_pair),
        Option("--metadata", is_pair),
        Option("--format"),
        Option("--trace"),
        Option("--root"),
    ),
)
# Options that take no value: present or not.
SWITCHES = frozenset({"--strict"})
FLAGS = frozenset({"--cli", "-h", "--help"}) | SWITCHES


def is_option_word(word: str) -> bool:
    """Whether the parser would take this word as one of ours rather than the server's."""
    name, _ = split_word(word)
    return word == "--" or word in FLAGS or name in _OPTIONS


# -- building the invocation -----------------------------------------------------------------


def parse(argv: Sequence[str]) -> Invocation:
    """Parse the words after `inspector` (with or without `--cli`); raise `UsageError`."""
    values, target = tokenize(official_order(argv), _OPTIONS, SWITCHES, ignored=("--cli",))

    def last(name: str) -> str | None:
        return last_value(values, name)

    method = last("--method")
    if method is None:
        strays = [word for word in target if word.startswith("--")]
        hint = f" ({' '.join(strays)} went to the server: misspelt?)" if strays else ""
        raise UsageError("--method is required; one of: " + ", ".join(METHODS) + hint)
    if method not in METHOD_OPTIONS:
        raise UsageError(f"unknown method {method!r}; one of: " + ", ".join(METHODS))
    for name in sorted(values.keys() & _method_specific()):
        if name not in METHOD_OPTIONS[method]:
            raise UsageError(f"{name} does not apply to {method}")

    output = last("--format")
    if output is not None and output not in (OutputFormat.JSON, OutputFormat.TEXT):
        raise UsageError(f"--format must be json or text, not {output!r}")
    trace_path = last("--trace")
    if trace_path == "":
        raise UsageError("--trace needs a file name")

    return Invocation(
        server=server_choice(values, target),
        method=method,
        params=_params(method, values, last),
        output=OutputFormat(output) if output else OutputFormat.PRETTY,
        trace_path=trace_path,
        strict="--strict" in values,
        roots=_roots(values.get("--root", [])),
    )


def official_order(argv: Sequence[str]) -> list[str]:
    """The words in this reader's order, for a line written the official CLI's way.

    Under `--cli`, the official CLI reads `--` the other way round: the server before it,
    verbatim, and its own options after (`--cli node s.js --verbose -- --method
    tools/list`). Such a line is recognised by its target coming first and `--method`
    standing only after `--`; it is turned into this reader's `options -- server`.
    """
    words = list(argv)
    if "--" not in words:
        return words
    split = words.index("--")
    before = [word for word in words[:split] if word != "--cli"]
    after = words[split + 1 :]
    official = (
        bool(before)
        and not before[0].startswith("-")
        and not any(split_word(word)[0] == "--method" for word in before)
        and any(split_word(word)[0] == "--method" for word in after)
    )
    return [*after, "--", *before] if official else words


def _roots(given: list[str]) -> tuple[Root, ...]:
    """The roots to share: a path (relative to the working directory) must exist; a
    `file://` URI is taken as written, as a config file's root would be."""
    roots: list[Root] = []
    for value in given:
        location = value
        if "://" not in value and not value.lower().startswith("file:"):
            if not value.strip():
                raise UsageError("--root needs a directory")
            path = Path(value).expanduser().absolute()
            if not path.exists():
                raise UsageError(f"--root {value}: no such file or directory")
            location = os.path.normpath(path)
        try:
            root = parse_root(location)
            root = Root(root.uri, PurePosixPath(root.path).name)
            roots = add_root(roots, root)
        except InvalidRoot as exc:
            raise UsageError(f"--root {value}: {exc}") from None
    return tuple(roots)


def _method_specific() -> frozenset[str]:
    return frozenset().union(*METHOD_OPTIONS.values())


def _params(
    method: str, values: dict[str, list[str]], last: Callable[[str], str | None]
) -> dict[str, Any] | None:
    metadata = json_pairs(values.get("--metadata", []), "--metadata")
    if metadata and method == "initialize":
        raise UsageError("--metadata applies to a request; initialize is sent by the lifecycle")
    params: dict[str, Any] = {}

    if method == "tools/call":
        name = last("--tool-name")
        if not name:
            raise UsageError("tools/call needs --tool-name")
        arguments: dict[str, Any] = {}
        raw = last("--tool-args-json")
        if raw is not None:
            try:
                loaded = json.loads(raw, parse_constant=reject_constant)
            except ValueError as exc:
                raise UsageError(f"--tool-args-json is not valid JSON: {exc}") from None
            if not isinstance(loaded, dict):
                raise UsageError("--tool-args-json must be a JSON object")
            arguments.update(loaded)
        arguments.update(json_pairs(values.get("--tool-arg", []), "--tool-arg"))
        params = {"name": name, "arguments": arguments}
        metadata.update(json_pairs(values.get("--tool-metadata", []), "--tool-metadata"))
    elif method == "resources/read":
        uri = last("--uri")
        if not uri:
            raise UsageError("resources/read needs --uri")
        params = {"uri": uri}
    elif method == "prompts/get":
        name = last("--prompt-name")
        if not name:
            raise UsageError("prompts/get needs --prompt-name")
        # Prompt arguments are strings in every protocol version: no JSON parsing.
        params = {
            "name": name,
            "arguments": pairs(values.get("--prompt-args", []), "--prompt-args"),
        }
    elif method == "logging/setLevel":
        level = last("--log-level")
        if level is None:
            raise UsageError("logging/setLevel needs --log-level")
        if level not in LOG_LEVELS:
            raise UsageError(f"--log-level must be one of {', '.join(LOG_LEVELS)}")
        params = {"level": level}
    elif method == "completion/complete":
        params = _completion(values, last)

    if metadata:
        params["_meta"] = metadata
    return params or None


def _completion(values: dict[str, list[str]], last: Callable[[str], str | None]) -> dict[str, Any]:
    prompt, resource = last("--ref-prompt"), last("--ref-resource")
    if (prompt is None) == (resource is None):
        raise UsageError("completion/complete needs one of --ref-prompt NAME or --ref-resource URI")
    ref = (
        {"type": "ref/prompt", "name": prompt}
        if prompt is not None
        else {"type": "ref/resource", "uri": resource}
    )
    argument = last("--argument-name")
    if not argument:
        raise UsageError("completion/complete needs --argument-name")
    params: dict[str, Any] = {
        "ref": ref,
        "argument": {"name": argument, "value": last("--argument-value") or ""},
    }
    context = pairs(values.get("--context-arg", []), "--context-arg")
    if context:
        params["context"] = {"arguments": context}
    return params
