"""The headless command line, parsed into an `Invocation`.

The grammar is the official inspector CLI's, so that its users need not relearn it:
options may come before or after the server; the words that are not options of ours make
up the server command, including options this parser does not know (npx's `-y`); everything after
`--` belongs to the server; `--tool-arg`, `--header` and the other key=value options take
several values in a row. A value is given as the next word or after `=`
(`--timeout=5`).

Only the standard library is imported here: a usage error is reported before the
protocol core is even loaded.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit

from inspector.mcp.log_levels import LOG_LEVELS
from inspector.mcp.versions import Era, EraChoice, era_of

TRANSPORTS = ("stdio", "http", "sse")
# Spellings of the transports in the official inspector and in client config files.
TRANSPORT_ALIASES = {"streamable-http": "http", "streamableHttp": "http"}

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

USAGE = """\
usage: inspector --cli TARGET... --method METHOD [options]
       inspector --cli --config FILE [--server NAME] --method METHOD [options]

Call one method of an MCP server and print its result as JSON.

TARGET is a command and its arguments (a stdio server) or one URL. Words that are not
options of the inspector belong to the command; put them after `--` when they clash
(`inspector --cli --method tools/list -- server --timeout 5`).

server:
  -e KEY=VALUE              environment variable for a stdio server (repeatable)
  --cwd DIR                 working directory of a stdio server
  --transport stdio|http|sse
                            default: stdio for a command; for a URL, sse if its path
                            ends in /sse, else http (Streamable HTTP)
  --server-url URL          the URL, as an option instead of a TARGET
  --header "Name: Value"    HTTP header for a URL server (repeatable)
  --config FILE             a client config file (mcpServers, or VS Code's servers)
  --server NAME             the server of that file (optional if it has one server,
                            or one named default-server)
  --protocol-version V      the protocol version to offer (default 2025-11-25)
  --era legacy|modern|auto  the protocol era (default: the offered version's; auto
                            probes the server and falls back to the legacy handshake)
  --connect-timeout SECONDS to start the server and finish initialize (default 30)
  --timeout SECONDS         per request, restarted by progress notifications (default 60)

method (--method):
  initialize                connect and print the server's initialize result
  ping
  tools/list, resources/list, resources/templates/list, prompts/list
                            every page, followed through nextCursor
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
Errors are one JSON line, the last on stderr: {"error": {"code": ..., "message": ...}}.
Exit status: 0 success, 1 usage, 3 authorization required (HTTP 401/403), 4 could not
connect, 5 the request failed (isError, a JSON-RPC error, a timeout, the server died),
6 (--strict only) a message of the server broke a rule of error severity. Without
--strict, findings never change the exit status.
"""


class UsageError(Exception):
    """The command line cannot be run as given."""


class HelpRequested(Exception):
    """`--help` was given."""


class OutputFormat(StrEnum):
    PRETTY = "pretty"  # the default: indented JSON of the result, as the official CLI prints
    JSON = "json"
    TEXT = "text"


@dataclass(frozen=True, slots=True)
class ServerChoice:
    """Which server to connect to, as the command line described it.

    Either `words` (a command and its arguments, or one URL) or `config_path`; the other
    fields adjust either. None means "not given", so that a config file's value stays.
    """

    words: tuple[str, ...] = ()
    transport: str | None = None
    config_path: str | None = None
    server_name: str | None = None
    env: dict[str, str] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    cwd: str | None = None
    protocol_version: str | None = None
    era: str | None = None
    connect_timeout: float | None = None
    request_timeout: float | None = None


@dataclass(frozen=True, slots=True)
class Invocation:
    server: ServerChoice
    method: str
    params: dict[str, Any] | None = None
    output: OutputFormat = OutputFormat.PRETTY
    trace_path: str | None = None
    strict: bool = False


# -- the options ---------------------------------------------------------------------------


def _is_pair(word: str) -> bool:
    key, sep, _ = word.partition("=")
    return bool(sep and key)


_HEADER_START = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+:(?!//)")


def _is_header(word: str) -> bool:
    # "Name: value", but not a URL ("http://...") that follows a --header.
    return _HEADER_START.match(word) is not None


@dataclass(frozen=True, slots=True)
class _Option:
    name: str
    # Further words the option takes after its value, as the official CLI's variadic
    # options do (`--tool-arg a=1 b=2`): those that look like its values.
    more: Callable[[str], bool] | None = None


_OPTIONS = {
    option.name: option
    for option in (
        _Option("-e", _is_pair),
        _Option("--cwd"),
        _Option("--transport"),
        _Option("--server-url"),
        _Option("--header", _is_header),
        _Option("--config"),
        _Option("--server"),
        _Option("--protocol-version"),
        _Option("--era"),
        _Option("--connect-timeout"),
        _Option("--timeout"),
        _Option("--method"),
        _Option("--tool-name"),
        _Option("--tool-arg", _is_pair),
        _Option("--tool-args-json"),
        _Option("--tool-metadata", _is_pair),
        _Option("--uri"),
        _Option("--prompt-name"),
        _Option("--prompt-args", _is_pair),
        _Option("--log-level"),
        _Option("--ref-prompt"),
        _Option("--ref-resource"),
        _Option("--argument-name"),
        _Option("--argument-value"),
        _Option("--context-arg", _is_pair),
        _Option("--metadata", _is_pair),
        _Option("--format"),
        _Option("--trace"),
    )
}
# Options that take no value: present or not.
SWITCHES = frozenset({"--strict"})
FLAGS = frozenset({"--cli", "-h", "--help"}) | SWITCHES


def is_option_word(word: str) -> bool:
    """Whether the parser would take this word as one of ours rather than the server's."""
    name, _ = _split(word)
    return word == "--" or word in FLAGS or name in _OPTIONS


def _split(word: str) -> tuple[str, str | None]:
    """An option word and its attached value: `--timeout=5`, `-eKEY=VALUE`."""
    if word.startswith("--"):
        name, sep, value = word.partition("=")
        return name, value if sep else None
    if word.startswith("-e") and len(word) > 2:
        return "-e", word[2:].removeprefix("=")
    return word, None


def _tokenize(argv: Sequence[str]) -> tuple[dict[str, list[str]], list[str]]:
    values: dict[str, list[str]] = {}
    target: list[str] = []
    index = 0
    while index < len(argv):
        word = argv[index]
        index += 1
        if word == "--":
            target.extend(argv[index:])
            break
        if word in ("-h", "--help"):
            raise HelpRequested
        if word == "--cli":
            continue
        if word in SWITCHES:
            values.setdefault(word, [])
            continue
        name, value = _split(word)
        option = _OPTIONS.get(name)
        if option is None:
            if word.startswith("-") and len(word) > 1 and not target:
                # A command cannot start with a dash: this is a mistyped option of ours.
                raise UsageError(f"unknown option {word} (see --help)")
            target.append(word)
            continue
        if value is None:
            if index >= len(argv) or argv[index] == "--":
                raise UsageError(f"{name} needs a value")
            value = argv[index]
            index += 1
        taken = values.setdefault(name, [])
        taken.append(value)
        if option.more is not None:
            while (
                index < len(argv) and not argv[index].startswith("-") and option.more(argv[index])
            ):
                taken.append(argv[index])
                index += 1
    return values, target


# -- building the invocation -----------------------------------------------------------------


def parse(argv: Sequence[str]) -> Invocation:
    """Parse the words after `inspector` (with or without `--cli`); raise `UsageError`."""
    values, target = _tokenize(argv)

    def last(name: str) -> str | None:
        given = values.get(name)
        return given[-1] if given else None

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
        server=_server_choice(values, target),
        method=method,
        params=_params(method, values, last),
        output=OutputFormat(output) if output else OutputFormat.PRETTY,
        trace_path=trace_path,
        strict="--strict" in values,
    )


def _method_specific() -> frozenset[str]:
    return frozenset().union(*METHOD_OPTIONS.values())


def _server_choice(values: dict[str, list[str]], target: list[str]) -> ServerChoice:
    def last(name: str) -> str | None:
        given = values.get(name)
        return given[-1] if given else None

    server_url = last("--server-url")
    if server_url is not None:
        if target:
            raise UsageError("give the server either as --server-url or as a TARGET, not both")
        target = [server_url]
    config_path = last("--config")
    server_name = last("--server")
    if server_name is not None and config_path is None:
        raise UsageError("--server names a server of a --config file; give --config too")
    if config_path is not None and target:
        raise UsageError(
            f"give the server either with --config or on the command line, not both "
            f"(got {' '.join(target)!r} as well)"
        )
    if config_path is None and not target:
        raise UsageError("no server given: a command, a URL, or --config FILE")

    transport = last("--transport")
    if transport is not None:
        transport = TRANSPORT_ALIASES.get(transport, transport)
        if transport not in TRANSPORTS:
            raise UsageError(f"--transport must be one of {', '.join(TRANSPORTS)}")
    env = _pairs(values.get("-e", []), "-e")
    headers = _headers(values.get("--header", []))
    cwd = last("--cwd")

    if target and looks_like_url(target[0]):
        url = target[0]
        if len(target) > 1:
            raise UsageError(
                f"a URL server takes no arguments (got {' '.join(target[1:])!r}: "
                "a misspelt option?)"
            )
        if not urlsplit(url).hostname:
            raise UsageError(f"{url!r} has no host")
        if transport == "stdio":
            raise UsageError("--transport stdio needs a command, not a URL")
        transport = transport or infer_transport(url)
        for name, given in (("-e", env), ("--cwd", cwd)):
            if given:
                raise UsageError(f"{name} applies to a command, not to a URL server")
    elif target:
        if transport not in (None, "stdio"):
            raise UsageError(f"--transport {transport} needs a URL, not a command")
        if headers:
            raise UsageError("--header applies to a URL server, not to a command")
        transport = "stdio"

    return ServerChoice(
        words=tuple(target),
        transport=transport,
        config_path=config_path,
        server_name=server_name,
        env=env,
        headers=headers,
        cwd=cwd,
        protocol_version=_protocol_version(last("--protocol-version")),
        era=_era(last("--era")),
        connect_timeout=_seconds("--connect-timeout", last("--connect-timeout")),
        request_timeout=_seconds("--timeout", last("--timeout")),
    )


def looks_like_url(word: str) -> bool:
    return word.lower().startswith(("http://", "https://"))


def infer_transport(url: str) -> str:
    """Legacy HTTP+SSE endpoints end in /sse by convention; anything else is taken to be
    Streamable HTTP, the transport of every protocol version since 2025-03-26."""
    return "sse" if urlsplit(url).path.rstrip("/").endswith("/sse") else "http"


def _protocol_version(value: str | None) -> str | None:
    if value is not None and not value.strip():
        raise UsageError("--protocol-version needs a version, e.g. 2025-06-18")
    return value


def cli_era(chosen: str | None, version: str) -> EraChoice:
    """Unless told otherwise, the command line speaks the era of the version it offers
    (by default a legacy one): a script gets the same exchange every run."""
    if chosen is not None:
        return EraChoice(chosen)
    return EraChoice.MODERN if era_of(version) is Era.MODERN else EraChoice.LEGACY


def _era(value: str | None) -> str | None:
    if value is not None and value not in ("legacy", "modern", "auto"):
        raise UsageError(f"--era is legacy, modern or auto, not {value!r}")
    return value


def _seconds(name: str, value: str | None) -> float | None:
    if value is None:
        return None
    try:
        seconds = float(value)
    except ValueError:
        raise UsageError(f"{name} takes a number of seconds, not {value!r}") from None
    if not math.isfinite(seconds) or seconds <= 0:
        raise UsageError(f"{name} must be a positive number of seconds")
    return seconds


def _pairs(words: list[str], option: str) -> dict[str, str]:
    """`key=value` words; the value may be empty (`-e DEBUG=` sets DEBUG to "")."""
    pairs: dict[str, str] = {}
    for word in words:
        key, sep, value = word.partition("=")
        if not sep or not key:
            raise UsageError(f"{option} takes key=value, not {word!r}")
        pairs[key] = value
    return pairs


def _headers(words: list[str]) -> dict[str, str]:
    headers: dict[str, str] = {}
    for word in words:
        name, sep, value = word.partition(":")
        name, value = name.strip(), value.strip()
        if not sep or not name or not value or not _HEADER_START.match(f"{name}:"):
            raise UsageError(f'--header takes "Name: Value", not {word!r}')
        headers[name] = value
    return headers


def parse_value(text: str) -> Any:
    """A value given on the command line: JSON when it parses as JSON, else the string.

    Only strict JSON counts: Python's extensions (NaN, Infinity) stay strings, as they
    would in the official CLI.
    """
    try:
        return json.loads(text, parse_constant=_reject_constant)
    except ValueError:
        return text


def _reject_constant(name: str) -> Any:
    raise ValueError(name)


def _json_pairs(words: list[str], option: str) -> dict[str, Any]:
    return {key: parse_value(value) for key, value in _pairs(words, option).items()}


def _params(
    method: str, values: dict[str, list[str]], last: Callable[[str], str | None]
) -> dict[str, Any] | None:
    metadata = _json_pairs(values.get("--metadata", []), "--metadata")
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
                loaded = json.loads(raw, parse_constant=_reject_constant)
            except ValueError as exc:
                raise UsageError(f"--tool-args-json is not valid JSON: {exc}") from None
            if not isinstance(loaded, dict):
                raise UsageError("--tool-args-json must be a JSON object")
            arguments.update(loaded)
        arguments.update(_json_pairs(values.get("--tool-arg", []), "--tool-arg"))
        params = {"name": name, "arguments": arguments}
        metadata.update(_json_pairs(values.get("--tool-metadata", []), "--tool-metadata"))
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
            "arguments": _pairs(values.get("--prompt-args", []), "--prompt-args"),
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
    context = _pairs(values.get("--context-arg", []), "--context-arg")
    if context:
        params["context"] = {"arguments": context}
    return params
