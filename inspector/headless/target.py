"""The server a command line names: a command, a URL, or a server of a config file.

Every subcommand that connects (`--cli` and those after it) reads the same options here,
so a server is written the same way whatever is done with it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from inspector.headless.words import (
    Option,
    UsageError,
    headers,
    is_header,
    is_pair,
    last_value,
    pairs,
    seconds_value,
)
from inspector.mcp.versions import Era, EraChoice, era_of
from inspector.sessions.pasted import transport_of_url

TRANSPORTS = ("stdio", "http", "sse")
# Spellings of the transports in the official inspector and in client config files.
TRANSPORT_ALIASES = {"streamable-http": "http", "streamableHttp": "http"}

SERVER_OPTIONS = (
    Option("-e", is_pair),
    Option("--cwd"),
    Option("--transport"),
    Option("--server-url"),
    Option("--header", is_header),
    Option("--config"),
    Option("--server"),
    Option("--protocol-version"),
    Option("--era"),
    Option("--connect-timeout"),
    Option("--timeout"),
)

SERVER_USAGE = """\
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
"""


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


def server_choice(values: Mapping[str, list[str]], target: list[str]) -> ServerChoice:
    """The server of a tokenized command line (`words.tokenize` with `SERVER_OPTIONS`)."""

    def last(name: str) -> str | None:
        return last_value(values, name)

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
    env = pairs(values.get("-e", []), "-e")
    sent_headers = headers(values.get("--header", []))
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
        if sent_headers:
            raise UsageError("--header applies to a URL server, not to a command")
        transport = "stdio"

    return ServerChoice(
        words=tuple(target),
        transport=transport,
        config_path=config_path,
        server_name=server_name,
        env=env,
        headers=sent_headers,
        cwd=cwd,
        protocol_version=_protocol_version(last("--protocol-version")),
        era=_era(last("--era")),
        connect_timeout=seconds_value("--connect-timeout", last("--connect-timeout")),
        request_timeout=seconds_value("--timeout", last("--timeout")),
    )


def looks_like_url(word: str) -> bool:
    return word.lower().startswith(("http://", "https://"))


def infer_transport(url: str) -> str:
    """The transport a URL's path suggests; the connect form's paste reads URLs the same way."""
    return transport_of_url(url).value


def cli_era(chosen: str | None, version: str) -> EraChoice:
    """Unless told otherwise, the command line speaks the era of the version it offers
    (by default a legacy one): a script gets the same exchange every run."""
    if chosen is not None:
        return EraChoice(chosen)
    return EraChoice.MODERN if era_of(version) is Era.MODERN else EraChoice.LEGACY


def _protocol_version(value: str | None) -> str | None:
    if value is not None and not value.strip():
        raise UsageError("--protocol-version needs a version, e.g. 2025-06-18")
    return value


def _era(value: str | None) -> str | None:
    if value is not None and value not in ("legacy", "modern", "auto"):
        raise UsageError(f"--era is legacy, modern or auto, not {value!r}")
    return value
