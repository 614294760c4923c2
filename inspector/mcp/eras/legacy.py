"""The legacy era (2024-11-05 to 2025-11-25): the `initialize` handshake, then requests
sent as they are."""

from __future__ import annotations

from typing import Any

from inspector.mcp.client.types import RequestOptions
from inspector.mcp.eras.base import ClientPort, ServerInfo
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


class LegacyLifecycle:
    """`initialize`, then `notifications/initialized`, then operation."""

    era = Era.LEGACY

    def __init__(self, version: str | None = None, *, reason: str = "") -> None:
        # The version offered in initialize (default: the client's configured one), and
        # why this era was chosen, when something other than the setting chose it.
        self.version = version
        self.reason = reason
        self._waited = 0.0

    async def establish(self, client: ClientPort) -> ServerInfo:
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
                f"No answer to initialize within {self._waited:.3g} s: the connect timeout "
                f"({client.config.connect_timeout:g} s) ran out.",
            ) from exc
        except TransportClosed as exc:
            layer = FailureLayer.PROCESS if client.transport.kind == "stdio" else FailureLayer.HTTP
            raise ConnectError(layer, f"The connection ended during the handshake: {exc}") from exc

    async def _handshake(self, client: ClientPort) -> ServerInfo:
        config = client.config
        offered = self.version or config.protocol_version
        params = {
            "protocolVersion": offered,
            "capabilities": config.capabilities,
            "clientInfo": config.client_info,
        }
        # initialize must never be cancelled, so a timeout here sends no cancellation.
        # It has what is left of the connect's budget (an era probe may have used some).
        self._waited = client.connect_time_left()
        options = RequestOptions(
            timeout=self._waited,
            max_total=self._waited,
            cancel_on_timeout=False,
            track_progress=False,
        )
        raw = await client.request("initialize", params, options)
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
        self, client: ClientPort, method: str, params: dict[str, Any] | None
    ) -> dict[str, Any] | None:
        return params

    def request_headers(
        self, client: ClientPort, method: str, params: dict[str, Any] | None
    ) -> dict[str, str]:
        return {}

    async def run(
        self,
        client: ClientPort,
        method: str,
        params: dict[str, Any] | None,
        options: RequestOptions,
    ) -> dict[str, Any]:
        return await client.request_once(method, params, options)


def _body_hint(body: str) -> str:
    body = body.strip()
    return f": {body[:300]}" if body else "."
