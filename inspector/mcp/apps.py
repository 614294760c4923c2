"""MCP Apps (`io.modelcontextprotocol/ui`, stable specification 2026-01-26), the parts a
host decides without a browser: which tools have a View, who may call them, whether a
`ui://` resource can be shown, and the Content-Security-Policy its declaration allows.

No Django here: the session layer, the services and the sandbox listener all use it.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass, field
from typing import Any

EXTENSION = "io.modelcontextprotocol/ui"
MIME_TYPE = "text/html;profile=mcp-app"
# The version of the extension's own handshake (`ui/initialize`).
PROTOCOL_VERSION = "2026-01-26"
# A View larger than this is not shown: the page would hold it twice (host and frame).
MAX_HTML_BYTES = 5 * 1024 * 1024

# The mark on the events of requests a View sent through the inspector.
ORIGIN_DETAIL = "origin"
FROM_APP = "app"


def with_apps_extension(capabilities: dict[str, Any]) -> dict[str, Any]:
    """`capabilities` declaring that this client renders Apps (`mimeTypes` is required)."""
    extensions = capabilities.get("extensions")
    extensions = dict(extensions) if isinstance(extensions, dict) else {}
    extensions[EXTENSION] = {"mimeTypes": [MIME_TYPE]}
    return {**capabilities, "extensions": extensions}


def _ui_meta(tool: dict[str, Any]) -> dict[str, Any]:
    meta = tool.get("_meta")
    ui = meta.get("ui") if isinstance(meta, dict) else None
    return ui if isinstance(ui, dict) else {}


def ui_resource_uri(tool: dict[str, Any]) -> str | None:
    """The `ui://` resource a tool's result is shown in, if it names one (`_meta.ui`, or
    the deprecated flat `_meta["ui/resourceUri"]`)."""
    uri = _ui_meta(tool).get("resourceUri")
    if uri is None:
        meta = tool.get("_meta")
        uri = meta.get("ui/resourceUri") if isinstance(meta, dict) else None
    return uri if isinstance(uri, str) and uri.startswith("ui://") else None


def visibility(tool: dict[str, Any]) -> list[str]:
    """Who may see and call the tool; the specification's default is both."""
    seen = _ui_meta(tool).get("visibility")
    if isinstance(seen, list) and all(isinstance(who, str) for who in seen):
        return list(seen)
    return ["model", "app"]


def app_only(tool: dict[str, Any]) -> bool:
    """A tool only a View may call: kept out of the Tools list, refused from the page."""
    return visibility(tool) == ["app"]


def callable_by_app(tool: dict[str, Any]) -> bool:
    return "app" in visibility(tool)


# A source in a declared domain list: a scheme and host (a `*.` wildcard allowed), an
# optional port; nothing that could close the directive or add a keyword.
_SOURCE = re.compile(r"^(https?|wss?)://(\*\.)?[A-Za-z0-9.-]+(:\d{1,5}|:\*)?/?$")


@dataclass(frozen=True, slots=True)
class AppCsp:
    """A resource's `_meta.ui.csp`, kept to well-formed origins, and what was dropped."""

    connect: list[str] = field(default_factory=list)
    resources: list[str] = field(default_factory=list)
    frames: list[str] = field(default_factory=list)
    base_uris: list[str] = field(default_factory=list)
    declared: bool = False
    ignored: list[str] = field(default_factory=list)

    @classmethod
    def from_meta(cls, csp: Any, *, host: str = "") -> AppCsp:
        """`host` is the inspector's own origin: a View may never be let reach it (its
        pages share the sandbox's site, so its cookie would go along)."""
        if not isinstance(csp, dict):
            return cls()
        names = ("connectDomains", "resourceDomains", "frameDomains", "baseUriDomains")

        def allowed(item: Any) -> bool:
            return isinstance(item, str) and bool(_SOURCE.match(item)) and not _is_host(item)

        def _is_host(item: str) -> bool:
            return bool(host) and item.rstrip("/").lower() == host.rstrip("/").lower()

        def kept(name: str) -> list[str]:
            declared = csp.get(name)
            return [i for i in declared if allowed(i)] if isinstance(declared, list) else []

        connect, resources, frames, base_uris = (kept(name) for name in names)
        ignored = [
            str(item)
            for name in names
            if isinstance(csp.get(name), list)
            for item in csp[name]
            if not allowed(item)
        ]
        return cls(connect, resources, frames, base_uris, declared=True, ignored=ignored)

    def to_wire(self) -> dict[str, list[str]]:
        return {
            "connectDomains": self.connect,
            "resourceDomains": self.resources,
            "frameDomains": self.frames,
            "baseUriDomains": self.base_uris,
        }

    def policy(self) -> str:
        """The Content-Security-Policy of the sandbox that shows the View: what it
        declared and nothing else. Inline script and style are the View's own document;
        'self' is the sandbox origin, which serves nothing but the proxy."""
        resources = " ".join(self.resources)

        def directive(name: str, *sources: str) -> str:
            return " ".join([name, *(source for source in sources if source)])

        return "; ".join(
            [
                "default-src 'none'",
                directive("script-src", "'self'", "'unsafe-inline'", resources),
                directive("style-src", "'self'", "'unsafe-inline'", resources),
                directive("img-src", "'self'", "data:", resources),
                directive("font-src", "'self'", "data:", resources),
                directive("media-src", "'self'", "data:", resources),
                directive("connect-src", *(self.connect or ["'none'"])),
                directive("frame-src", *(self.frames or ["'none'"])),
                directive("base-uri", *(self.base_uris or ["'self'"])),
                "object-src 'none'",
                "form-action 'none'",
            ]
        )


# The iframe `allow` features a View may ask for, by their `_meta.ui.permissions` key.
PERMISSIONS = {
    "camera": "camera",
    "microphone": "microphone",
    "geolocation": "geolocation",
    "clipboardWrite": "clipboard-write",
}


def allow_attribute(permissions: Any) -> str:
    if not isinstance(permissions, dict):
        return ""
    return "; ".join(
        feature for key, feature in PERMISSIONS.items() if permissions.get(key) is not None
    )


@dataclass(frozen=True, slots=True)
class AppResource:
    """A `ui://` resource read for showing: its HTML, or why it cannot be shown."""

    uri: str
    html: str = ""
    csp: AppCsp = field(default_factory=AppCsp)
    allow: str = ""
    prefers_border: bool | None = None
    problem: str = ""


def app_resource(
    uri: str, result: dict[str, Any] | None, *, error: str = "", host: str = ""
) -> AppResource:
    """What `resources/read` of `uri` gave, judged for showing as a View; `host` is the
    inspector's origin (see `AppCsp.from_meta`)."""
    if result is None:
        return AppResource(uri, problem=f"The View {uri} could not be read: {error}")
    contents = result.get("contents")
    items = (
        [item for item in contents if isinstance(item, dict)] if isinstance(contents, list) else []
    )
    item = next((entry for entry in items if entry.get("uri") == uri), items[0] if items else None)
    if item is None:
        return AppResource(uri, problem=f"The server returned no contents for {uri}.")
    mime = str(item.get("mimeType") or "")
    if mime.replace(" ", "").lower() != MIME_TYPE:
        shown = mime or "no MIME type"
        return AppResource(
            uri, problem=f"{uri} is not an MCP App: its type is {shown}, not {MIME_TYPE}."
        )
    html, problem = _html_of(item)
    if problem:
        return AppResource(uri, problem=f"{uri}: {problem}")
    size = len(html.encode("utf-8"))
    if size > MAX_HTML_BYTES:
        return AppResource(
            uri,
            problem=(
                f"{uri} is too large to show: {size:,} bytes, over the limit of {MAX_HTML_BYTES:,}."
            ),
        )
    meta = item.get("_meta")
    ui = meta.get("ui") if isinstance(meta, dict) else None
    ui = ui if isinstance(ui, dict) else {}
    border = ui.get("prefersBorder")
    return AppResource(
        uri,
        html=html,
        csp=AppCsp.from_meta(ui.get("csp"), host=host),
        allow=allow_attribute(ui.get("permissions")),
        prefers_border=border if isinstance(border, bool) else None,
    )


def _html_of(item: dict[str, Any]) -> tuple[str, str]:
    text = item.get("text")
    if isinstance(text, str):
        return text, ""
    blob = item.get("blob")
    if not isinstance(blob, str):
        return "", "the contents carry neither text nor blob."
    if len(blob) > MAX_HTML_BYTES * 4 // 3 + 4:
        return "", f"too large to show: over the limit of {MAX_HTML_BYTES:,} bytes."
    try:
        return base64.b64decode(blob, validate=True).decode("utf-8"), ""
    except (binascii.Error, UnicodeDecodeError):
        return "", "the blob is not base64-encoded UTF-8."
