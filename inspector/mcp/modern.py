"""The modern, stateless era (2026-07-28), and the detection of a server's era.

There is no handshake: every request carries the protocol version, the client's identity
and its capabilities in `_meta`, and the server accepts or rejects each request on its
own. `server/discover` (which every modern server implements) tells who the server is
and which versions it speaks; on stdio it is also the probe that tells a modern server
from a legacy one. A result may ask for input (`resultType: input_required`): the client
answers the embedded requests with the same handlers that answer a legacy server's own
requests, and retries with the answers and the server's opaque state.
"""

from __future__ import annotations

import asyncio
import functools
import json
from typing import TYPE_CHECKING, Any

from inspector.mcp.errors import (
    ConnectError,
    FailureLayer,
    HttpStatusError,
    JsonRpcError,
    McpError,
    RequestError,
    RequestRefused,
    RequestTimeout,
    TimeoutLimit,
    TransportClosed,
)
from inspector.mcp.lifecycle import LegacyLifecycle, Lifecycle, ServerInfo
from inspector.mcp.request_headers import (
    InvalidToolHeaders,
    ParamHeader,
    UnmirrorableArgument,
    param_headers,
    standard_headers,
    tool_param_headers,
)
from inspector.mcp.task_extension import (
    INPUT_METHODS,
    TASK_RESULT,
    answer_all,
    follow_task,
    offers_tasks,
    with_tasks_extension,
)
from inspector.mcp.trace import Direction, EventKind, MessageType, TraceEvent, local_event
from inspector.mcp.versions import (
    MODERN_VERSIONS,
    Era,
    EraChoice,
    era_of,
    is_known,
    legacy_version_for,
    modern_version_for,
)

if TYPE_CHECKING:
    from inspector.mcp.client import McpClient, RequestOptions

PROTOCOL_VERSION_KEY = "io.modelcontextprotocol/protocolVersion"
CLIENT_INFO_KEY = "io.modelcontextprotocol/clientInfo"
CLIENT_CAPABILITIES_KEY = "io.modelcontextprotocol/clientCapabilities"
LOG_LEVEL_KEY = "io.modelcontextprotocol/logLevel"
SERVER_INFO_KEY = "io.modelcontextprotocol/serverInfo"
SUBSCRIPTION_ID_KEY = "io.modelcontextprotocol/subscriptionId"
PROTOCOL_VERSION_HEADER = "MCP-Protocol-Version"

HEADER_MISMATCH = -32020
MISSING_REQUIRED_CLIENT_CAPABILITY = -32021
UNSUPPORTED_PROTOCOL_VERSION = -32022
METHOD_NOT_FOUND = -32601
# The errors only a modern server sends: any of them means the server is modern.
MODERN_ERROR_CODES = frozenset(
    {HEADER_MISMATCH, MISSING_REQUIRED_CLIENT_CAPABILITY, UNSUPPORTED_PROTOCOL_VERSION}
)
INPUT_REQUIRED = "input_required"
# mrtr.mdx: servers MUST NOT answer any other request with an input_required result.
INPUT_REQUIRED_METHODS = frozenset({"tools/call", "prompts/get", "resources/read"})
# Methods this revision removed, with what replaced them: refused before anything is sent.
REMOVED_METHODS = {
    "ping": "the modern era has no ping",
    "logging/setLevel": "the log level is asked for in each request's _meta instead",
    "resources/subscribe": "subscriptions/listen replaced it",
    "resources/unsubscribe": "subscriptions/listen replaced it",
}
# Pages of tools/list read to find a tool whose header designations changed.
MAX_REFRESH_PAGES = 100
# A server may ask again and again; past this many rounds the call is given up.
MAX_INPUT_ROUNDS = 16
# How long a dual-era client waits for the answer to its probe before it concludes
# that the server is a legacy one that ignores what it does not understand.
PROBE_TIMEOUT_SECONDS = 10.0
# The keys of the detail that ties every round of a multi round-trip request (requests,
# responses, embedded input requests and their answers) to the request that started it.
ORIGIN_DETAIL = "mrtr_origin_seq"
ROUND_DETAIL = "mrtr_round"


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


def modern_error(error: McpError) -> JsonRpcError | None:
    """The JSON-RPC error in a failure, if it is one only a modern server would send.

    Over HTTP a modern server answers such errors with 400 (or 404 with -32601 for an
    unknown method, which a legacy 404 never carries); the body tells them apart.
    """
    found = jsonrpc_error(error)
    if found is None:
        return None
    if found.code in MODERN_ERROR_CODES:
        return found
    if (
        isinstance(error, HttpStatusError)
        and error.status == 404
        and found.code == METHOD_NOT_FOUND
    ):
        return found
    return None


def jsonrpc_error(error: McpError) -> JsonRpcError | None:
    """A JSON-RPC error, whether delivered as a response or as the body of an HTTP error."""
    if isinstance(error, JsonRpcError):
        return error
    if not isinstance(error, HttpStatusError):
        return None
    try:
        body = json.loads(error.body)
    except ValueError:
        return None
    payload = body.get("error") if isinstance(body, dict) else None
    code = payload.get("code") if isinstance(payload, dict) else None
    if not isinstance(code, int) or isinstance(code, bool):
        return None
    assert isinstance(payload, dict)
    return JsonRpcError(code, str(payload.get("message", "")), payload.get("data"))


def supported_versions(error: JsonRpcError) -> list[str]:
    data = error.data if isinstance(error.data, dict) else {}
    listed = data.get("supported")
    return [v for v in listed if isinstance(v, str)] if isinstance(listed, list) else []


def choose_modern_version(supported: list[str], preferred: str) -> str | None:
    """Our preferred version if the server speaks it, else the newest modern one both do."""
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

    # -- establishing ----------------------------------------------------------------

    async def establish(self, client: McpClient) -> ServerInfo:
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
        limit = min(config.connect_timeout, PROBE_TIMEOUT_SECONDS)
        try:
            result = await self._discover(client, limit if self.probing else config.connect_timeout)
        except FallBack:
            raise
        except (JsonRpcError, HttpStatusError) as exc:
            note = self._discover_failed(exc)
            result = None
        except RequestTimeout as exc:
            if self.probing:
                raise FallBack(
                    f"No answer to server/discover within {limit:g} s: a legacy server."
                ) from exc
            raise ConnectError(
                FailureLayer.TIMEOUT,
                f"No answer to server/discover within {config.connect_timeout:g} s.",
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

    def _settle_version(self, client: McpClient, result: dict[str, Any]) -> None:
        """Check the discover result's `supportedVersions` and pick one we both speak."""
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

    async def _discover(self, client: McpClient, limit: float) -> dict[str, Any]:
        options: RequestOptions = {
            "timeout": limit,
            "max_total": limit,
            "cancel_on_timeout": False,
            "track_progress": False,
        }
        try:
            return await client.request_once("server/discover", {}, **options)
        except (JsonRpcError, HttpStatusError) as exc:
            error = modern_error(exc)
            if error is None or error.code != UNSUPPORTED_PROTOCOL_VERSION:
                raise
            self.renegotiate(client, error)
            return await client.request_once("server/discover", {}, **options)

    def renegotiate(self, client: McpClient, error: JsonRpcError) -> None:
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

    def _switch(self, client: McpClient, chosen: str, supported: list[str]) -> None:
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
        self, client: McpClient, method: str, params: dict[str, Any] | None
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
        self, client: McpClient, method: str, params: dict[str, Any] | None
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
        client: McpClient,
        method: str,
        params: dict[str, Any] | None,
        options: RequestOptions,
    ) -> dict[str, Any]:
        """Send a request, renegotiating the version and answering input requests until
        the server returns a complete result (a missing `resultType` means complete).
        The maximum total time bounds the whole: every round and every poll of a task."""
        total = options.get("max_total") or client.config.max_total_timeout
        deadline = asyncio.timeout(total)
        try:
            async with deadline:
                return await self._rounds(client, method, params, options)
        except TimeoutError as exc:
            if not deadline.expired():
                raise
            # What was in flight was cancelled on the way out (a task with tasks/cancel).
            raise RequestTimeout(
                f"{method} did not complete within the maximum total time of {total:g} s "
                "(over all its rounds and task polls); given up.",
                limit=TimeoutLimit.TOTAL,
            ) from exc

    async def _rounds(
        self,
        client: McpClient,
        method: str,
        params: dict[str, Any] | None,
        options: RequestOptions,
    ) -> dict[str, Any]:
        removed = REMOVED_METHODS.get(method)
        if removed is not None:
            raise RequestRefused(f"Not sent: {method} does not exist in {self.version}; {removed}.")
        on_started = options.get("on_started")
        extra: dict[str, Any] = {}
        origin: TraceEvent | None = None
        renegotiated = refreshed = False
        round_number = 1
        while True:
            # Checked on every round: a refreshed listing may have changed the tool.
            self._refuse_unsendable(method, params)
            sent: list[TraceEvent] = []

            def started(request_id: Any, sent: list[TraceEvent] = sent) -> None:
                sent.append(client.request_event(request_id))
                if on_started is not None:
                    on_started(request_id)

            detail = {}
            if origin is not None and origin.seq is not None:
                detail = {ORIGIN_DETAIL: origin.seq, ROUND_DETAIL: round_number}
            try:
                round_options: RequestOptions = {**options, "on_started": started}
                result = await client.request_once(
                    method, {**(params or {}), **extra}, **round_options, detail=detail
                )
            except (JsonRpcError, HttpStatusError) as exc:
                error = jsonrpc_error(exc)
                if error is None:
                    raise
                if error.code == UNSUPPORTED_PROTOCOL_VERSION and not renegotiated:
                    renegotiated = True
                    self.renegotiate(client, error)
                    continue
                if error.code == HEADER_MISMATCH and method == "tools/call" and not refreshed:
                    # The tool's header designations may have changed: list, then retry.
                    refreshed = True
                    await self._refresh_tool(client, str((params or {}).get("name")))
                    continue
                if error is exc:
                    raise
                raise error from exc
            if origin is None and sent:
                origin = sent[0]
            if result.get("resultType") == TASK_RESULT and origin is not None:
                answer = functools.partial(
                    self._answer, client, origin=origin, round_number=round_number
                )
                result = await follow_task(client, method, result, answer)
                return self._complete(client, method, result)
            if result.get("resultType") != INPUT_REQUIRED:
                return self._complete(client, method, result)
            if method not in INPUT_REQUIRED_METHODS:
                raise RequestError(
                    f"Protocol violation: the server asked for input on {method}; only "
                    f"{', '.join(sorted(INPUT_REQUIRED_METHODS))} may (mrtr). Not answered."
                )
            if round_number >= MAX_INPUT_ROUNDS:
                raise RequestError(
                    f"{method} still asked for input after {MAX_INPUT_ROUNDS} rounds; given up."
                )
            assert origin is not None
            extra = await self._inputs(client, result, origin, round_number)
            round_number += 1

    async def _refresh_tool(self, client: McpClient, name: str) -> None:
        """List tools page after page until `name` is seen, so its header designations
        (or its exclusion) are the server's current ones."""
        self.tool_headers.pop(name, None)
        self.excluded_tools.pop(name, None)
        params: dict[str, Any] = {}
        for _ in range(MAX_REFRESH_PAGES):
            result = await self.run(client, "tools/list", params, {})
            cursor = result.get("nextCursor")
            seen = name in self.tool_headers or name in self.excluded_tools
            if seen or not isinstance(cursor, str) or not cursor:
                return
            params = {"cursor": cursor}

    def _refuse_unsendable(self, method: str, params: dict[str, Any] | None) -> None:
        if method != "tools/call" or params is None:
            return
        name = str(params.get("name"))
        reason = self.excluded_tools.get(name)
        if reason is not None:
            raise RequestRefused(f"Not sent: the tool {name!r} is excluded: {reason}")
        designated = self.tool_headers.get(name)
        if designated:
            try:
                param_headers(designated, params.get("arguments"))
            except UnmirrorableArgument as exc:
                raise RequestRefused(f"Not sent: {exc}") from exc

    async def _inputs(
        self, client: McpClient, result: dict[str, Any], origin: TraceEvent, round_number: int
    ) -> dict[str, Any]:
        """What the retry carries: answers to the input requests, the state echoed."""
        extra: dict[str, Any] = {}
        requests = result.get("inputRequests")
        if requests is not None:
            if not isinstance(requests, dict):
                raise RequestError(f"The server's inputRequests is not an object: {requests!r}")
            answer = functools.partial(
                self._answer, client, origin=origin, round_number=round_number
            )
            extra["inputResponses"] = await answer_all(requests, list(requests), answer)
        if "requestState" in result:
            extra["requestState"] = result["requestState"]
        return extra

    async def _answer(
        self,
        client: McpClient,
        key: str,
        request: Any,
        *,
        origin: TraceEvent,
        round_number: int,
    ) -> dict[str, Any]:
        from inspector.mcp.client import ServerRequest

        method = request.get("method") if isinstance(request, dict) else None
        params = request.get("params") if isinstance(request, dict) else None
        link = {ORIGIN_DETAIL: origin.seq, ROUND_DETAIL: round_number, "input_key": key}
        event = TraceEvent(
            kind=EventKind.MESSAGE,
            direction=Direction.IN,
            text=json.dumps(request, ensure_ascii=False),
            payload=request,
            detail={**link, "embedded": "inputRequests"},
            message_type=MessageType.REQUEST,
            method=method if isinstance(method, str) else None,
            message_id=key,
        )
        client.emit(event)
        if not isinstance(method, str):
            raise RequestError(f"The server's input request {key!r} names no method.")
        if method not in INPUT_METHODS:
            raise RequestError(
                f"The server's input request {key!r} asks for {method}, which is not one of "
                f"{', '.join(sorted(INPUT_METHODS))}."
            )
        handler = client.handlers.get(method)
        if handler is None:
            raise RequestRefused(
                f"The server asked for {method} (input request {key!r}), which this client "
                "does not answer."
            )
        try:
            answer = await handler(
                ServerRequest(key, method, params if isinstance(params, dict) else {}, event)
            )
        except JsonRpcError as exc:
            client.emit(
                local_event(
                    EventKind.ERROR,
                    f"Input request {key!r} ({method}) was not answered: {exc.message}",
                    **link,
                )
            )
            raise RequestRefused(
                f"The input request {key!r} ({method}) was refused: {exc.message}"
            ) from exc
        reply = TraceEvent(
            kind=EventKind.MESSAGE,
            direction=Direction.OUT,
            text=json.dumps(answer, ensure_ascii=False),
            payload={"result": answer},
            detail={**link, "embedded": "inputResponses"},
            message_type=MessageType.RESULT,
            method=method,
            message_id=key,
        )
        reply.request_seq = event.seq
        client.emit(reply)
        return answer

    def _complete(self, client: McpClient, method: str, result: dict[str, Any]) -> dict[str, Any]:
        if method != "tools/list" or client.transport.kind != "http":
            return result
        tools = result.get("tools")
        if not isinstance(tools, list):
            return result
        kept = []
        for tool in tools:
            name = tool.get("name") if isinstance(tool, dict) else None
            if not isinstance(name, str):
                kept.append(tool)
                continue
            try:
                designated = tool_param_headers(tool)
            except InvalidToolHeaders as exc:
                self.excluded_tools[name] = str(exc)
                self.tool_headers.pop(name, None)
                client.emit(
                    local_event(
                        EventKind.ERROR,
                        f"Tool {name!r} excluded: {exc}",
                        excluded_tool=name,
                        reason=str(exc),
                    )
                )
                continue
            self.excluded_tools.pop(name, None)
            self.tool_headers[name] = designated
            kept.append(tool)
        # The spec's rule: an excluded tool is not part of the listing the client uses.
        return {**result, "tools": kept}


class AutoLifecycle:
    """A dual-era client: probe as a modern one, fall back to `initialize` if need be."""

    def __init__(self) -> None:
        self.active: ModernLifecycle | LegacyLifecycle = ModernLifecycle(probing=True)

    @property
    def era(self) -> Era:
        return self.active.era

    async def establish(self, client: McpClient) -> ServerInfo:
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
        self, client: McpClient, method: str, params: dict[str, Any] | None
    ) -> dict[str, Any] | None:
        return self.active.prepare_params(client, method, params)

    def request_headers(
        self, client: McpClient, method: str, params: dict[str, Any] | None
    ) -> dict[str, str]:
        return self.active.request_headers(client, method, params)

    async def run(
        self,
        client: McpClient,
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


def _body_hint(body: str) -> str:
    body = body.strip()
    return f": {body[:300]}." if body else "."
