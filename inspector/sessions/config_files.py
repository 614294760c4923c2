"""MCP client configuration files, read: the formats other clients write (`config_export`
writes them back).

Accepted input, all as JSON (comments and trailing commas allowed, as editors write them):

- the `mcpServers` file of Claude Desktop, Cursor, Windsurf, Claude Code and others;
- VS Code's `.vscode/mcp.json` (`{"servers": {...}, "inputs": [...]}`) and a settings.json
  holding `{"mcp": {"servers": {...}}}`;
- a pasted snippet: a whole file, a bare `{"name": {...}}` map, or one server object.

VS Code `${input:...}` and `${env:...}` placeholders are kept verbatim: expanding them needs
the editor's prompts and environment, which the inspector does not have.

Settings that no other client has (protocol era and version, timeouts) travel under an `inspector`
key of each entry, written only when they differ from the defaults, so an exported file
stays clean for other clients and still round-trips here.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path, PurePath
from typing import Any
from urllib.parse import urlsplit

from inspector.mcp.auth.config import AUTHORIZATION_CODE, CLIENT_CREDENTIALS, OAuthSettings
from inspector.mcp.versions import KNOWN_VERSIONS, Era, EraChoice, era_of
from inspector.sessions.jsonc import RepeatedKeys, load_jsonc
from inspector.sessions.spec import ConnectionSpec, TransportKind

_HTTP_TYPES = frozenset({"http", "streamable-http", "streamablehttp", "streamable_http"})
_SSE_TYPES = frozenset({"sse"})
_STDIO_TYPES = frozenset({"stdio"})
_URL_KEYS = ("url", "serverUrl")
DEFAULT_SPEC = ConnectionSpec(TransportKind.STDIO)
# The inspector's own settings inside an entry: (key in the file, ConnectionSpec field).
EXTRA_KEY = "inspector"
TIMEOUT_KEYS = (
    ("connectTimeout", "connect_timeout"),
    ("requestTimeout", "request_timeout"),
    ("maxTotalTimeout", "max_total_timeout"),
)


class ConfigError(ValueError):
    """A file or an entry that cannot be read; the message names the entry and the fault."""

    def __init__(self, message: str, *, entry: str | None = None) -> None:
        super().__init__(f"server {entry!r}: {message}" if entry is not None else message)
        self.entry = entry


@dataclass(frozen=True, slots=True)
class NamedServer:
    name: str
    spec: ConnectionSpec


@dataclass(frozen=True, slots=True)
class ConfigReport:
    """What a lenient read found: the good entries, in order, and one error per bad entry."""

    servers: list[NamedServer] = field(default_factory=list)
    errors: list[ConfigError] = field(default_factory=list)


def parse_config(text: str) -> list[NamedServer]:
    """Every server in `text`, in file order; the first malformed entry raises ConfigError."""
    report = parse_config_report(text)
    if report.errors:
        raise report.errors[0]
    return report.servers


def parse_config_report(text: str) -> ConfigReport:
    """Like parse_config, but keep the good entries and collect one error per bad entry.

    A fault in the file as a whole (not JSON, no servers in a recognisable place) still
    raises ConfigError: there are no entries to keep.
    """
    entries = _entries(_load_json(text))
    report = ConfigReport()
    seen: set[str] = set()
    for name, raw in entries:
        try:
            if not name:
                raise ConfigError("a server needs a name", entry=name)
            if name in seen:
                raise ConfigError("appears more than once", entry=name)
            seen.add(name)
            report.servers.append(NamedServer(name, _spec(name, raw)))
        except ConfigError as error:
            report.errors.append(error)
    return report


def load_config_file(path: str | Path) -> list[NamedServer]:
    return parse_config(read_config_text(path))


def read_config_text(path: str | Path) -> str:
    try:
        # utf-8-sig: editors on Windows save JSON with a byte order mark.
        return Path(path).read_text(encoding="utf-8-sig")
    except OSError as error:
        raise ConfigError(f"cannot read {path}: {error.strerror or error}") from error
    except UnicodeDecodeError as error:
        raise ConfigError(f"{path} is not UTF-8 text") from error


# Reading ------------------------------------------------------------------------------------


def _load_json(text: str) -> Any:
    if not text.strip():
        raise ConfigError("the configuration is empty")
    try:
        return load_jsonc(text)
    except json.JSONDecodeError as error:
        raise ConfigError(
            f"not valid JSON: {error.msg} (line {error.lineno}, column {error.colno})"
        ) from error


def _entries(document: Any) -> list[tuple[str, Any]]:
    """The (name, raw entry) pairs of a document, whichever format it is in."""
    if isinstance(document, list):
        return _listed_entries(document, "the list")
    if not isinstance(document, dict):
        raise ConfigError("expected a JSON object with servers in it")
    for key in ("mcpServers", "servers"):
        if key in document:
            return _server_map(document[key], key)
    mcp = document.get("mcp")
    if isinstance(mcp, dict) and "servers" in mcp:
        return _server_map(mcp["servers"], "mcp.servers")
    if _looks_like_server(document):
        name = document.get("name")
        if not isinstance(name, str) or not name.strip():
            name = _default_name(document)
        return [(name.strip(), document)]
    if not any(isinstance(value, dict) for value in document.values()):
        raise ConfigError(
            "found no servers: expected an mcpServers or servers object, a map of servers "
            "by name, or one server with a command or a url"
        )
    return _server_map(document, "the configuration")


def _server_map(value: Any, where: str) -> list[tuple[str, Any]]:
    if isinstance(value, list):
        # Some clients (Continue, for one) keep servers as a list of named objects.
        return _listed_entries(value, where)
    if not isinstance(value, dict):
        raise ConfigError(f"{where} must be an object of servers by name")
    if isinstance(value, RepeatedKeys):
        raise ConfigError(f"{where} names {', '.join(map(repr, value.repeated))} more than once")
    return [(name.strip(), raw) for name, raw in value.items()]


def _listed_entries(items: list[Any], where: str) -> list[tuple[str, Any]]:
    entries: list[tuple[str, Any]] = []
    for index, raw in enumerate(items, start=1):
        name = raw.get("name") if isinstance(raw, dict) else None
        if not isinstance(name, str) or not name.strip():
            name = f"#{index} in {where}"
        entries.append((name.strip(), raw))
    return entries


def _looks_like_server(document: dict[str, Any]) -> bool:
    """One server object rather than a map of them: its describing keys hold strings."""
    return any(isinstance(document.get(key), str) for key in ("command", "type", *_URL_KEYS))


def _default_name(document: dict[str, Any]) -> str:
    command = document.get("command")
    if isinstance(command, str) and command.strip():
        return PurePath(command.strip().split()[0]).stem or "server"
    for key in _URL_KEYS:
        url = document.get(key)
        if isinstance(url, str) and (host := _hostname(url.strip())):
            return host
    return "server"


def _hostname(url: str) -> str | None:
    try:
        return urlsplit(url).hostname
    except ValueError:  # an unclosed IPv6 bracket, say: the entry's own check says so
        return None


def _spec(name: str, raw: Any) -> ConnectionSpec:
    if not isinstance(raw, dict):
        raise ConfigError("must be an object", entry=name)
    if isinstance(raw, RepeatedKeys):
        repeated = ", ".join(map(repr, raw.repeated))
        raise ConfigError(f"has {repeated} more than once", entry=name)
    kind = _transport(name, raw)
    extras = _extras(name, raw)
    if kind is TransportKind.STDIO:
        command = _text(name, raw, "command")
        if not command:
            raise ConfigError('a stdio server needs a "command"', entry=name)
        cwd = _text(name, raw, "cwd")
        return ConnectionSpec(
            kind,
            command=command,
            args=tuple(_string_list(name, raw, "args")),
            env=_string_map(name, raw, "env"),
            cwd=cwd or None,
            **extras,
        )
    url = _url(name, raw)
    return ConnectionSpec(kind, url=url, headers=_string_map(name, raw, "headers"), **extras)


def _transport(name: str, raw: dict[str, Any]) -> TransportKind:
    declared = raw.get("type")
    has_url = any(raw.get(key) not in (None, "") for key in _URL_KEYS)
    if declared is None:
        if raw.get("command") not in (None, ""):
            return TransportKind.STDIO
        if has_url:
            return TransportKind.HTTP
        raise ConfigError('needs a "command" (stdio) or a "url" (HTTP)', entry=name)
    if not isinstance(declared, str):
        raise ConfigError('"type" must be a string', entry=name)
    lowered = declared.strip().lower()
    if lowered in _STDIO_TYPES:
        return TransportKind.STDIO
    if lowered in _HTTP_TYPES:
        return TransportKind.HTTP
    if lowered in _SSE_TYPES:
        return TransportKind.SSE
    raise ConfigError(
        f'unknown "type" {declared!r} (expected stdio, http, streamable-http or sse)', entry=name
    )


def _url(name: str, raw: dict[str, Any]) -> str:
    for key in _URL_KEYS:
        if raw.get(key) not in (None, ""):
            url = _text(name, raw, key)
            break
    else:
        raise ConfigError('an HTTP or SSE server needs a "url"', entry=name)
    # A VS Code placeholder may stand for the whole URL; anything else must be http(s).
    if "${" in url:
        return url
    try:
        parts = urlsplit(url)
    except ValueError as error:
        raise ConfigError(f'"url" {url!r} is not a valid URL: {error}', entry=name) from None
    if parts.scheme.lower() not in {"http", "https"}:
        raise ConfigError(f'"url" must be an http:// or https:// URL, not {url!r}', entry=name)
    return url


def _text(name: str, raw: dict[str, Any], key: str) -> str:
    value = raw.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ConfigError(f'"{key}" must be a string', entry=name)
    return value.strip()


def _scalar(value: Any) -> str | None:
    """Numbers are written unquoted by hand often enough to accept them as their text."""
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return json.dumps(value)
    return None


def _string_list(name: str, raw: dict[str, Any], key: str) -> list[str]:
    value = raw.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise ConfigError(f'"{key}" must be a list of strings', entry=name)
    items: list[str] = []
    for index, item in enumerate(value):
        text = _scalar(item)
        if text is None:
            raise ConfigError(f'"{key}"[{index}] must be a string', entry=name)
        items.append(text)
    return items


def _string_map(name: str, raw: dict[str, Any], key: str) -> dict[str, str]:
    value = raw.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ConfigError(f'"{key}" must be an object of strings', entry=name)
    if isinstance(value, RepeatedKeys):
        repeated = ", ".join(map(repr, value.repeated))
        raise ConfigError(f'"{key}" has {repeated} more than once', entry=name)
    items: dict[str, str] = {}
    for item_name, item in value.items():
        text = _scalar(item)
        if text is None:
            raise ConfigError(f'"{key}"."{item_name}" must be a string', entry=name)
        if not item_name.strip():
            raise ConfigError(f'"{key}" has an empty name', entry=name)
        items[item_name] = text
    return items


def _extras(name: str, raw: dict[str, Any]) -> dict[str, Any]:
    value = raw.get(EXTRA_KEY)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ConfigError(f'"{EXTRA_KEY}" must be an object', entry=name)
    extras: dict[str, Any] = {}
    era = value.get("era")
    if era is not None:
        if era not in tuple(EraChoice):
            eras = ", ".join(choice.value for choice in EraChoice)
            raise ConfigError(f'"{EXTRA_KEY}.era" {era!r} is not one of {eras}', entry=name)
        extras["era"] = EraChoice(era)
    version = value.get("protocolVersion")
    if version is not None:
        if version not in KNOWN_VERSIONS:
            known = ", ".join(KNOWN_VERSIONS)
            raise ConfigError(
                f'"{EXTRA_KEY}.protocolVersion" {version!r} is not one of {known}', entry=name
            )
        extras["protocol_version"] = version
        if extras.get("era") is EraChoice.LEGACY and era_of(version) is Era.MODERN:
            raise ConfigError(
                f'"{EXTRA_KEY}.protocolVersion" {version} has no initialize handshake, '
                f'so "{EXTRA_KEY}.era" cannot be legacy',
                entry=name,
            )
    for key, attribute in TIMEOUT_KEYS:
        seconds = value.get(key)
        if seconds is None:
            continue
        if (
            not isinstance(seconds, int | float)
            or isinstance(seconds, bool)
            or not _finite(seconds)
            or seconds <= 0
        ):
            raise ConfigError(
                f'"{EXTRA_KEY}.{key}" must be a positive number of seconds', entry=name
            )
        extras[attribute] = float(seconds)
    _check_total(name, extras)
    reset = value.get("resetTimeoutOnProgress")
    if reset is not None:
        if not isinstance(reset, bool):
            raise ConfigError(
                f'"{EXTRA_KEY}.resetTimeoutOnProgress" must be true or false', entry=name
            )
        extras["reset_timeout_on_progress"] = reset
    oauth = value.get("oauth")
    if oauth is not None:
        extras["oauth"] = _oauth(name, oauth)
    return extras


def _finite(number: float) -> bool:
    """A number a float can hold: JSON integers have no bound, floats do."""
    try:
        return math.isfinite(number)
    except OverflowError:
        return False


OAUTH_KEYS = (
    ("grantType", "grant_type"),
    ("clientId", "client_id"),
    ("clientSecret", "client_secret"),
    ("scope", "scope"),
)


def _oauth(name: str, value: Any) -> OAuthSettings:
    where = f'"{EXTRA_KEY}.oauth"'
    if not isinstance(value, dict):
        raise ConfigError(f"{where} must be an object", entry=name)
    fields: dict[str, str] = {}
    for key, attribute in OAUTH_KEYS:
        item = value.get(key)
        if item is None:
            continue
        if not isinstance(item, str):
            raise ConfigError(f"{where}.{key} must be a string", entry=name)
        fields[attribute] = item
    grant = fields.get("grant_type", AUTHORIZATION_CODE)
    if grant not in (AUTHORIZATION_CODE, CLIENT_CREDENTIALS):
        raise ConfigError(
            f"{where}.grantType must be {AUTHORIZATION_CODE} or {CLIENT_CREDENTIALS}", entry=name
        )
    return OAuthSettings.from_dict(fields)


def _check_total(name: str, extras: dict[str, Any]) -> None:
    """The maximum total time caps the request timeout, so it cannot be the shorter one.
    Left out, it follows a longer request timeout up rather than silently cutting it."""
    request = extras.get("request_timeout", DEFAULT_SPEC.request_timeout)
    if "max_total_timeout" not in extras:
        if request > DEFAULT_SPEC.max_total_timeout:
            extras["max_total_timeout"] = request
        return
    if extras["max_total_timeout"] < request:
        raise ConfigError(
            f'"{EXTRA_KEY}.maxTotalTimeout" ({extras["max_total_timeout"]:g} s) must be at '
            f"least the request timeout ({request:g} s)",
            entry=name,
        )
