"""The headless `inspector --cli` command line that repeats a call made in the browser.

The words come from the headless CLI's own builder, so they parse back to the same call.
Secret values never appear: a secret environment variable or header is written as a
reference to a shell variable, for the person to set; every other word is quoted.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from inspector.headless.commandline import NotExpressible, cli_words
from inspector.mcp.masking import is_secret_name
from inspector.sessions.spec import ConnectionSpec

# Marks where a secret was in a word; it cannot occur in a real value that reaches here.
_SECRET = "\x00{}\x00"
_SECRET_MARK = re.compile("\x00([A-Za-z0-9_]+)\x00")


def cli_command(spec: ConnectionSpec, method: str, params: Mapping[str, Any] | None) -> str:
    """The command for a POSIX shell, or a sentence saying why the call has none."""
    hidden = replace(
        spec,
        env={name: _placeholder(name, value) for name, value in spec.env.items()},
        headers={name: _placeholder(name, value) for name, value in spec.sent_headers().items()},
        bearer_token="",
    )
    try:
        words = cli_words(hidden, method, params)
    except NotExpressible as exc:
        return f"# This call cannot be written as a command line: {exc}."
    return " ".join(_shell_word(word) for word in words)


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
