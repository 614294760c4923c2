"""The client's value types: its configuration, how a request is sent, what the server
asks of the client, and what is in flight."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from inspector.mcp.timeouts import (
    DEFAULT_CONNECT_TIMEOUT,
    DEFAULT_MAX_TOTAL_TIMEOUT,
    DEFAULT_REQUEST_TIMEOUT,
)
from inspector.mcp.trace import RequestId, TraceEvent
from inspector.mcp.versions import DEFAULT_VERSION, EraChoice

CLIENT_INFO = {"name": "inspector", "title": "MCP Inspector", "version": "0.1.0"}


@dataclass(slots=True)
class ClientConfig:
    protocol_version: str = DEFAULT_VERSION
    capabilities: dict[str, Any] = field(default_factory=dict)
    client_info: dict[str, Any] = field(default_factory=lambda: dict(CLIENT_INFO))
    connect_timeout: float = DEFAULT_CONNECT_TIMEOUT
    request_timeout: float = DEFAULT_REQUEST_TIMEOUT
    reset_timeout_on_progress: bool = True
    max_total_timeout: float = DEFAULT_MAX_TOTAL_TIMEOUT
    # Which era to speak: the legacy handshake, the modern stateless protocol, or
    # whichever the server speaks (probed on connect).
    era: EraChoice = EraChoice.LEGACY
    # Modern era: the log level asked for on every request (`_meta`), which replaces
    # `logging/setLevel`; None asks for no log messages.
    log_level: str | None = None
    # Whether every message is checked against the negotiated version (findings on its
    # event); off only to measure what checking costs.
    judge: bool = True


@dataclass(frozen=True, slots=True)
class RequestOptions:
    """How a request is sent and waited for.

    `timeout` (None: the configured request timeout) restarts on each progress
    notification when so configured; `max_total` (None: the configured maximum) bounds
    the whole wait regardless. `cancel_on_timeout` tells the server when the client gives
    up; `track_progress` asks for progress notifications (a progress token in `_meta`).
    `on_started` learns each request's id before it is sent, so that the caller can
    cancel it while waiting. `detail` is added to each request's trace event (what the
    caller knows of it that the wire does not say: a request composed by hand).
    """

    timeout: float | None = None
    max_total: float | None = None
    cancel_on_timeout: bool = True
    track_progress: bool = True
    on_started: Callable[[RequestId], None] | None = None
    detail: Mapping[str, Any] | None = None


DEFAULT_REQUEST_OPTIONS = RequestOptions()


@dataclass(slots=True)
class ServerRequest:
    """A request the server sent to the client, handed to a handler."""

    id: RequestId
    method: str
    params: dict[str, Any]
    event: TraceEvent


ServerRequestHandler = Callable[[ServerRequest], Awaitable[dict[str, Any]]]


@dataclass(frozen=True, slots=True)
class InFlight:
    """A request still awaiting its response, as it stands now."""

    id: RequestId
    method: str
    params: dict[str, Any]
    started_at: float
    elapsed: float
    progress_token: Any
    progress: float | None
    total: float | None
    progress_message: str
    progress_updates: int
