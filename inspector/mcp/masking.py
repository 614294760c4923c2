"""Masking of secrets in headers and environment values before they are shown or stored:
the one rule for every page, export, record and command line."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

MASK = "••••••"
_SECRET_HEADERS = frozenset(
    {
        "authorization",
        "proxy-authorization",
        "cookie",
        "set-cookie",
        "x-api-key",
        "api-key",
        "mcp-session-id",
    }
)
_SECRET_WORDS = ("token", "secret", "password", "passwd", "api-key", "apikey", "api_key", "auth")


def is_secret_name(name: str) -> bool:
    lowered = name.lower()
    return lowered in _SECRET_HEADERS or any(word in lowered for word in _SECRET_WORDS)


# `${input:id}`, `${env:NAME}`, `${workspaceFolder}`: where a client's configuration takes
# a value from, not a value; nothing secret to hide.
_PLACEHOLDER = re.compile(r"\$\{[A-Za-z]+:[^}]*\}|\$\{[A-Za-z_][A-Za-z0-9_]*\}")


def is_placeholder(value: str) -> bool:
    """Nothing but placeholders, perhaps after an auth scheme: `Bearer ${input:token}`."""
    if not _PLACEHOLDER.search(value):
        return False
    return _PLACEHOLDER.sub("", value).strip().lower() in {"", "bearer", "basic", "token"}


def mask_value(name: str, value: str) -> str:
    """Keep just enough of a secret to tell two apart: the scheme and the first characters.
    A value whose name is not a secret's, or that is only a placeholder, stays readable."""
    if not is_secret_name(name) or is_placeholder(value):
        return value
    scheme, _, rest = value.partition(" ")
    if rest and scheme.lower() in {"bearer", "basic", "token", "dpop"}:
        return f"{scheme} {mask_secret(rest)}"
    return mask_secret(value)


def mask_values(values: Mapping[str, str]) -> dict[str, str]:
    """Environment values or the like, each masked by its name."""
    return {name: mask_value(name, value) for name, value in values.items()}


def mask_token(token: str) -> str:
    """A bearer token: always a secret, unless a placeholder stands in for it."""
    return mask_value("token", token) if token else ""


def mask_secret(secret: str) -> str:
    """A value known to be secret, as it may be shown: its first characters when it is long
    enough that they give nothing away, else only the mask."""
    return f"{secret[:4]}{MASK}" if len(secret) > 12 else MASK


def mask_headers(headers: Mapping[str, str] | Iterable[tuple[str, str]]) -> dict[str, str]:
    items = headers.items() if isinstance(headers, Mapping) else headers
    masked: dict[str, str] = {}
    for name, value in items:
        shown = mask_value(name, value)
        masked[name] = f"{masked[name]}, {shown}" if name in masked else shown
    return masked
