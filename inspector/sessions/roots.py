"""Roots: the directories a person shares with a server, as `file://` URIs.

A root is checked before it is kept, so that what `roots/list` hands a server is exactly
what the person meant: an absolute local path, no `..` segments, no control characters.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import unquote, urlsplit

MAX_ROOTS = 100
MAX_NAME_CHARS = 200
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class InvalidRoot(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class Root:
    uri: str
    name: str = ""

    def to_wire(self) -> dict[str, Any]:
        return {"uri": self.uri, "name": self.name} if self.name else {"uri": self.uri}

    @property
    def path(self) -> str:
        return unquote(urlsplit(self.uri).path)


def parse_root(location: str, name: str = "") -> Root:
    """A root from a `file://` URI or an absolute path; `InvalidRoot` says what is wrong."""
    location = location.strip()
    name = name.strip()
    if not location:
        raise InvalidRoot("Give a file:// URI or an absolute path.")
    if _CONTROL.search(location) or _CONTROL.search(name):
        raise InvalidRoot("Control characters are not allowed.")
    if len(name) > MAX_NAME_CHARS:
        raise InvalidRoot(f"A name has at most {MAX_NAME_CHARS} characters.")
    if location.startswith("/"):
        path = location
    else:
        parts = urlsplit(location)
        if parts.scheme.lower() != "file":
            raise InvalidRoot("A root must be a file:// URI (or an absolute path).")
        if parts.netloc not in ("", "localhost"):
            raise InvalidRoot(f"A root must be on this machine, not on host {parts.netloc!r}.")
        if parts.query or parts.fragment:
            raise InvalidRoot("A root URI has no query or fragment.")
        path = unquote(parts.path)
        if _CONTROL.search(path):
            raise InvalidRoot("Control characters are not allowed.")
    if not path.startswith("/"):
        raise InvalidRoot("A root's path must be absolute.")
    if "\\" in path or path.startswith("//"):
        # A server on Windows would read these as separators or a network share.
        raise InvalidRoot("A root's path may not contain backslashes or start with //.")
    if ".." in path.split("/"):
        raise InvalidRoot("A root's path may not contain '..' segments.")
    normal = PurePosixPath(path)
    return Root(normal.as_uri(), name)


def add_root(roots: list[Root], root: Root) -> list[Root]:
    if any(existing.uri == root.uri for existing in roots):
        raise InvalidRoot(f"{root.uri} is already a root.")
    if len(roots) >= MAX_ROOTS:
        raise InvalidRoot(f"A session has at most {MAX_ROOTS} roots.")
    return [*roots, root]
