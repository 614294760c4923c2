"""HTTP as the transports check it and the traces show it: server URLs and origins,
media types, URLs and headers for display (secrets masked), one exchange as a trace
event, and which layer a failed request broke at."""

from __future__ import annotations

import socket
import ssl
from collections.abc import Iterator
from typing import Any
from urllib.parse import unquote

import httpx

from inspector.mcp.errors import ConnectError, FailureLayer
from inspector.mcp.masking import is_secret_name, mask_headers, mask_value
from inspector.mcp.network import OutboundRefused
from inspector.mcp.trace import Direction, EventKind, TraceEvent

SSE_MEDIA_TYPE = "text/event-stream"
JSON_MEDIA_TYPE = "application/json"
# Error bodies are read for display and for the exception, never without bound.
ERROR_BODY_LIMIT = 64 * 1024
BODY_PREVIEW_CHARS = 2000
_DEFAULT_PORTS = {"http": 80, "https": 443}


def parse_http_url(url: str) -> httpx.URL:
    """Parse a server URL, refusing anything but absolute http(s) URLs."""
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError) as exc:
        raise ConnectError(FailureLayer.PROTOCOL, f"{url!r} is not a valid URL: {exc}") from exc
    if parsed.scheme not in _DEFAULT_PORTS:
        scheme = parsed.scheme or "no scheme"
        raise ConnectError(
            FailureLayer.PROTOCOL, f"Only http and https URLs can be used ({scheme} given): {url}"
        )
    if not parsed.host:
        raise ConnectError(FailureLayer.PROTOCOL, f"The URL has no host: {url}")
    return parsed


def origin_of(url: httpx.URL) -> tuple[str, str, int]:
    return (url.scheme, url.host.lower(), url.port or _DEFAULT_PORTS.get(url.scheme, 0))


def same_origin(first: httpx.URL, second: httpx.URL) -> bool:
    return origin_of(first) == origin_of(second)


def same_resource(first: httpx.URL, second: httpx.URL) -> bool:
    """Whether two URLs name the same resource (RFC 8707 canonical form: same origin,
    path up to a trailing slash, and query). A token is for one resource only."""
    return (
        same_origin(first, second)
        and first.path.rstrip("/") == second.path.rstrip("/")
        and first.query == second.query
    )


def media_type(response: httpx.Response) -> str:
    """The media type without parameters: `application/json; charset=utf-8` is JSON."""
    content_type = str(response.headers.get("content-type", ""))
    return content_type.partition(";")[0].strip().lower()


def is_json_media_type(kind: str) -> bool:
    return kind == JSON_MEDIA_TYPE or kind.endswith("+json")


def display_url(url: httpx.URL | str) -> str:
    """The URL as shown in traces, with the values of secret-looking query parameters masked
    (`?api_key=…`); everything else is shown exactly as sent."""
    try:
        parsed = httpx.URL(url) if isinstance(url, str) else url
    except httpx.InvalidURL:
        return str(url)  # shown as given: it was never used, so it went nowhere
    if not parsed.query or not any(is_secret_name(name) for name in parsed.params):
        return str(parsed)
    parts = []
    for part in parsed.query.decode("ascii", errors="replace").split("&"):
        name, sep, value = part.partition("=")
        if is_secret_name(unquote(name)):
            value = mask_value(unquote(name), unquote(value))
        parts.append(f"{name}{sep}{value}")
    shown = f"{parsed.copy_with(query=None, fragment=None)}?{'&'.join(parts)}"
    return f"{shown}#{parsed.fragment}" if parsed.fragment else shown


def header_items(headers: httpx.Headers) -> list[tuple[str, str]]:
    """Headers as sent or received, with their original spelling, for display."""
    encoding = headers.encoding
    return [(name.decode(encoding), value.decode(encoding)) for name, value in headers.raw]


def sse_event(direction: Direction, text: str, **detail: Any) -> TraceEvent:
    return TraceEvent(kind=EventKind.SSE, direction=direction, text=text, detail=detail)


def preview(text: str) -> str:
    return text if len(text) <= BODY_PREVIEW_CHARS else f"{text[:BODY_PREVIEW_CHARS]}…"


# --- Connection failures ---------------------------------------------------------------


def _causes(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def failure_layer(exc: BaseException) -> FailureLayer:
    """Which layer a failed HTTP request broke at, judged from the exception chain."""
    if any(isinstance(cause, OutboundRefused) for cause in _causes(exc)):
        return FailureLayer.POLICY
    if isinstance(exc, httpx.TimeoutException | TimeoutError):
        return FailureLayer.TIMEOUT
    for cause in _causes(exc):
        if isinstance(cause, socket.gaierror):
            return FailureLayer.DNS
        if isinstance(cause, ssl.SSLError):
            return FailureLayer.TLS
    if isinstance(exc, httpx.ConnectError | httpx.NetworkError):
        return FailureLayer.TCP
    if isinstance(exc, httpx.UnsupportedProtocol):
        return FailureLayer.PROTOCOL
    return FailureLayer.HTTP


def _root_message(exc: BaseException) -> str:
    """The most specific description in the chain ("Connect call failed", not "All
    connection attempts failed")."""
    messages = [str(cause) for cause in _causes(exc) if str(cause)]
    return messages[-1] if messages else type(exc).__name__


def connect_error(exc: BaseException, method: str, url: httpx.URL) -> ConnectError:
    layer = failure_layer(exc)
    where = f"{url.host}:{url.port or _DEFAULT_PORTS.get(url.scheme, 0)}"
    reason = _root_message(exc)
    messages = {
        FailureLayer.DNS: f"Could not resolve the host name {url.host!r}: {reason}",
        FailureLayer.TCP: f"Could not connect to {where}: {reason}",
        FailureLayer.TLS: f"The TLS handshake with {where} failed: {reason}",
        FailureLayer.TIMEOUT: f"{method} {display_url(url)} timed out ({type(exc).__name__}).",
        FailureLayer.PROTOCOL: f"{method} {display_url(url)} cannot be sent: {reason}",
        FailureLayer.POLICY: reason,  # it names the host, the address and why
    }
    message = messages.get(layer, f"{method} {display_url(url)} failed: {reason}")
    return ConnectError(layer, message)


def http_event(
    request: httpx.Request,
    response: httpx.Response | None,
    elapsed: float,
    *,
    error: str | None = None,
    body: str | None = None,
) -> TraceEvent:
    """One HTTP exchange as a trace event (headers masked)."""
    url = display_url(request.url)
    detail: dict[str, Any] = {
        "method": request.method,
        "url": url,
        "status": response.status_code if response is not None else None,
        "request_headers": mask_headers(header_items(request.headers)),
        "response_headers": mask_headers(header_items(response.headers)) if response else {},
        "duration_ms": round(elapsed * 1000, 3),
        "content_type": response.headers.get("content-type") if response is not None else None,
    }
    if response is None:
        detail["error"] = error
        text = f"{request.method} {url} → failed: {error}"
    else:
        kind = media_type(response)
        text = f"{request.method} {url} → {response.status_code}" + (f" ({kind})" if kind else "")
    if body is not None:
        detail["body"] = preview(body)
    return TraceEvent(kind=EventKind.HTTP, direction=Direction.OUT, text=text, detail=detail)
