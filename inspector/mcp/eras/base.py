"""What every era shares: what the server said about itself, the `Lifecycle` strategy,
and `ClientPort`, the part of the client a lifecycle may use."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from inspector.mcp.client.types import (
    ClientConfig,
    RequestOptions,
    ServerRequestHandler,
)
from inspector.mcp.trace import RequestId, TraceEvent
from inspector.mcp.transports.base import Transport
from inspector.mcp.versions import Era


@dataclass(slots=True)
class ServerInfo:
    """What the server said about itself when the connection was established."""

    requested_version: str
    protocol_version: str
    era: Era
    server_info: dict[str, Any] = field(default_factory=dict)
    capabilities: dict[str, Any] = field(default_factory=dict)
    instructions: str | None = None
    # How the era was settled, in a sentence a person can read ("server/discover
    # answered ...", "fell back to initialize: ..."), and what the server said it speaks.
    era_reason: str = ""
    supported_versions: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return str(self.server_info.get("name", ""))

    @property
    def version_mismatch(self) -> bool:
        return self.protocol_version != self.requested_version

    def describe(self) -> str:
        """One line on what was settled: who, which version (and what was offered)."""
        offered = f" (offered {self.requested_version})" if self.version_mismatch else ""
        who = self.name or "the server"
        return f"{who}: protocol {self.protocol_version}{offered}, {self.era.value} era"

    def to_dict(self) -> dict[str, Any]:
        return {
            "requested_version": self.requested_version,
            "protocol_version": self.protocol_version,
            "era": self.era.value,
            "server_info": self.server_info,
            "capabilities": self.capabilities,
            "instructions": self.instructions,
            "era_reason": self.era_reason,
            "supported_versions": self.supported_versions,
        }


class ClientPort(Protocol):
    """What a lifecycle uses of the client: its settings, its transport, and sending."""

    config: ClientConfig
    protocol_version: str
    transport: Transport
    task_observer: Callable[[dict[str, Any]], None] | None

    @property
    def handlers(self) -> dict[str, ServerRequestHandler]: ...

    def emit(self, event: TraceEvent) -> None: ...

    def connect_time_left(self) -> float: ...

    async def request(
        self, method: str, params: dict[str, Any] | None = ..., options: RequestOptions = ...
    ) -> dict[str, Any]: ...

    async def request_once(
        self,
        method: str,
        params: dict[str, Any] | None = ...,
        options: RequestOptions = ...,
        *,
        detail: dict[str, Any] | None = ...,
    ) -> dict[str, Any]: ...

    def request_event(self, request_id: RequestId) -> TraceEvent: ...

    async def notify(self, method: str, params: dict[str, Any] | None = ...) -> None: ...


class Lifecycle(Protocol):
    @property
    def era(self) -> Era: ...

    async def establish(self, client: ClientPort) -> ServerInfo: ...

    def prepare_params(
        self, client: ClientPort, method: str, params: dict[str, Any] | None
    ) -> dict[str, Any] | None:
        """Decorate a request's params as the era requires."""
        ...

    def request_headers(
        self, client: ClientPort, method: str, params: dict[str, Any] | None
    ) -> dict[str, str]:
        """HTTP headers that mirror a request's body, where the era asks for them."""
        ...

    async def run(
        self,
        client: ClientPort,
        method: str,
        params: dict[str, Any] | None,
        options: RequestOptions,
    ) -> dict[str, Any]:
        """Send a request through to its final result, as the era requires."""
        ...
