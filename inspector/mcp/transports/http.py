"""What the Streamable HTTP and the legacy HTTP+SSE transports share.

`HttpTransport` holds the URL, the custom headers, the authorization hook, the timeout
and the httpx client. Every request goes through `open_exchange`, so both transports
record each HTTP exchange as one trace event in the same shape, follow the same
redirects (same-origin 307/308 only), retry once with a new token when authorization
can be fixed, and name the layer that failed when a connection cannot be made.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol, TypedDict, Unpack

import httpx

from inspector.mcp.challenge import bearer_challenge
from inspector.mcp.errors import AuthorizationRequired, HttpStatusError
from inspector.mcp.masking import mask_headers
from inspector.mcp.network import http_client
from inspector.mcp.timeouts import DEFAULT_CONNECT_TIMEOUT
from inspector.mcp.trace import EventKind, TraceEvent, local_event
from inspector.mcp.transports.base import Transport, inbound_frame
from inspector.mcp.transports.http_wire import (
    ERROR_BODY_LIMIT,
    connect_error,
    display_url,
    http_event,
    is_json_media_type,
    preview,
    same_origin,
    same_resource,
)

Emit = Callable[[TraceEvent], None]

# 307 and 308 are the only redirects that keep the method and the body; following a 301,
# 302 or 303 would silently turn a JSON-RPC POST into a GET.
FOLLOWED_REDIRECTS = frozenset({307, 308})
MAX_REDIRECTS = 5


def _without_authorization(headers: Mapping[str, str]) -> httpx.Headers:
    kept = httpx.Headers(headers)
    kept.pop("authorization", None)
    return kept


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


class HttpOptions(TypedDict, total=False):
    """How an HTTP transport is set up, besides its URL."""

    headers: Mapping[str, str] | None  # the person's custom headers, sent with every request
    timeout: float  # connecting, and waiting for the status of a request (default 30 s)
    client: httpx.AsyncClient | None  # default: a guarded client of the transport's own
    auth: HttpAuth | None  # adds Authorization, and may recover from a 401 or 403


class HttpTransport(Transport):
    """A transport over HTTP: one server URL, the person's custom headers, an optional
    authorization hook, and an httpx client (the guarded one unless a client is given;
    a client the transport made is the transport's to close)."""

    def __init__(self, url: str, **options: Unpack[HttpOptions]) -> None:
        super().__init__()
        self.url = url
        self._auth = options.get("auth")
        self._custom_headers = dict(options.get("headers") or {})
        self._timeout = options.get("timeout", DEFAULT_CONNECT_TIMEOUT)
        self._client = options.get("client")
        self._owns_client = self._client is None

    def _open_client(self, **options: Any) -> httpx.AsyncClient:
        """The transport's client, made now if none was given (redirects are followed by
        `open_exchange`, hop by hop, never by httpx)."""
        if self._client is None:
            self._client = http_client(follow_redirects=False, **options)
        return self._client

    async def _close_client(self) -> None:
        if self._owns_client and self._client is not None:
            with contextlib.suppress(Exception):
                await self._client.aclose()

    def _custom_request_headers(self) -> httpx.Headers:
        """The custom headers, to which the transport adds its own (which win over a
        custom header of the same name, case-insensitively)."""
        return httpx.Headers(self._custom_headers)

    async def _exchange(
        self,
        method: str,
        url: httpx.URL,
        *,
        headers: Mapping[str, str],
        http_timeout: httpx.Timeout,
        content: bytes | None = None,
    ) -> Exchange:
        """One request through `open_exchange`, with this transport's client and auth."""
        if self._client is None:
            raise AssertionError("the transport is not open")
        return await open_exchange(
            self._client,
            self.emit,
            method,
            url,
            headers=headers,
            content=content,
            http_timeout=http_timeout,
            auth=self._auth,
        )

    def _description(self, **extra: Any) -> dict[str, Any]:
        return {
            "transport": self.kind,
            "url": display_url(self.url),
            **extra,
            "headers": mask_headers(self._custom_headers),
        }


def post_body_events(
    label: str, status: int, kind: str, body: str, *, expects_response: bool
) -> list[TraceEvent]:
    """What a POST's plain (not SSE) 2xx body says: a JSON-RPC message, read even when
    mislabelled, or why there is none."""
    if not body.strip():
        if not expects_response:
            return []
        # A request must be answered with JSON or SSE; an empty 2xx means the response
        # will not come on this POST (it may come on the GET stream).
        return [
            local_event(
                EventKind.ERROR,
                f"The server answered {label} with HTTP {status} and no body; its response "
                "will not arrive on this POST.",
                status=status,
            )
        ]
    if is_json_media_type(kind):
        return [inbound_frame(body, via="http", http_status=status, content_type=kind)]
    if body.lstrip().startswith(("{", "[")):
        mislabelled = local_event(
            EventKind.ERROR,
            f"The body of HTTP {status} is JSON but labelled {kind or 'without a type'}; "
            "read as a JSON-RPC message.",
            content_type=kind,
        )
        return [
            mislabelled,
            inbound_frame(body, via="http", http_status=status, content_type=kind),
        ]
    return [
        local_event(
            EventKind.ERROR,
            f"Ignored a {kind or 'untyped'} body on HTTP {status}: not a JSON-RPC message.",
            content_type=kind,
            body=preview(body),
        )
    ]


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


def authorization_refusal(
    status: int, headers: httpx.Headers, body: str, *, url: str, method: str
) -> AuthorizationRequired | None:
    """The `AuthorizationRequired` error for a 401, or a 403 whose challenge says
    `insufficient_scope`; None for any other response."""
    challenge = bearer_challenge(headers.get_list("www-authenticate"))
    if status == 401:
        needed = challenge.scope if challenge is not None else None
    elif status == 403 and challenge is not None and challenge.error == "insufficient_scope":
        needed = challenge.scope
    else:
        return None
    return AuthorizationRequired(
        status, body, url=url, method=method, challenge=challenge, needed_scope=needed
    )


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
    """The next URL if this response is a redirect to follow; else None (and say why)."""
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
