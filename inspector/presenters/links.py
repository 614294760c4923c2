"""Links a server asks a person to follow (URL elicitations), taken apart for display.

Such a link is never fetched: it is shown in full with its host highlighted, with what
could make it misleading, and it is opened only by the person's own click.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from inspector.mcp.hosts import is_loopback_host

_AMBIGUOUS = re.compile(r"[\\\s\x00-\x1f\x7f]")


@dataclass(slots=True)
class UrlView:
    """A URL taken apart for display, with the reasons not to trust it."""

    url: str
    before_host: str = ""
    host: str = ""
    after_host: str = ""
    unicode_host: str = ""
    allowed: bool = False
    refusal: str = ""
    warnings: list[str] = field(default_factory=list)


def url_view(url: Any) -> UrlView:
    """Only `https:`, or `http:` to this machine, may be opened; punycode and user
    names that disguise the host are called out."""
    if not isinstance(url, str) or not url:
        return UrlView("", refusal="The server sent no URL.")
    view = UrlView(url)
    if _AMBIGUOUS.search(url):
        # Browsers read a backslash as a slash and drop whitespace and controls; Python's
        # parser does not, so the host shown could differ from the host opened.
        view.refusal = "The URL has a backslash, whitespace or control character in it."
        return view
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
    except ValueError:
        view.refusal = "The URL cannot be parsed."
        return view
    raw_host = parts.netloc.rpartition("@")[2]
    start = url.find(raw_host) if raw_host else -1
    if start < 0:
        view.refusal = "The URL has no host."
        return view
    if "%" in raw_host:
        view.refusal = "The host is percent-encoded, which hides where the link goes."
        return view
    view.before_host = url[:start]
    view.host = raw_host
    view.after_host = url[start + len(raw_host) :]
    scheme = parts.scheme.lower()
    if scheme == "https" or (scheme == "http" and is_loopback_host(host)):
        view.allowed = True
    elif scheme == "http":
        view.refusal = "Plain http: is accepted only for this machine (loopback)."
    else:
        view.refusal = f"Only https: links are opened, not {scheme or 'this'}: links."
    if "@" in parts.netloc:
        view.warnings.append(
            "The URL carries a user name before the host, a common way to disguise where "
            "it really goes."
        )
    if any(label.startswith("xn--") for label in host.split(".")) or not host.isascii():
        view.unicode_host = _unicode_host(host)
        view.warnings.append(
            f"The host is internationalised (punycode): it reads as “{view.unicode_host}” "
            "and may imitate a familiar name."
        )
    return view


def _unicode_host(host: str) -> str:
    try:
        return host.encode("ascii").decode("idna")
    except (UnicodeError, ValueError):
        return host
