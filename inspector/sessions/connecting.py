"""Connecting a session: the era and transport fallbacks that "auto" allows.

A legacy stdio server that exits on the modern probe is started again for `initialize`;
a URL whose Streamable HTTP endpoint refuses `initialize` with 400, 404 or 405 is tried
as a legacy HTTP+SSE endpoint.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from inspector.mcp.client import McpClient
from inspector.mcp.errors import ConnectError, FailureLayer
from inspector.mcp.lifecycle import LegacyLifecycle, Lifecycle, ServerInfo
from inspector.mcp.modern import ProbeEndedProcess
from inspector.mcp.trace import EventKind, TraceEvent, local_event
from inspector.mcp.transports.base import Transport
from inspector.mcp.versions import EraChoice, legacy_version_for
from inspector.sessions.spec import ConnectionSpec, TransportKind

if TYPE_CHECKING:
    from inspector.mcp.auth.provider import OAuthProvider

SSE_FALLBACK_STATUSES = (400, 404, 405)


class Connecting:
    """One attempt to connect a session, with the fallbacks its settings allow."""

    def __init__(
        self,
        spec: ConnectionSpec,
        *,
        new_client: Callable[[Transport, Lifecycle | None], McpClient],
        close_client: Callable[[], Awaitable[None]],
        auth_provider: Callable[[], OAuthProvider | None],
        record: Callable[[TraceEvent], None],
    ) -> None:
        """`new_client` makes the session's client over a transport (the session holds
        it, so that disconnecting aborts a handshake); `close_client` closes it."""
        self._spec = spec
        self._new_client = new_client
        self._close_client = close_client
        self._auth_provider = auth_provider
        self._record = record

    async def open(self) -> ServerInfo:
        return await self._open(self._spec.build_transport(self._auth_provider()))

    async def _open(self, transport: Transport, lifecycle: Lifecycle | None = None) -> ServerInfo:
        """A client over `transport`, connected; falls back where auto may."""
        client = self._new_client(transport, lifecycle)
        try:
            return await client.connect()
        except ProbeEndedProcess as exc:
            if lifecycle is not None:
                raise
            return await self._restart_legacy(exc)
        except ConnectError as exc:
            if lifecycle is not None or not self._may_fall_back_to_sse(exc):
                raise
            return await self._open_legacy_sse(exc)

    def _may_fall_back_to_sse(self, error: ConnectError) -> bool:
        """The spec's signal that a URL serves the old HTTP+SSE transport: initialize was
        refused with 400, 404 or 405 (auto mode only: otherwise the person chose)."""
        return (
            self._spec.era is EraChoice.AUTO
            and self._spec.transport is TransportKind.HTTP
            and error.layer is FailureLayer.HTTP
            and error.status in SSE_FALLBACK_STATUSES
        )

    async def _restart_legacy(self, probe: ProbeEndedProcess) -> ServerInfo:
        """A legacy stdio server that exited on the probe, started again for initialize."""
        self._record(
            local_event(EventKind.LIFECYCLE, f"Era detection: {probe.reason}", era="legacy")
        )
        await self._close_client()
        reason = f"Auto-detected legacy: {probe.reason} Restarted for initialize."
        version = legacy_version_for(self._spec.protocol_version)
        return await self._open(
            self._spec.build_transport(self._auth_provider()),
            LegacyLifecycle(version, reason=reason),
        )

    async def _open_legacy_sse(self, error: ConnectError) -> ServerInfo:
        # Imported here: only this fallback needs the legacy transport.
        from inspector.mcp.transports.sse_legacy import LegacySseTransport

        reason = (
            f"Streamable HTTP refused initialize with HTTP {error.status}, so the URL was "
            "tried as a legacy HTTP+SSE endpoint"
        )
        self._record(local_event(EventKind.LIFECYCLE, f"{reason}.", era="legacy"))
        await self._close_client()
        transport = LegacySseTransport(
            self._spec.url,
            headers=self._spec.sent_headers(),
            timeout=self._spec.connect_timeout,
            auth=self._auth_provider(),
        )
        try:
            server = await self._open(transport, LegacyLifecycle(reason=f"{reason}."))
        except ConnectError as sse_error:
            raise ConnectError(
                error.layer,
                f"{error.message} (the HTTP+SSE fallback failed too: {sse_error})",
                status=error.status,
            ) from sse_error
        server.era_reason = f"Auto-detected legacy HTTP+SSE: {reason}; {server.era_reason}"
        return server
