"""Which lifecycle a connection gets, and the dual-era client that detects a server's era:
probe as a modern client, fall back to `initialize` if the server is a legacy one."""

from __future__ import annotations

from typing import Any

from inspector.mcp.client.types import RequestOptions
from inspector.mcp.eras.base import ClientPort, Lifecycle, ServerInfo
from inspector.mcp.eras.legacy import LegacyLifecycle
from inspector.mcp.eras.modern import FallBack, ModernLifecycle
from inspector.mcp.trace import EventKind, local_event
from inspector.mcp.versions import Era, EraChoice, legacy_version_for


class AutoLifecycle:
    """A dual-era client: probe as a modern one, fall back to `initialize` if need be."""

    def __init__(self) -> None:
        self.active: ModernLifecycle | LegacyLifecycle = ModernLifecycle(probing=True)

    @property
    def era(self) -> Era:
        return self.active.era

    async def establish(self, client: ClientPort) -> ServerInfo:
        probe = self.active
        assert isinstance(probe, ModernLifecycle)
        try:
            info = await probe.establish(client)
        except FallBack as exc:
            version = exc.version or legacy_version_for(client.config.protocol_version)
            client.emit(
                local_event(EventKind.LIFECYCLE, f"Era detection: {exc.reason}", era="legacy")
            )
            self.active = LegacyLifecycle(version, reason=f"Auto-detected legacy: {exc.reason}")
            client.protocol_version = version
            return await self.active.establish(client)
        probe.probing = False
        info.era_reason = f"Auto-detected modern: {info.era_reason}"
        return info

    def prepare_params(
        self, client: ClientPort, method: str, params: dict[str, Any] | None
    ) -> dict[str, Any] | None:
        return self.active.prepare_params(client, method, params)

    def request_headers(
        self, client: ClientPort, method: str, params: dict[str, Any] | None
    ) -> dict[str, str]:
        return self.active.request_headers(client, method, params)

    async def run(
        self,
        client: ClientPort,
        method: str,
        params: dict[str, Any] | None,
        options: RequestOptions,
    ) -> dict[str, Any]:
        return await self.active.run(client, method, params, options)

    @property
    def modern(self) -> ModernLifecycle | None:
        return self.active if isinstance(self.active, ModernLifecycle) else None


def lifecycle_for(choice: EraChoice, transport_kind: str = "") -> Lifecycle:
    if choice is EraChoice.MODERN:
        return ModernLifecycle()
    if choice is EraChoice.AUTO and transport_kind == "sse":
        return LegacyLifecycle(reason="HTTP+SSE is a legacy-era transport.")
    if choice is EraChoice.AUTO:
        return AutoLifecycle()
    return LegacyLifecycle()


def modern_state(lifecycle: Lifecycle) -> ModernLifecycle | None:
    """The modern lifecycle in effect, if the connection speaks the modern era."""
    if isinstance(lifecycle, ModernLifecycle):
        return lifecycle
    if isinstance(lifecycle, AutoLifecycle):
        return lifecycle.modern
    return None
