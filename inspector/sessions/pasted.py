"""What a person pasted into the connect form: a command line, a URL, or a client
configuration snippet, read into the connection it describes.

Configuration snippets go through `config_files` (the importer's reading of every client's
format), so a snippet fills the form exactly as importing it would save it.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from urllib.parse import urlsplit

from inspector.sessions.config_files import ConfigError, parse_config_report
from inspector.sessions.spec import ConnectionSpec, TransportKind

# `FOO=bar BAZ=1 command …`: a shell's environment prefix.
_ASSIGNMENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*=")


@dataclass(frozen=True, slots=True)
class Pasted:
    """The connection a pasted text describes, or why it describes none.

    `kind` is "command line", "URL" or "configuration"; `name` the configuration's name for
    the server; `others` how many more servers the snippet held (the first one is used).
    """

    spec: ConnectionSpec | None = None
    kind: str = ""
    name: str = ""
    others: int = 0
    problem: str = ""


def transport_of_url(url: str) -> TransportKind:
    """Legacy HTTP+SSE endpoints end in /sse by convention; anything else is taken to be
    Streamable HTTP, the transport of every protocol version since 2025-03-26."""
    path = urlsplit(url).path.rstrip("/")
    return TransportKind.SSE if path.endswith("/sse") else TransportKind.HTTP


def parse_pasted(text: str) -> Pasted:
    stripped = text.strip()
    if not stripped:
        return Pasted(problem="Nothing was pasted.")
    if stripped[0] in "{[":
        return _configuration(stripped)
    words = stripped.split()
    if len(words) == 1 and "://" in stripped:
        return _url(stripped)
    return _command_line(stripped)


def _configuration(text: str) -> Pasted:
    try:
        report = parse_config_report(text)
    except ConfigError as error:
        return Pasted(problem=f"This looks like JSON, but {error}.")
    if not report.servers:
        first = report.errors[0] if report.errors else "no server in it"
        return Pasted(problem=f"This configuration cannot be used: {first}.")
    server = report.servers[0]
    others = len(report.servers) - 1 + len(report.errors)
    return Pasted(spec=server.spec, kind="configuration", name=server.name, others=others)


def _url(url: str) -> Pasted:
    parts = urlsplit(url)
    if parts.scheme.lower() not in {"http", "https"} or not parts.hostname:
        return Pasted(problem="Only http:// and https:// URLs name an MCP server.")
    return Pasted(spec=ConnectionSpec(transport_of_url(url), url=url), kind="URL")


def _command_line(text: str) -> Pasted:
    # A command copied from a README often keeps its line continuations.
    joined = re.sub(r"\\\r?\n", " ", text)
    try:
        words = shlex.split(joined)
    except ValueError as error:
        return Pasted(problem=f"This command line cannot be split: {error}.")
    env: dict[str, str] = {}
    while words and _ASSIGNMENT.match(words[0]):
        name, _, value = words.pop(0).partition("=")
        env[name] = value
    if not words:
        return Pasted(problem="This sets environment variables but names no command.")
    command, *args = words
    spec = ConnectionSpec(TransportKind.STDIO, command=command, args=tuple(args), env=env)
    return Pasted(spec=spec, kind="command line")
