"""Exceptions of the protocol core. Each says plainly which layer failed and why."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from inspector.mcp.challenge import Challenge


class FailureLayer(StrEnum):
    PROCESS = "process"
    DNS = "dns"
    TCP = "tcp"
    TLS = "tls"
    HTTP = "http"
    PROTOCOL = "protocol"
    TIMEOUT = "timeout"
    # The outbound network policy (hosted mode) refused the address.
    POLICY = "policy"


class McpError(Exception):
    """Base of every error the protocol core raises."""


class ConnectError(McpError):
    """The connection could not be established; `layer` names where it failed."""

    def __init__(self, layer: FailureLayer, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.layer = layer
        self.message = message
        self.status = status

    def __str__(self) -> str:
        return f"{self.layer.value}: {self.message}"


class TransportClosed(McpError):
    """The connection ended: the process exited, a stream broke, or the client closed it."""


class SessionExpired(TransportClosed):
    """The server answered 404 to a request that carried its session id."""


class HttpStatusError(McpError):
    """The server answered an HTTP request with a status the protocol does not allow there."""

    def __init__(self, status: int, body: str, *, url: str, method: str) -> None:
        super().__init__(f"HTTP {status} from {method} {url}")
        self.status = status
        self.body = body
        self.url = url
        self.method = method


class AuthorizationRequired(HttpStatusError):
    """The server refused a request for want of authorization: HTTP 401, or 403 with
    `insufficient_scope`.

    `challenge` is the parsed Bearer challenge of its `WWW-Authenticate` header (None when
    the server sent none); `needed_scope` is the scope the server asked for, if any (the
    scope the server names, for a 403: what a step-up adds to the scope already granted).
    """

    def __init__(
        self,
        status: int,
        body: str,
        *,
        url: str,
        method: str,
        challenge: Challenge | None = None,
        needed_scope: str | None = None,
    ) -> None:
        super().__init__(status, body, url=url, method=method)
        self.challenge = challenge
        self.needed_scope = needed_scope
        what = "insufficient scope" if status == 403 else "authorization required"
        scope = f" (scope {needed_scope!r})" if needed_scope else ""
        self.args = (f"HTTP {status} from {method} {url}: {what}{scope}",)


class AuthError(McpError):
    """A step of the OAuth flow failed; `step` names it and the message says why."""

    def __init__(self, step: str, message: str) -> None:
        super().__init__(f"{step}: {message}")
        self.step = step
        self.message = message


class RequestError(McpError):
    """A request the client sent did not produce a result."""


class JsonRpcError(RequestError):
    """The server answered a request with a JSON-RPC error."""

    def __init__(self, code: int, message: str, data: Any = None) -> None:
        super().__init__(f"JSON-RPC error {code}: {message}")
        self.code = code
        self.message = message
        self.data = data


class TimeoutLimit(StrEnum):
    """Which limit a request ran into; the value is how a person reads it."""

    REQUEST = "request timeout"
    TOTAL = "maximum total time"


class RequestTimeout(RequestError):
    """No response came in time; the client has sent `notifications/cancelled`.

    `limit` says which one was hit: the request timeout (perhaps restarted by progress),
    or the maximum total time, which progress does not extend.
    """

    def __init__(self, message: str, *, limit: TimeoutLimit = TimeoutLimit.REQUEST) -> None:
        super().__init__(message)
        self.limit = limit


class RequestCancelled(RequestError):
    """The request was cancelled by the user or because the session closed."""


class RequestRefused(RequestError):
    """The request was never sent: the person asked to confirm it said no."""
