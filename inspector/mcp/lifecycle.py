"""How a connection is established and ended: a strategy of the client.

The legacy era (2024-11-05 to 2025-11-25) opens with the `initialize` handshake; the
modern, stateless era has none and decorates every request instead. The client's
skeleton (pairing, timeouts, dispatch) is the same for both.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from inspector.mcp.errors import (
    ConnectError,
    FailureLayer,
    HttpStatusError,
    JsonRpcError,
    RequestTimeout,
    TransportClosed,
)
from inspector.mcp.models import InitializeResult
from inspector.mcp.versions import Era, is_known

if TYPE_CHECKING:
    from inspector.mcp.client import McpClient, RequestOptions


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


class Lifecycle(Protocol):
    @property
    def era(self) -> Era: ...

    async def establish(self, client: McpClient) -> ServerInfo: ...

    def prepare_params(
        self, client: McpClient, method: str, params: dict[str, Any] | None
    ) -> dict[str, Any] | None:
        """Decorate a request's params as the era requires."""
        ...

    def request_headers(
        self, client: McpClient, method: str, params: dict[str, Any] | None
    ) -> dict[str, str]:
        """HTTP headers that mirror a request's body, where the era asks for them."""
        ...

    async def run(
        self,
        client: McpClient,
        method: str,
        params: dict[str, Any] | None,
        options: RequestOptions,
    ) -> dict[str, Any]:
        """Send a request through to its final result, as the era requires."""
        ...


class LegacyLifecycle:
    """`initialize`, then `notifications/initialized`, then operation."""

    era = Era.LEGACY

    def __init__(self, version: str | None = None, *, reason: str = "") -> None:
        # The version offered in initialize (default: the client's configured one), and
        # why this era was chosen, when something other than the setting chose it.
        self.version = version
        self.reason = reason

    async def establish(self, client: McpClient) -> ServerInfo:
        """Run the handshake; every failure becomes a `ConnectError` naming its layer."""
        try:
            return await self._handshake(client)
        except JsonRpcError as exc:
            raise ConnectError(
                FailureLayer.PROTOCOL, f"The server refused initialize: {exc.code} {exc.message}"
            ) from exc
        except HttpStatusError as exc:
            raise ConnectError(
                FailureLayer.HTTP,
                f"The server answered {exc.method} with HTTP {exc.status}{_body_hint(exc.body)}",
                status=exc.status,
            ) from exc
        except RequestTimeout as exc:
            raise ConnectError(
                FailureLayer.TIMEOUT,
                f"No answer to initialize within {client.config.connect_timeout:g} s.",
            ) from exc
        except TransportClosed as exc:
            layer = FailureLayer.PROCESS if client.transport.kind == "stdio" else FailureLayer.HTTP
            raise ConnectError(layer, f"The connection ended during the handshake: {exc}") from exc

    async def _handshake(self, client: McpClient) -> ServerInfo:
        config = client.config
        offered = self.version or config.protocol_version
        params = {
            "protocolVersion": offered,
            "capabilities": config.capabilities,
            "clientInfo": config.client_info,
        }
        # initialize must never be cancelled, so a timeout here sends no cancellation.
        raw = await client.request(
            "initialize",
            params,
            timeout=config.connect_timeout,
            max_total=config.connect_timeout,
            cancel_on_timeout=False,
            track_progress=False,
        )
        try:
            result = InitializeResult.model_validate(raw)
        except ValueError as exc:
            raise ConnectError(
                FailureLayer.PROTOCOL, f"The initialize result is malformed: {exc}"
            ) from exc
        negotiated = result.protocol_version
        if not is_known(negotiated):
            raise ConnectError(
                FailureLayer.PROTOCOL,
                f"The server answered with protocol version {negotiated!r}, which this "
                f"client does not know (it offered {offered}).",
            )
        client.protocol_version = negotiated
        # The transport learns the version first: from 2025-06-18 on, every HTTP request
        # after initialize (the initialized notification included) carries it.
        await client.transport.negotiated(negotiated)
        await client.notify("notifications/initialized")
        return ServerInfo(
            requested_version=offered,
            protocol_version=negotiated,
            era=Era.LEGACY,
            server_info=result.server_info.model_dump(by_alias=True, exclude_none=True),
            capabilities=result.capabilities,
            instructions=result.instructions,
            era_reason=self.reason
            or f"Legacy era as configured: initialize negotiated {negotiated}.",
        )

    def prepare_params(
        self, client: McpClient, method: str, params: dict[str, Any] | None
    ) -> dict[str, Any] | None:
        return params

    def request_headers(
        self, client: McpClient, method: str, params: dict[str, Any] | None
    ) -> dict[str, str]:
        return {}

    async def run(
        self,
        client: McpClient,
        method: str,
        params: dict[str, Any] | None,
        options: RequestOptions,
    ) -> dict[str, Any]:
        return await client.request_once(method, params, **options)


def _body_hint(body: str) -> str:
    body = body.strip()
    return f": {body[:300]}" if body else "."
