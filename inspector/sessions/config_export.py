"""MCP client configuration files, written: an `mcpServers` document that other clients
read, with the inspector's own settings under the `inspector` key of an entry only where
they differ from the defaults (see `config_files` for what is read back).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from inspector.mcp.masking import mask_value
from inspector.sessions.config_files import (
    DEFAULT_SPEC,
    EXTRA_KEY,
    OAUTH_KEYS,
    TIMEOUT_KEYS,
    NamedServer,
)
from inspector.sessions.spec import ConnectionSpec, TransportKind


def export_config(
    servers: Iterable[NamedServer], *, include_secrets: bool = False
) -> dict[str, Any]:
    """An `mcpServers` document. Secret env values and headers are masked unless asked for."""
    document: dict[str, Any] = {}
    for server in servers:
        document[server.name] = _entry(server.spec, include_secrets=include_secrets)
    return {"mcpServers": document}


def _entry(spec: ConnectionSpec, *, include_secrets: bool) -> dict[str, Any]:
    entry: dict[str, Any] = {}
    if spec.transport is TransportKind.STDIO:
        entry["command"] = spec.command
        entry["args"] = list(spec.args)
        if spec.env:
            entry["env"] = _shown(spec.env.items(), include_secrets)
        if spec.cwd:
            entry["cwd"] = spec.cwd
    else:
        # The type is written for HTTP too: clients that guess from a bare URL disagree.
        entry["type"] = spec.transport.value
        entry["url"] = spec.url
        # Other clients know a bearer token only as a header, and read it back as one.
        if spec.sent_headers():
            entry["headers"] = _shown(spec.sent_headers().items(), include_secrets)
    extras = dict(_extras_of(spec))
    if spec.oauth is not None and spec.transport is not TransportKind.STDIO:
        settings = spec.oauth.to_dict()
        shown = {
            key: _shown([(attribute, settings[attribute])], include_secrets)[attribute]
            for key, attribute in OAUTH_KEYS
            if settings[attribute]
        }
        extras["oauth"] = shown
    if extras:
        entry[EXTRA_KEY] = extras
    return entry


def _shown(items: Iterable[tuple[str, str]], include_secrets: bool) -> dict[str, str]:
    return {name: value if include_secrets else mask_value(name, value) for name, value in items}


def _extras_of(spec: ConnectionSpec) -> Iterator[tuple[str, Any]]:
    if spec.era is not DEFAULT_SPEC.era:
        yield "era", spec.era.value
    if spec.protocol_version != DEFAULT_SPEC.protocol_version:
        yield "protocolVersion", spec.protocol_version
    for key, attribute in TIMEOUT_KEYS:
        seconds = getattr(spec, attribute)
        if seconds != getattr(DEFAULT_SPEC, attribute):
            yield key, int(seconds) if float(seconds).is_integer() else seconds
    if spec.reset_timeout_on_progress != DEFAULT_SPEC.reset_timeout_on_progress:
        yield "resetTimeoutOnProgress", spec.reset_timeout_on_progress
