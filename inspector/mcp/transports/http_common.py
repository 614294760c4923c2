"""HTTP plumbing shared by the Streamable HTTP and the legacy HTTP+SSE transports.

Both transports record every HTTP exchange as one trace event in the same shape, follow
the same redirects (same-origin 307/308 only), and name the layer that failed when a
connection cannot be made.
"""

from __future__ import annotations

import asyncio
import socket
import ssl
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import unquote

import httpx

from inspector.mcp.auth.challenge import authorization_refusal
from inspector.mcp.errors import ConnectError, FailureLayer, HttpStatusError
from inspector.mcp.masking import is_secret_name, mask_headers, mask_value
from inspector.mcp.network import OutboundRefused
from inspector.mcp.trace import Direction, EventKind, TraceEvent, local_event

Emit = Callable[[TraceEvent], None]

SSE_MEDIA_TYPE = "text/event-stream"
JSON_MEDIA_TYPE = "application/json"
# 307 and 308 are the only redirects that keep the method and the body; following a 301,
# 302 or 303 would silently turn a JSON-RPC POST into a GET.
FOLLOWED_REDIRECTS = frozenset({307, 308})
MAX_REDIRECTS = 5
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


def _without_authorization(headers: Mapping[str, str]) -> httpx.Headers:
    kept = httpx.Headers(headers)
    kept.pop("authorization", None)
    return kept


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


# --- Exchanges -------------------------------------------------------------------------


class HttpAuth(Protocol):
    """Authorization for the requests of a transport (see `inspector.mcp.auth.provider`)."""

    async def authorization(self) -> str | None:
        """The `Authorization` header value to send, if any."""
        ...

    async def rejected(self, response: httpx.Response, sent: str | None) -> bool:
        """The server answered 401 or 403 to a request that carried `sent`: True asks
        for one retry with a fresh `authorization()`."""
        ...


@dataclass(slots=True)
class Exchange:
    """One HTTP request and its response, still streaming unless `error_body` is set."""

    request: httpx.Request
    response: httpx.Response
    error_body: str | None = None

    @property
    def status(self) -> int:
        return self.response.status_code

    @property
    def ok(self) -> bool:
        return 200 <= self.response.status_code < 300


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


async def read_limited(response: httpx.Response, *, seconds: float) -> str:
    """Read at most ERROR_BODY_LIMIT bytes of a body, for at most `seconds`, then close it."""
    data = bytearray()
    try:
        async with asyncio.timeout(seconds):
            async for chunk in response.aiter_bytes():
                data.extend(chunk)
                if len(data) >= ERROR_BODY_LIMIT:
                    break
    except (TimeoutError, httpx.HTTPError):
        pass  # what arrived is still worth showing
    finally:
        await response.aclose()
    return bytes(data[:ERROR_BODY_LIMIT]).decode(response.encoding or "utf-8", errors="replace")


async def open_exchange(
    client: httpx.AsyncClient,
    emit: Emit,
    method: str,
    url: httpx.URL,
    *,
    headers: Mapping[str, str],
    content: bytes | None = None,
    http_timeout: httpx.Timeout,
    auth: HttpAuth | None = None,
) -> Exchange:
    """Send one request and return as soon as the response headers are in.

    Same-origin 307/308 redirects are followed (each hop is its own HTTP event; the
    Authorization header only goes to a hop at the same resource, as a token is bound to
    its resource); other
    redirects are returned as they are, with an ERROR event saying why they were not
    followed. A non-2xx response has its body read into `error_body`; a 2xx response is
    left streaming and the caller must close it. Connection failures are recorded and
    raised as `ConnectError` naming the layer. With `auth`, the request carries its
    Authorization header, and a 401 or 403 it can recover from is retried once.
    """
    if auth is None:
        return await _follow(client, emit, method, url, headers, content, http_timeout)
    sent = await auth.authorization()
    exchange = await _follow(
        client, emit, method, url, _authorized(headers, sent), content, http_timeout
    )
    if exchange.status in (401, 403) and await auth.rejected(exchange.response, sent):
        emit(local_event(EventKind.AUTH, f"Retrying {method} {display_url(url)} with a new token."))
        sent = await auth.authorization()
        exchange = await _follow(
            client, emit, method, url, _authorized(headers, sent), content, http_timeout
        )
    return exchange


def _authorized(headers: Mapping[str, str], value: str | None) -> httpx.Headers:
    authorized = httpx.Headers(headers)
    if value is not None:
        authorized["Authorization"] = value
    return authorized


def status_error(exchange: Exchange) -> HttpStatusError:
    """The error for a refused request: `AuthorizationRequired` when authorization is
    what the server wants, else a plain `HttpStatusError`."""
    url = display_url(exchange.request.url)
    method = exchange.request.method
    body = exchange.error_body or ""
    refusal = authorization_refusal(
        exchange.status, exchange.response.headers, body, url=url, method=method
    )
    return refusal or HttpStatusError(exchange.status, body, url=url, method=method)


async def _follow(
    client: httpx.AsyncClient,
    emit: Emit,
    method: str,
    url: httpx.URL,
    headers: Mapping[str, str],
    content: bytes | None,
    http_timeout: httpx.Timeout,
) -> Exchange:
    target = url
    for hop in range(MAX_REDIRECTS + 1):
        exchange = await _single_exchange(
            client,
            emit,
            method,
            target,
            headers=headers if same_resource(url, target) else _without_authorization(headers),
            content=content,
            http_timeout=http_timeout,
        )
        following = _redirect_to_follow(exchange, emit, hops_left=MAX_REDIRECTS - hop)
        if following is None:
            return exchange
        target = following
    raise AssertionError("unreachable: the last hop never follows")  # pragma: no cover


async def _single_exchange(
    client: httpx.AsyncClient,
    emit: Emit,
    method: str,
    url: httpx.URL,
    *,
    headers: Mapping[str, str],
    content: bytes | None,
    http_timeout: httpx.Timeout,
) -> Exchange:
    request = client.build_request(
        method, url, headers=headers, content=content, timeout=http_timeout
    )
    started = time.monotonic()
    try:
        response = await client.send(request, stream=True, follow_redirects=False)
    except httpx.HTTPError as exc:
        failure = connect_error(exc, method, url)
        emit(http_event(request, None, time.monotonic() - started, error=str(failure)))
        raise failure from exc
    elapsed = time.monotonic() - started
    if 200 <= response.status_code < 300:
        emit(http_event(request, response, elapsed))
        return Exchange(request, response)
    read_seconds = http_timeout.read if http_timeout.read is not None else 10.0
    body = await read_limited(response, seconds=read_seconds)
    emit(http_event(request, response, elapsed, body=body))
    return Exchange(request, response, error_body=body)


def _redirect_to_follow(exchange: Exchange, emit: Emit, *, hops_left: int) -> httpx.URL | None:
    """The next URL if this response is a redirect we follow; else None (and say why)."""
    status = exchange.status
    if not 300 <= status < 400:
        return None
    current = exchange.request.url
    location = exchange.response.headers.get("location")
    if not location:
        emit(local_event(EventKind.ERROR, f"HTTP {status} redirect without a Location header."))
        return None
    try:
        target = current.join(location)
    except httpx.InvalidURL as exc:
        emit(local_event(EventKind.ERROR, f"HTTP {status} redirect to an invalid URL: {exc}"))
        return None
    refusal = _redirect_refusal(status, current, target, hops_left)
    if refusal is not None:
        emit(local_event(EventKind.ERROR, refusal, status=status, location=display_url(target)))
        return None
    return target


def _redirect_refusal(
    status: int, current: httpx.URL, target: httpx.URL, hops_left: int
) -> str | None:
    shown = display_url(target)
    if status not in FOLLOWED_REDIRECTS:
        return (
            f"Not following the HTTP {status} redirect to {shown}: only 307 and 308 "
            "keep the method and body of an MCP request."
        )
    if not same_origin(current, target):
        return f"Refused to follow a cross-origin redirect from {display_url(current)} to {shown}."
    if hops_left <= 0:
        return f"Stopped after {MAX_REDIRECTS} redirects (the last one pointed to {shown})."
    return None
