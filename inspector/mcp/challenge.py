"""`WWW-Authenticate` parsing (RFC 7235 §4.1, RFC 6750 §3).

A header may carry several challenges, separated by commas that also separate each
challenge's parameters; a parameter value is a token or a quoted string with backslash
escapes. A challenge may instead carry a single token68 (`Basic abc==`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_TOKEN68 = re.compile(r"[A-Za-z0-9\-._~+/]+=*")
_SPACE = re.compile(r"[ \t]*")


@dataclass(frozen=True, slots=True)
class Challenge:
    """One authentication challenge: its scheme and its parameters (names lowercased)."""

    scheme: str
    params: dict[str, str] = field(default_factory=dict)
    token68: str | None = None

    @property
    def is_bearer(self) -> bool:
        return self.scheme.lower() == "bearer"

    @property
    def resource_metadata(self) -> str | None:
        """The RFC 9728 protected resource metadata URL the server points to."""
        return self.params.get("resource_metadata")

    @property
    def scope(self) -> str | None:
        return self.params.get("scope")

    @property
    def error(self) -> str | None:
        return self.params.get("error")

    @property
    def error_description(self) -> str | None:
        return self.params.get("error_description")

    def to_dict(self) -> dict[str, object]:
        data: dict[str, object] = {"scheme": self.scheme, "params": dict(self.params)}
        if self.token68 is not None:
            data["token68"] = self.token68
        return data


class _Scanner:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def skip_space(self) -> None:
        match = _SPACE.match(self.text, self.pos)
        assert match is not None  # `*` always matches
        self.pos = match.end()

    def skip_commas(self) -> None:
        while True:
            self.skip_space()
            if not self.peek(","):
                return
            self.pos += 1

    def peek(self, char: str) -> bool:
        return self.text.startswith(char, self.pos)

    def at_end(self) -> bool:
        return self.pos >= len(self.text)

    def token(self) -> str | None:
        match = _TOKEN.match(self.text, self.pos)
        if match is None:
            return None
        self.pos = match.end()
        return match.group()

    def quoted(self) -> str:
        """A quoted string starting at the current `"`; unterminated ones run to the end."""
        self.pos += 1
        chars: list[str] = []
        while self.pos < len(self.text):
            char = self.text[self.pos]
            self.pos += 1
            if char == "\\" and self.pos < len(self.text):
                chars.append(self.text[self.pos])
                self.pos += 1
            elif char == '"':
                break
            else:
                chars.append(char)
        return "".join(chars)


def parse_www_authenticate(headers: str | Iterable[str]) -> list[Challenge]:
    """Every challenge in one or more `WWW-Authenticate` header values, in order.

    Lenient by design: what cannot be parsed is skipped rather than failing the whole
    header, since a server's other challenges may still be usable.
    """
    values = [headers] if isinstance(headers, str) else list(headers)
    challenges: list[Challenge] = []
    for value in values:
        challenges.extend(_parse_one(value))
    return challenges


def bearer_challenge(headers: str | Iterable[str]) -> Challenge | None:
    """The first Bearer challenge, if the server sent one."""
    return next((c for c in parse_www_authenticate(headers) if c.is_bearer), None)


def _parse_one(text: str) -> list[Challenge]:
    scanner = _Scanner(text)
    challenges: list[Challenge] = []
    while True:
        scanner.skip_commas()
        if scanner.at_end():
            return challenges
        scheme = scanner.token()
        if scheme is None:
            # Not a challenge: skip to the next comma and try again.
            next_comma = text.find(",", scanner.pos)
            if next_comma < 0:
                return challenges
            scanner.pos = next_comma
            continue
        challenges.append(_parse_challenge_body(scanner, scheme))


def _parse_challenge_body(scanner: _Scanner, scheme: str) -> Challenge:
    scanner.skip_space()
    token68 = _TOKEN68.match(scanner.text, scanner.pos)
    if token68 is not None:
        # A token68 is followed by the end, or by a comma starting the next challenge;
        # `name=value` also starts like a token68 with padding, but goes on.
        after = token68.end()
        rest = scanner.text[after:].lstrip(" \t")
        if not rest or rest.startswith(","):
            scanner.pos = after
            return Challenge(scheme, {}, token68.group())
    params: dict[str, str] = {}
    while True:
        scanner.skip_space()
        mark = scanner.pos
        name = scanner.token()
        if name is None:
            break
        scanner.skip_space()
        if not scanner.peek("="):
            # A bare token: the scheme of the next challenge.
            scanner.pos = mark
            break
        scanner.pos += 1
        scanner.skip_space()
        value = scanner.quoted() if scanner.peek('"') else scanner.token() or ""
        params.setdefault(name.lower(), value)
        scanner.skip_space()
        if not scanner.peek(","):
            break
        # A comma may separate parameters or challenges: look past it.
        after_comma = scanner.pos
        scanner.skip_commas()
        probe = scanner.pos
        next_name = scanner.token()
        scanner.skip_space()
        is_param = next_name is not None and scanner.peek("=")
        scanner.pos = probe if is_param else after_comma
        if not is_param:
            break
    return Challenge(scheme, params)
