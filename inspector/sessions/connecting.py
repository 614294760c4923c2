"""Connecting a session: the era and transport fallbacks that "auto" allows.

A legacy stdio server that exits on the modern probe is started again for `initialize`;
a URL whose Streamable HTTP endpoint refuses `initialize` with 400, 404 or 405 is tried
as a legacy HTTP+SSE endpoint.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from inspector.mcp.client.client import McpClient
from inspector.mcp.eras.base import Lifecycle, ServerInfo
from inspector.mcp.eras.legacy import LegacyLifecycle
from inspector.mcp.eras.modern import ProbeEndedProcess
from inspector.mcp.errors import ConnectError, FailureLayer, RequestCancelled
from inspector.mcp.trace import EventKind, TraceEvent, local_event
from inspector.mcp.transports.base import Transport
from inspector.mcp.versions import EraChoice, legacy_version_for
from inspector.sessions.authorization import SessionAuthorization, describe_refusal, refusal_behind
from inspector.sessions.spec import ConnectionSpec, TransportKind
from inspector.sessions.status import SessionStatus

logger = logging.getLogger(__name__)
SSE_FALLBACK_STATUSES = (400, 404, 405)


@dataclass(slots=True)
class ConnectOutcome:
    """How an attempt to connect ended: the status it leaves, said in `text`, with the
    server that answered or the failure."""

    status: SessionStatus
    text: str
    server: ServerInfo | None = None
    error: ConnectError | None = None
    detail: dict[str, Any] = field(default_factory=dict)


class Connecting:
    """One attempt to connect a session, with the fallbacks its settings allow."""

    def __init__(
        self,
        session_id: str,
        spec: ConnectionSpec,
        *,
        new_client: Callable[[Transport, Lifecycle | None], McpClient],
        close_client: Callable[[], Awaitable[None]],
        auth: SessionAuthorization,
        record: Callable[[TraceEvent], None],
    ) -> None:
        """`new_client` makes the session's client over a transport (the session holds
        it, so that disconnecting aborts a handshake); `close_client` closes it."""
        self._session_id = session_id
        self._spec = spec
        self._new_client = new_client
        self._close_client = close_client
        self._auth = auth
        self._record = record
        self._deadline: float | None = None

    async def attempt(self) -> ConnectOutcome:
        """Connect; whatever happens ends in a definite status."""
        try:
            server = await self.open()
        except ConnectError as exc:
            return ConnectOutcome(
                SessionStatus.FAILED,
                f"Could not connect: {exc}",
                error=exc,
                detail={"layer": exc.layer.value},
            )
        except RequestCancelled:
            return ConnectOutcome(SessionStatus.CLOSED, "Disconnected by the user while connecting")
        except Exception as exc:  # a bug must show as a failure, not vanish in a task
            logger.exception("Unexpected failure connecting session %s", self._session_id)
            error = ConnectError(FailureLayer.PROTOCOL, f"Unexpected error: {exc!r}")
            return ConnectOutcome(SessionStatus.FAILED, f"Could not connect: {error}", error=error)
        return ConnectOutcome(
            SessionStatus.CONNECTED,
            f"Connected to {server.describe()}",
            server=server,
            detail={
                "protocol_version": server.protocol_version,
                "requested_version": server.requested_version,
                "era": server.era.value,
                "era_reason": server.era_reason,
            },
        )

    async def open(self) -> ServerInfo:
        """The connected server. A failure for want of authorization is noted (for a
        flow to answer) and said as what the server asked for."""
        # One budget for the whole connect: a fallback gets what the first try left.
        self._deadline = asyncio.get_running_loop().time() + self._spec.connect_timeout
        try:
            return await self._open(self._spec.build_transport(self._auth.provider(self._spec)))
        except ConnectError as exc:
            refusal = refusal_behind(exc)
            if refusal is None:
                raise
            self._auth.note_refusal(refusal)
            raise ConnectError(exc.layer, describe_refusal(refusal), status=refusal.status) from exc

    async def _open(self, transport: Transport, lifecycle: Lifecycle | None = None) -> ServerInfo:
        """A client over `transport`, connected; falls back where auto may."""
        client = self._new_client(transport, lifecycle)
        try:
            return await client.connect(deadline=self._deadline)
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
            self._spec.build_transport(self._auth.provider(self._spec)),
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
            auth=self._auth.provider(self._spec),
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
