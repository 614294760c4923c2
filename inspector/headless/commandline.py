"""A connection and a request, written as an `inspector --cli` command line.

This is "Copy as CLI command": the words parse back, by `args.parse`, to the same server
and the same request. The server comes first (`inspector --cli npx -y server ...`), unless
one of its arguments would be read as an option of the inspector: then it goes last,
after `--`, where nothing is read as an option.

Secret values never appear in the command: a secret environment variable or header is
written as a reference to a shell variable, for the person to set; every other word is
quoted.
"""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from inspector.headless.args import is_option_word
from inspector.headless.target import cli_era
from inspector.headless.words import parse_value
from inspector.mcp.masking import is_secret_name
from inspector.sessions.spec import ConnectionSpec, TransportKind

PROGRAM = "inspector"
_DEFAULTS = ConnectionSpec(TransportKind.STDIO)
# Marks where a secret was in a word; it cannot occur in a real value that reaches here.
_SECRET = "\x00{}\x00"
_SECRET_MARK = re.compile("\x00([A-Za-z0-9_]+)\x00")


class NotExpressible(ValueError):
    """The request has something the command line has no way to say."""


def cli_command(spec: ConnectionSpec, method: str, params: Mapping[str, Any] | None = None) -> str:
    """The command line as one string for a POSIX shell, with every secret value replaced
    by a shell variable named after it; raise `NotExpressible` as `cli_words` does."""
    hidden = replace(
        spec,
        env={name: _placeholder(name, value) for name, value in spec.env.items()},
        headers={name: _placeholder(name, value) for name, value in spec.sent_headers().items()},
        bearer_token="",
    )
    return " ".join(_shell_word(word) for word in cli_words(hidden, method, params))


def _placeholder(name: str, value: str) -> str:
    if not is_secret_name(name):
        return value
    return _SECRET.format(re.sub(r"[^A-Za-z0-9_]", "_", name).upper())


def _shell_word(word: str) -> str:
    if not _SECRET_MARK.search(word):
        return shlex.quote(word)
    # Inside double quotes only the variable may expand: everything else is escaped.
    parts = _SECRET_MARK.split(word)
    quoted = "".join(
        f"${{{part}}}" if index % 2 else re.sub(r'([\\"$`])', r"\\\1", part)
        for index, part in enumerate(parts)
    )
    return f'"{quoted}"'


def cli_words(
    spec: ConnectionSpec, method: str, params: Mapping[str, Any] | None = None
) -> list[str]:
    """The command line as words; raise `NotExpressible` for what no flag can carry."""
    words = [PROGRAM, "--cli"]
    trailing: list[str] = []
    if spec.transport is TransportKind.STDIO:
        server = [spec.command, *spec.args]
        if any(is_option_word(word) for word in server) or spec.command.startswith("-"):
            trailing = ["--", *server]
        else:
            words += server
        for name, value in spec.env.items():
            words += ["-e", f"{name}={value}"]
        if spec.cwd:
            words += ["--cwd", spec.cwd]
    else:
        words += [spec.url, "--transport", spec.transport.value]
        for name, value in spec.sent_headers().items():
            words += ["--header", f"{name}: {value}"]
    if spec.protocol_version != _DEFAULTS.protocol_version:
        words += ["--protocol-version", spec.protocol_version]
    if spec.era is not cli_era(None, spec.protocol_version):
        words += ["--era", spec.era.value]
    if spec.connect_timeout != _DEFAULTS.connect_timeout:
        words += ["--connect-timeout", f"{spec.connect_timeout:g}"]
    if spec.request_timeout != _DEFAULTS.request_timeout:
        words += ["--timeout", f"{spec.request_timeout:g}"]
    words += ["--method", method, *_request_words(method, dict(params or {}))]
    return words + trailing


def _request_words(method: str, params: dict[str, Any]) -> list[str]:
    words: list[str] = []
    meta = dict(params.pop("_meta", None) or {})
    meta.pop("progressToken", None)  # the client sets its own
    if method == "tools/call":
        words += ["--tool-name", _text(params.pop("name", None), "the tool name")]
        arguments = params.pop("arguments", None) or {}
        if not isinstance(arguments, dict):
            raise NotExpressible("tool arguments must be an object")
        if all(_is_key(key) for key in arguments):
            for key, value in arguments.items():
                words += ["--tool-arg", f"{key}={_value(value)}"]
        else:
            words += ["--tool-args-json", json.dumps(arguments, ensure_ascii=False)]
    elif method == "resources/read":
        words += ["--uri", _text(params.pop("uri", None), "the resource URI")]
    elif method == "prompts/get":
        words += ["--prompt-name", _text(params.pop("name", None), "the prompt name")]
        words += _pairs("--prompt-args", params.pop("arguments", None) or {})
    elif method == "logging/setLevel":
        words += ["--log-level", _text(params.pop("level", None), "the level")]
    elif method == "completion/complete":
        words += _completion_words(params)
    elif method in ("tools/list", "resources/list", "resources/templates/list", "prompts/list"):
        params.pop("cursor", None)  # the CLI follows every page itself
    if params:
        raise NotExpressible(f"no option carries {', '.join(sorted(params))} of {method}")
    for key, value in meta.items():
        if not _is_key(key):
            raise NotExpressible(f"no option carries the _meta key {key!r}")
        words += ["--metadata", f"{key}={_value(value)}"]
    return words


def _completion_words(params: dict[str, Any]) -> list[str]:
    ref = params.pop("ref", None) or {}
    argument = params.pop("argument", None) or {}
    context = params.pop("context", None) or {}
    if ref.get("type") == "ref/prompt":
        words = ["--ref-prompt", _text(ref.get("name"), "the prompt name")]
    elif ref.get("type") == "ref/resource":
        words = ["--ref-resource", _text(ref.get("uri"), "the resource URI")]
    else:
        raise NotExpressible(f"no option carries a completion reference of type {ref.get('type')}")
    words += ["--argument-name", _text(argument.get("name"), "the argument name")]
    value = argument.get("value", "")
    if value:
        words += ["--argument-value", _text(value, "the argument value")]
    return words + _pairs("--context-arg", context.get("arguments") or {})


def _pairs(option: str, pairs: Mapping[str, Any]) -> list[str]:
    words: list[str] = []
    for key, value in pairs.items():
        if not _is_key(key) or not isinstance(value, str):
            raise NotExpressible(f"{option} carries string values under keys without '='")
        words += [option, f"{key}={value}"]
    return words


def _is_key(key: Any) -> bool:
    return isinstance(key, str) and bool(key) and "=" not in key


def _value(value: Any) -> str:
    """A value that `parse_value` reads back as the same value."""
    if isinstance(value, str) and parse_value(value) == value:
        return value
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _text(value: Any, what: str) -> str:
    if not isinstance(value, str) or not value:
        raise NotExpressible(f"{what} must be a non-empty string")
    return value
