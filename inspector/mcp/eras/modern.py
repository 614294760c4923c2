"""The modern, stateless era (2026-07-28): discovery, versions, per-request metadata.

There is no handshake: every request carries the protocol version, the client's identity
and its capabilities in `_meta`, and the server accepts or rejects each request on its
own. `server/discover` (which every modern server implements) tells who the server is
and which versions it speaks; on stdio it is also the probe that tells a modern server
from a legacy one. Each request is carried to its result by the multi round-trip engine
(`rounds`).
"""

from __future__ import annotations

from typing import Any

from inspector.mcp import jsonrpc
from inspector.mcp.client.types import RequestOptions
from inspector.mcp.eras.base import ClientPort, ServerInfo
from inspector.mcp.eras.modern_errors import (
    MODERN_ERROR_CODES,
    jsonrpc_error,
    modern_error,
    supported_versions,
)
from inspector.mcp.eras.param_headers import ParamHeader, param_headers, standard_headers
from inspector.mcp.eras.rounds import RoundTrips
from inspector.mcp.eras.tasks import offers_tasks, with_tasks_extension
from inspector.mcp.errors import (
    ConnectError,
    FailureLayer,
    HttpStatusError,
    JsonRpcError,
    RequestTimeout,
    TransportClosed,
)
from inspector.mcp.trace import EventKind, local_event
from inspector.mcp.versions import (
    MODERN_VERSIONS,
    PROTOCOL_VERSION_HEADER,
    Era,
    era_of,
    is_known,
    modern_version_for,
)

PROTOCOL_VERSION_KEY = "io.modelcontextprotocol/protocolVersion"
CLIENT_INFO_KEY = "io.modelcontextprotocol/clientInfo"
CLIENT_CAPABILITIES_KEY = "io.modelcontextprotocol/clientCapabilities"
LOG_LEVEL_KEY = "io.modelcontextprotocol/logLevel"
SERVER_INFO_KEY = "io.modelcontextprotocol/serverInfo"
SUBSCRIPTION_ID_KEY = "io.modelcontextprotocol/subscriptionId"
# How long a dual-era client waits for the answer to its probe before it concludes
# that the server is a legacy one that ignores what it does not understand.
PROBE_TIMEOUT_SECONDS = 10.0


class ProbeEndedProcess(ConnectError):
    """The stdio server exited on the probe: a legacy server, to be restarted for
    `initialize` (the lifecycle cannot reuse a dead process)."""

    def __init__(self, reason: str) -> None:
        super().__init__(FailureLayer.PROCESS, reason)
        self.reason = reason


class FallBack(Exception):
    """The probe found no modern server; `reason` says what it found instead."""

    def __init__(self, reason: str, *, version: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.version = version


def choose_modern_version(supported: list[str], preferred: str) -> str | None:
    """The preferred version if the server speaks it, else the newest modern one both do."""
    if preferred in supported:
        return preferred
    common = [version for version in MODERN_VERSIONS if version in supported]
    return common[-1] if common else None


def _choose_legacy_version(supported: list[str]) -> str | None:
    legacy = sorted(v for v in supported if is_known(v) and era_of(v) is Era.LEGACY)
    return legacy[-1] if legacy else None


class ModernLifecycle:
    """Per-request metadata, `server/discover`, multi round-trip results."""

    era = Era.MODERN

    def __init__(self, version: str | None = None, *, probing: bool = False) -> None:
        self.version = version
        # Probing (auto mode): a server that does not answer as a modern one is legacy,
        # which `establish` reports by raising `FallBack` rather than failing.
        self.probing = probing
        self.renegotiated_from: str | None = None
        # Tools whose `x-mcp-header` designations are mirrored into headers, and tools
        # excluded for invalid ones (HTTP only), with the reason.
        self.tool_headers: dict[str, list[ParamHeader]] = {}
        # What the server declared in server/discover (the tasks extension, for one).
        self.server_capabilities: dict[str, Any] = {}
        self.excluded_tools: dict[str, str] = {}
        self._rounds = RoundTrips(self)

    # -- establishing ----------------------------------------------------------------

    async def establish(self, client: ClientPort) -> ServerInfo:
        config = client.config
        if client.transport.kind == "sse":
            raise ConnectError(
                FailureLayer.PROTOCOL,
                "The modern era (2026-07-28) is not defined over the deprecated HTTP+SSE "
                "transport: choose Streamable HTTP, or the legacy era.",
            )
        self.version = self.version or modern_version_for(config.protocol_version)
        requested = self.version
        client.protocol_version = requested
        left = client.connect_time_left()
        # The probe leaves half of the connect's budget to the initialize of a fallback.
        limit = min(left / 2, PROBE_TIMEOUT_SECONDS) if self.probing else left
        try:
            result = await self._discover(client, limit)
        except FallBack:
            raise
        except (JsonRpcError, HttpStatusError) as exc:
            note = self._discover_failed(exc)
            result = None
        except RequestTimeout as exc:
            if self.probing:
                raise FallBack(
                    f"No answer to server/discover within {limit:.3g} s (half of the "
                    f"connect timeout at most): a legacy server."
                ) from exc
            raise ConnectError(
                FailureLayer.TIMEOUT,
                f"No answer to server/discover within {limit:.3g} s: the connect timeout "
                f"({config.connect_timeout:g} s) ran out.",
            ) from exc
        except TransportClosed as exc:
            if self.probing and client.transport.kind == "stdio":
                # stdio.mdx: no response means a legacy server; this one exited on the
                # unknown method, so only a fresh process can be spoken to.
                raise ProbeEndedProcess(
                    f"The server process ended on server/discover ({exc}): a legacy server."
                ) from exc
            layer = FailureLayer.PROCESS if client.transport.kind == "stdio" else FailureLayer.HTTP
            raise ConnectError(
                layer, f"The connection ended during server/discover: {exc}"
            ) from exc
        else:
            note = ""
            assert result is not None
            self._settle_version(client, result)
        await client.transport.negotiated(self.version)
        return self._server_info(requested, result, note)

    def _discover_failed(self, exc: JsonRpcError | HttpStatusError) -> str:
        """Why server/discover failed, as a note, when the version stays usable; otherwise
        raise `FallBack` (a legacy server, while probing) or `ConnectError`."""
        # Decided on the error as delivered: over HTTP, 404 with -32601 is a modern answer.
        modern = modern_error(exc)
        error = modern or jsonrpc_error(exc)
        if isinstance(exc, HttpStatusError) and modern is None:
            legacy_signal = 400 <= exc.status < 500 and exc.status not in (401, 403)
            if self.probing and legacy_signal and not self.renegotiated_from:
                raise FallBack(
                    f"server/discover was answered with HTTP {exc.status} and no recognised "
                    f"modern error{_body_hint(exc.body)} A legacy server."
                ) from exc
            raise ConnectError(
                FailureLayer.HTTP,
                f"The server answered server/discover with HTTP {exc.status}{_body_hint(exc.body)}",
                status=exc.status,
            ) from exc
        assert error is not None
        if self.probing and modern is None and not self.renegotiated_from:
            raise FallBack(
                f"server/discover was answered with error {error.code} ({error.message}), "
                "which is not a modern error: a legacy server."
            ) from exc
        if self.renegotiated_from or error.code in MODERN_ERROR_CODES:
            # The server refused the version (again) or the request itself: every later
            # request would be refused the same way.
            listed = ", ".join(supported_versions(error)) or "none listed"
            tried = (
                f"{self.renegotiated_from}, then {self.version}"
                if self.renegotiated_from
                else str(self.version)
            )
            raise ConnectError(
                FailureLayer.PROTOCOL,
                f"The server refused server/discover with {error.code} ({error.message}) "
                f"for protocol {tried} (it supports: {listed}).",
            ) from exc
        return (
            f"server/discover failed ({error.code} {error.message}); the server is not described."
        )

    def _settle_version(self, client: ClientPort, result: dict[str, Any]) -> None:
        """Check the discover result's `supportedVersions` and pick one both sides speak."""
        listed = result.get("supportedVersions")
        if not isinstance(listed, list) or not all(isinstance(v, str) for v in listed):
            problem = (
                f"server/discover answered without a list of supportedVersions "
                f"(supportedVersions: {listed!r})"
            )
            if self.probing:
                raise FallBack(f"{problem}: not a modern server.")
            raise ConnectError(FailureLayer.PROTOCOL, f"{problem}.")
        assert self.version is not None
        chosen = choose_modern_version(listed, self.version)
        if chosen is None:
            legacy = _choose_legacy_version(listed)
            shown = ", ".join(listed) or "none"
            if self.probing:
                raise FallBack(
                    f"server/discover lists no modern version this client speaks ({shown}): "
                    "falling back to initialize.",
                    version=legacy,
                )
            raise ConnectError(
                FailureLayer.PROTOCOL,
                f"The server lists no modern version this client speaks (it supports: {shown}).",
            )
        if chosen != self.version:
            self._switch(client, chosen, listed)

    async def _discover(self, client: ClientPort, limit: float) -> dict[str, Any]:
        options = RequestOptions(
            timeout=limit, max_total=limit, cancel_on_timeout=False, track_progress=False
        )
        try:
            return await client.request_once("server/discover", {}, options)
        except (JsonRpcError, HttpStatusError) as exc:
            error = modern_error(exc)
            if error is None or error.code != jsonrpc.UNSUPPORTED_PROTOCOL_VERSION:
                raise
            self.renegotiate(client, error)
            return await client.request_once("server/discover", {}, options)

    def renegotiate(self, client: ClientPort, error: JsonRpcError) -> None:
        """Switch to a version from an UnsupportedProtocolVersion error's list, or give up."""
        supported = supported_versions(error)
        assert self.version is not None
        chosen = choose_modern_version(supported, self.version)
        if chosen is None:
            legacy = _choose_legacy_version(supported)
            listed = ", ".join(supported) or "none"
            if legacy is not None and self.probing:
                raise FallBack(
                    f"The server speaks only legacy versions ({listed}): falling back to "
                    f"initialize with {legacy}.",
                    version=legacy,
                )
            raise ConnectError(
                FailureLayer.PROTOCOL,
                f"The server does not support protocol {self.version} and lists no modern "
                f"version this client speaks (it supports: {listed}).",
            )
        self._switch(client, chosen, supported)

    def _switch(self, client: ClientPort, chosen: str, supported: list[str]) -> None:
        client.emit(
            local_event(
                EventKind.LIFECYCLE,
                f"The server does not support protocol {self.version}; using {chosen} "
                f"(it supports {', '.join(supported)}).",
                requested_version=self.version,
                protocol_version=chosen,
                supported_versions=supported,
            )
        )
        self.renegotiated_from = self.renegotiated_from or self.version
        self.version = chosen
        client.protocol_version = chosen

    def _server_info(self, requested: str, result: dict[str, Any] | None, note: str) -> ServerInfo:
        assert self.version is not None
        result = result or {}
        meta = result.get("_meta")
        server_info = meta.get(SERVER_INFO_KEY) if isinstance(meta, dict) else None
        if not isinstance(server_info, dict):
            # Some servers put it beside the capabilities, as initialize did.
            server_info = result.get("serverInfo")
        listed = result.get("supportedVersions")
        supported = [v for v in listed if isinstance(v, str)] if isinstance(listed, list) else []
        capabilities = result.get("capabilities")
        instructions = result.get("instructions")
        self.server_capabilities = capabilities if isinstance(capabilities, dict) else {}
        if note:
            reason = note
        elif self.renegotiated_from:
            reason = (
                f"server/discover answered after renegotiating from {self.renegotiated_from} "
                f"to {self.version}."
            )
        else:
            offered = ", ".join(supported) if supported else "no versions listed"
            reason = f"server/discover answered: a modern server ({offered})."
        return ServerInfo(
            requested_version=requested,
            protocol_version=self.version,
            era=Era.MODERN,
            server_info=server_info if isinstance(server_info, dict) else {},
            capabilities=capabilities if isinstance(capabilities, dict) else {},
            instructions=instructions if isinstance(instructions, str) else None,
            era_reason=reason,
            supported_versions=supported,
        )

    # -- every request ---------------------------------------------------------------

    def prepare_params(
        self, client: ClientPort, method: str, params: dict[str, Any] | None
    ) -> dict[str, Any] | None:
        params = dict(params or {})
        meta = dict(params.get("_meta") or {})
        # Values the caller set on purpose (a test of the server) are kept.
        meta.setdefault(PROTOCOL_VERSION_KEY, self.version or client.protocol_version)
        meta.setdefault(CLIENT_INFO_KEY, client.config.client_info)
        capabilities = client.config.capabilities
        roots = capabilities.get("roots")
        if isinstance(roots, dict) and "listChanged" in roots:
            # Declared for a legacy version (auto mode starts from one): this era asks
            # for roots within each request, so there is no list to watch.
            watched = {key: value for key, value in roots.items() if key != "listChanged"}
            capabilities = {**capabilities, "roots": watched}
        if offers_tasks(self.server_capabilities):
            # Declared only to a server that offers it: the client follows such tasks.
            capabilities = with_tasks_extension(capabilities)
        meta.setdefault(CLIENT_CAPABILITIES_KEY, capabilities)
        if client.config.log_level:
            meta.setdefault(LOG_LEVEL_KEY, client.config.log_level)
        params["_meta"] = meta
        return params

    def request_headers(
        self, client: ClientPort, method: str, params: dict[str, Any] | None
    ) -> dict[str, str]:
        meta = (params or {}).get("_meta")
        version = meta.get(PROTOCOL_VERSION_KEY) if isinstance(meta, dict) else None
        headers = {PROTOCOL_VERSION_HEADER: str(version or self.version)}
        headers.update(standard_headers(method, params))
        if method == "tools/call" and params is not None:
            designated = self.tool_headers.get(str(params.get("name")))
            if designated:
                headers.update(param_headers(designated, params.get("arguments")))
        return headers

    async def run(
        self,
        client: ClientPort,
        method: str,
        params: dict[str, Any] | None,
        options: RequestOptions,
    ) -> dict[str, Any]:
        """Send a request through to its complete result (see `rounds`)."""
        return await self._rounds.run(client, method, params, options)


def _body_hint(body: str) -> str:
    body = body.strip()
    return f": {body[:300]}." if body else "."
