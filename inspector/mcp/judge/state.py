"""What the judge remembers about one connection, and the rules that need it: declared
capabilities, progress tokens, subscriptions, cursors and tool names of a listing, the
output schemas of tools, and the requests still awaiting an answer."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from inspector.mcp.findings import Finding
from inspector.mcp.judge.capabilities import elicitation_mode_findings
from inspector.mcp.judge.paths import items
from inspector.mcp.judge.rules import finding
from inspector.mcp.judge.tasks import created_task_id
from inspector.mcp.judge.tools import structured_findings
from inspector.mcp.trace import RequestId

# Bounds, so that a long session (or a server that never answers) costs constant memory.
REQUESTS_REMEMBERED = 4096
TOKENS_REMEMBERED = 1024
LIST_ITEMS = {
    "tools/list": "tools",
    "prompts/list": "prompts",
    "resources/list": "resources",
    "resources/templates/list": "resourceTemplates",
}
LIST_CHANGED = {
    "notifications/tools/list_changed": "tools",
    "notifications/prompts/list_changed": "prompts",
    "notifications/resources/list_changed": "resources",
}
CLIENT_CAPABILITY_OF = {
    "sampling/createMessage": "sampling",
    "roots/list": "roots",
    "elicitation/create": "elicitation",
}
CLIENT_CAPABILITIES_KEY = "io.modelcontextprotocol/clientCapabilities"
LOG_LEVEL_KEY = "io.modelcontextprotocol/logLevel"
SUB_RESOURCE_SEPARATORS = ("/", "?", "#")


@dataclass(slots=True)
class OurRequest:
    method: str
    params: dict[str, Any]


@dataclass(slots=True)
class Listing:
    """One walk through the pages of a list method, from its first page."""

    cursors: set[str] = field(default_factory=set)
    names: set[str] = field(default_factory=set)


class ConnectionState:
    def __init__(self) -> None:
        self.server_capabilities: dict[str, Any] | None = None
        self.client_capabilities: dict[str, Any] = {}
        self._requests: OrderedDict[RequestId, OurRequest] = OrderedDict()
        self._server_requests: OrderedDict[RequestId, str] = OrderedDict()
        # The progress tokens of our requests in flight, with the last progress of each.
        # A request abandoned (cancelled, timed out) is never answered: its token stays,
        # so late progress for it draws nothing, until newer requests push it out.
        self._progress: OrderedDict[Any, float | None] = OrderedDict()
        self._finished_tokens: OrderedDict[Any, None] = OrderedDict()
        # Task-augmented requests by the id of the task each created, until its result
        # is fetched.
        self._task_origins: OrderedDict[str, OurRequest] = OrderedDict()
        self._subscriptions: set[str] = set()
        # What any subscriptions/listen asked for: its list changes here (toolsListChanged,
        # ...), its resourceSubscriptions with the URIs above (every stream opened counts,
        # as a replaced one may still deliver).
        self._listened: set[str] = set()
        # Our requests whose _meta asked for log messages (the modern era), kept while
        # they are in flight.
        self._asking_for_logs: set[RequestId] = set()
        self._listings: dict[str, Listing] = {}
        self._output_schemas: dict[str, dict[str, Any]] = {}

    # -- what we send ------------------------------------------------------------------

    def our_request(
        self, request_id: RequestId | None, method: str, params: dict[str, Any]
    ) -> None:
        if method == "initialize" and isinstance(params.get("capabilities"), dict):
            self.client_capabilities = params["capabilities"]
        meta = params.get("_meta")
        if isinstance(meta, dict):
            declared = meta.get(CLIENT_CAPABILITIES_KEY)
            if isinstance(declared, dict):
                self.client_capabilities = declared
            token = meta.get("progressToken")
            if isinstance(token, str | int) and not isinstance(token, bool):
                self._progress[token] = None
                while len(self._progress) > REQUESTS_REMEMBERED:
                    self._progress.popitem(last=False)
            if isinstance(meta.get(LOG_LEVEL_KEY), str) and request_id is not None:
                self._asking_for_logs.add(request_id)
        uri = params.get("uri")
        if method == "resources/subscribe" and isinstance(uri, str):
            self._subscriptions.add(uri)
        elif method == "resources/unsubscribe" and isinstance(uri, str):
            self._subscriptions.discard(uri)
        elif method == "subscriptions/listen":
            self._listen(params.get("notifications"))
        if method in LIST_ITEMS and "cursor" not in params:
            self._listings[method] = Listing()
        if request_id is not None:
            self._requests[request_id] = OurRequest(method, params)
            while len(self._requests) > REQUESTS_REMEMBERED:
                self._requests.popitem(last=False)

    def _listen(self, wanted: Any) -> None:
        if not isinstance(wanted, dict):
            return
        self._listened.update(key for key, value in wanted.items() if value is True)
        uris = wanted.get("resourceSubscriptions")
        if isinstance(uris, list):
            self._subscriptions.update(uri for uri in uris if isinstance(uri, str))

    def our_result_method(self, request_id: RequestId | None) -> str | None:
        """The method of the server request our response answers."""
        if request_id is None:
            return None
        return self._server_requests.pop(request_id, None)

    # -- what the server sends ---------------------------------------------------------

    def answered(
        self, request_id: RequestId | None, result: dict[str, Any] | None = None
    ) -> OurRequest | None:
        """Forget a request once answered (its progress token with it) and return it.
        A task it created keeps the token alive, until the task's result is fetched."""
        if request_id is None:
            return None
        request = self._requests.pop(request_id, None)
        if request is None and isinstance(request_id, str) and request_id.isdigit():
            request = self._requests.pop(int(request_id), None)
        if request is None:
            return None
        task_id = created_task_id(request.params, result) if result is not None else None
        if task_id is not None:
            self._task_origins[task_id] = request
            while len(self._task_origins) > REQUESTS_REMEMBERED:
                self._task_origins.popitem(last=False)
            return request
        self._finish_progress(request)
        return request

    def task_origin(self, request: OurRequest) -> OurRequest | None:
        """The task-augmented request whose task a `tasks/result` request asks for."""
        if request.method != "tasks/result":
            return None
        return self._task_origins.get(str(request.params.get("taskId")))

    def task_result_fetched(self, origin: OurRequest) -> None:
        for task_id, known in list(self._task_origins.items()):
            if known is origin:
                del self._task_origins[task_id]
        self._finish_progress(origin)

    def _finish_progress(self, request: OurRequest) -> None:
        meta = request.params.get("_meta")
        token = meta.get("progressToken") if isinstance(meta, dict) else None
        if token is not None and token in self._progress:
            del self._progress[token]
            self._finished_tokens[token] = None
            while len(self._finished_tokens) > TOKENS_REMEMBERED:
                self._finished_tokens.popitem(last=False)

    def result_findings(
        self, request: OurRequest, result: dict[str, Any], version: str
    ) -> list[Finding]:
        method = request.method
        found: list[Finding] = []
        if method in ("initialize", "server/discover"):
            capabilities = result.get("capabilities")
            self.server_capabilities = capabilities if isinstance(capabilities, dict) else {}
        elif method in LIST_ITEMS:
            found += self._page_findings(method, request, result, version)
        elif method == "tools/call":
            name = request.params.get("name")
            schema = self._output_schemas.get(name) if isinstance(name, str) else None
            if schema is not None and result.get("resultType") in (None, "complete"):
                found += structured_findings(result, schema, version)
        return found

    def _page_findings(
        self, method: str, request: OurRequest, result: dict[str, Any], version: str
    ) -> list[Finding]:
        listing = self._listings.setdefault(method, Listing())
        key = LIST_ITEMS[method]
        found: list[Finding] = []
        page = items(result, key, "$.result")
        cursor = result.get("nextCursor")
        asked = request.params.get("cursor")
        if isinstance(asked, str):
            listing.cursors.add(asked)
        if isinstance(cursor, str):
            if cursor in listing.cursors:
                found.append(
                    finding(
                        "pagination.cursor-loop",
                        f"The cursor {cursor!r} was already given in this listing: a loop.",
                        "$.result.nextCursor",
                        version,
                    )
                )
            listing.cursors.add(cursor)
            if not page and isinstance(result.get(key), list):
                found.append(
                    finding(
                        "pagination.empty-page-cursor",
                        "An empty page still gives a nextCursor.",
                        "$.result.nextCursor",
                        version,
                    )
                )
        if method == "tools/list":
            if "cursor" not in request.params:
                self._output_schemas = {}
            for path, tool in page:
                name = tool.get("name")
                if not isinstance(name, str):
                    continue
                if name in listing.names:
                    found.append(
                        finding(
                            "tools.duplicate-name",
                            f"The tool {name!r} is listed twice.",
                            f"{path}.name",
                            version,
                        )
                    )
                listing.names.add(name)
                schema = tool.get("outputSchema")
                if isinstance(schema, dict):
                    self._output_schemas[name] = schema
        return found

    def server_request_findings(
        self, request_id: RequestId | None, method: str, params: dict[str, Any], version: str
    ) -> list[Finding]:
        if request_id is not None:
            self._server_requests[request_id] = method
            while len(self._server_requests) > REQUESTS_REMEMBERED:
                self._server_requests.popitem(last=False)
        capability = CLIENT_CAPABILITY_OF.get(method)
        if capability is None:
            return []
        declared = self.client_capabilities.get(capability)
        if declared is None:
            return [
                finding(
                    "capabilities.client-request",
                    f"The server sent {method}, but the client did not declare {capability}.",
                    "$.method",
                    version,
                )
            ]
        if method == "elicitation/create":
            return elicitation_mode_findings(params, declared, "$.params", version)
        return []

    def notification_findings(
        self, method: str, params: dict[str, Any], version: str, *, legacy: bool
    ) -> list[Finding]:
        if method == "notifications/progress":
            return self._progress_findings(params, version)
        capabilities = self.server_capabilities
        if capabilities is None:
            return []
        if method in LIST_CHANGED:
            return self._list_changed_findings(method, capabilities, version, legacy=legacy)
        if method == "notifications/resources/updated":
            return self._update_findings(params, capabilities, version)
        if method == "notifications/message":
            return self._log_findings(capabilities, version, legacy=legacy)
        return []

    def _list_changed_findings(
        self, method: str, capabilities: dict[str, Any], version: str, *, legacy: bool
    ) -> list[Finding]:
        """A list change the server did not declare, or (modern era) one the client did not
        opt in to on `subscriptions/listen`: the server MUST NOT send those."""
        kind = LIST_CHANGED[method]
        declared = capabilities.get(kind)
        if not (isinstance(declared, dict) and declared.get("listChanged") is True):
            message = f"{method} without the {kind}.listChanged capability."
        elif not legacy and f"{kind}ListChanged" not in self._listened:
            message = f"{method}, which the client did not ask for on subscriptions/listen."
        else:
            return []
        return [finding("capabilities.list-changed", message, "$.method", version)]

    def _update_findings(
        self, params: dict[str, Any], capabilities: dict[str, Any], version: str
    ) -> list[Finding]:
        """An update without `resources.subscribe`, or for a URI the client did not follow
        (`resources/subscribe` in the legacy era, a `subscriptions/listen`'s
        `resourceSubscriptions` in the modern one). The spec lets the URI be "a sub-resource
        of the one that the client actually subscribed to" without saying what that is;
        a URI that continues a followed one with `/`, `?` or `#` is taken as one."""
        resources = capabilities.get("resources")
        if not (isinstance(resources, dict) and resources.get("subscribe") is True):
            return [
                finding(
                    "capabilities.subscribe",
                    "resources/updated without the resources.subscribe capability.",
                    "$.method",
                    version,
                )
            ]
        uri = params.get("uri")
        if isinstance(uri, str) and not self._followed(uri):
            return [
                finding(
                    "capabilities.subscribe",
                    f"An update for {uri!r}, which the client did not subscribe to.",
                    "$.params.uri",
                    version,
                )
            ]
        return []

    def _followed(self, uri: str) -> bool:
        return any(
            uri == followed
            or (
                uri.startswith(followed)
                and (
                    followed.endswith(SUB_RESOURCE_SEPARATORS)
                    or uri[len(followed)] in SUB_RESOURCE_SEPARATORS
                )
            )
            for followed in self._subscriptions
        )

    def _log_findings(
        self, capabilities: dict[str, Any], version: str, *, legacy: bool
    ) -> list[Finding]:
        """A log message without the logging capability, or (modern era) while no request
        in flight asked for log messages in its `_meta`. A notification names no request,
        so which request a log message belongs to is undecidable on a shared stream: any
        request in flight that asked for a level allows it."""
        if "logging" not in capabilities:
            message = "A log message without the logging capability."
        elif not legacy and not self._logs_asked():
            message = f"A log message while no request in flight set {LOG_LEVEL_KEY} in _meta."
        else:
            return []
        return [finding("capabilities.logging", message, "$.method", version)]

    def _logs_asked(self) -> bool:
        """Whether a request still in flight asked for log messages."""
        self._asking_for_logs = {
            request_id for request_id in self._asking_for_logs if request_id in self._requests
        }
        return bool(self._asking_for_logs)

    def _progress_findings(self, params: dict[str, Any], version: str) -> list[Finding]:
        token = params.get("progressToken")
        if not isinstance(token, str | int) or isinstance(token, bool):
            return []  # the wire schema says so
        if token not in self._progress:
            if token in self._finished_tokens:
                return [
                    finding(
                        "progress.after-result",
                        f"Progress for token {token!r} after its request was answered.",
                        "$.params.progressToken",
                        version,
                    )
                ]
            return [
                finding(
                    "progress.unknown-token",
                    f"No request in flight has the progress token {token!r}.",
                    "$.params.progressToken",
                    version,
                )
            ]
        progress = params.get("progress")
        if not isinstance(progress, int | float) or isinstance(progress, bool):
            return []
        last = self._progress[token]
        self._progress[token] = progress
        if last is not None and progress <= last:
            return [
                finding(
                    "progress.not-increasing",
                    f"Progress went from {last:g} to {progress:g}; it must increase.",
                    "$.params.progress",
                    version,
                )
            ]
        return []
