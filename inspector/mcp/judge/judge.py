"""The judge: every message in and out of one connection, against the negotiated version.

The client owns one `Judge` per connection and hands it each message event; the judge
appends findings to the event and never raises or changes what was recorded. Rules with
memory (capabilities, progress, cursors, ...) keep it in the judge's `ConnectionState`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from inspector.mcp.findings import Finding
from inspector.mcp.judge import content, meta, modern, version_fields
from inspector.mcp.judge.rules import RULES, finding
from inspector.mcp.judge.shapes import Surface, shape_findings, version_gate
from inspector.mcp.judge.state import ConnectionState
from inspector.mcp.judge.tasks import created_findings, created_task_id
from inspector.mcp.judge.tools import tool_findings
from inspector.mcp.log_levels import LOG_LEVELS
from inspector.mcp.trace import Direction, EventKind, MessageType, TraceEvent
from inspector.mcp.versions import LEGACY_VERSIONS, MODERN_VERSIONS, is_known

logger = logging.getLogger(__name__)


class Judge:
    def __init__(self) -> None:
        self.state = ConnectionState()

    def check(self, event: TraceEvent, version: str) -> None:
        """Add the findings of `event` (a message the connection sent or received)."""
        if event.method == "notifications/message" and self._plain_legacy_log(event, version):
            return
        if event.kind is not EventKind.MESSAGE or event.direction is Direction.LOCAL:
            return
        if event.message_type is MessageType.BATCH or "embedded" in event.detail:
            return  # a batch's elements, and embedded requests' results, are judged apart
        if not is_known(version):
            return
        try:
            found = self.findings(event, version)
        except Exception:  # a rule that raises is a bug, never the session's end
            logger.exception("A rule raised on %s", event.text[:200])
            found = []
        if not found and not event.findings:
            return  # the common case, kept cheap: floods of valid messages
        taken = {existing.path for existing in event.findings}
        for item in found:
            # The specific rule said it better: drop the schema's word on the same spot.
            if item.rule == "shape.schema" and item.path in taken:
                continue
            taken.add(item.path)
            event.findings.append(item)
        event.findings[:] = [_linked(item, version) for item in event.findings]

    def _plain_legacy_log(self, event: TraceEvent, version: str) -> bool:
        """Whether `event` is a well-formed log message the server may send: floods are
        made of them, so they are recognised before anything else is looked at."""
        capabilities = self.state.server_capabilities
        return (
            event.message_type is MessageType.NOTIFICATION
            and event.direction is Direction.IN
            and not event.findings
            and capabilities is not None
            and "logging" in capabilities
            and version in _LEGACY
            and type(event.payload) is dict
            and _plain_log(event.payload)
        )

    def findings(self, event: TraceEvent, version: str) -> list[Finding]:
        """The findings of `event`, which `check` adds; raising here is a bug."""
        payload = event.payload
        kind = event.message_type
        if kind is MessageType.INVALID or not isinstance(payload, dict):
            return [
                finding(
                    "judge.unreadable",
                    "The message is too malformed to check against the schema.",
                    "$",
                    version,
                )
            ]
        params = payload.get("params")
        params = params if isinstance(params, dict) else {}
        outgoing = event.direction is Direction.OUT
        method = event.method or ""
        if kind is MessageType.REQUEST:
            return self._request(event, method, params, version, outgoing=outgoing)
        if kind is MessageType.NOTIFICATION:
            return self._notification(payload, method, params, version, outgoing=outgoing)
        if kind is MessageType.RESULT:
            return self._result(event, payload, version, outgoing=outgoing)
        if kind is MessageType.ERROR and not outgoing:
            self.state.answered(event.message_id)
            return _duplicate(event, version)
        return []

    def _request(
        self,
        event: TraceEvent,
        method: str,
        params: dict[str, Any],
        version: str,
        *,
        outgoing: bool,
    ) -> list[Finding]:
        payload = event.payload
        surface = Surface.CLIENT_REQUEST if outgoing else Surface.SERVER_REQUEST
        found = version_gate(surface, method, version, "$.method")
        found += meta.meta_findings(params, "$.params", version)
        if method == "logging/setLevel":
            found += meta.level_findings(params, "$.params", version)
        if outgoing:
            self.state.our_request(event.message_id, method, params)
        else:
            found += self.state.server_request_findings(event.message_id, method, params, version)
            found += content.request_content_findings(method, params, version)
        found += shape_findings(surface, method, version, payload, "$")
        return found

    def _notification(
        self,
        payload: dict[str, Any],
        method: str,
        params: dict[str, Any],
        version: str,
        *,
        outgoing: bool,
    ) -> list[Finding]:
        surface = Surface.CLIENT_NOTIFICATION if outgoing else Surface.SERVER_NOTIFICATION
        found = version_gate(surface, method, version, "$.method")
        plain = method in PLAIN_NOTIFICATIONS and PLAIN_NOTIFICATIONS[method](payload)
        if not plain:
            found += meta.meta_findings(params, "$.params", version)
            found += shape_findings(surface, method, version, payload, "$")
        if outgoing:
            return found
        modern_era = version in MODERN_VERSIONS
        if method == "notifications/message":
            if not plain:
                found += meta.level_findings(params, "$.params", version)
            if modern_era:
                found += modern.deprecated_notification(method, version)
        found += self.state.notification_findings(method, params, version, legacy=not modern_era)
        if method == "notifications/progress" and version_fields_message(params, version):
            found.append(
                finding(
                    "version.field",
                    "A progress message exists from protocol 2025-03-26.",
                    "$.params.message",
                    version,
                )
            )
        return found

    def _result(
        self, event: TraceEvent, payload: dict[str, Any], version: str, *, outgoing: bool
    ) -> list[Finding]:
        result = payload.get("result")
        if not isinstance(result, dict):
            return []  # jsonrpc.result-type said so
        if outgoing:
            method = self.state.our_result_method(event.message_id)
            if method is None:
                return []
            return shape_findings(Surface.CLIENT_RESULT, method, version, result, "$.result")
        found = _duplicate(event, version)
        if "id" not in payload or payload.get("id") is None:
            found.append(
                finding(
                    "responses.to-notification",
                    "A result without an id answers no request: notifications get none.",
                    "$.id",
                    version,
                )
            )
        request = self.state.answered(event.message_id, result)
        method = request.method if request is not None else event.method
        if method is None:
            return found
        found += meta.meta_findings(result, "$.result", version)
        if request is not None and created_task_id(request.params, result) is not None:
            # Answered with the task it created; the method's result comes by tasks/result.
            return found + created_findings(result, version)
        origin = self.state.task_origin(request) if request is not None else None
        if origin is not None:
            # `tasks/result` answers with what the task's request would have.
            self.state.task_result_fetched(origin)
            request, method = origin, origin.method
        found += content.result_content_findings(method, result, version)
        found += version_fields.too_new_findings(method, result, version)
        if method == "tools/list":
            for path, tool in _tools(result):
                found += tool_findings(tool, path, version)
        if version in MODERN_VERSIONS:
            found += modern.result_findings(method, result, version, self.state.client_capabilities)
            if method == "server/discover":
                found += modern.deprecated_capabilities(
                    result.get("capabilities"), "$.result.capabilities", version
                )
        if request is not None:
            found += self.state.result_findings(request, result, version)
        if not (version in MODERN_VERSIONS and modern.is_task_state(method, result)):
            found += shape_findings(Surface.SERVER_RESULT, method, version, result, "$.result")
        return found


def _plain_log(payload: dict[str, Any]) -> bool:
    """A log message that plainly has its shape (level, optional logger, any data)."""
    params = payload.get("params")
    return (
        type(params) is dict
        and "data" in params
        and params.get("level") in _LOG_LEVELS
        and payload.keys() <= _FRAME_KEYS
        and params.keys() <= _LOG_KEYS
        and type(params.get("logger", "")) is str
    )


def _plain_progress(payload: dict[str, Any]) -> bool:
    """A progress notification that plainly has its shape (token, numbers, message)."""
    params = payload.get("params")
    if not (payload.keys() <= _FRAME_KEYS and isinstance(params, dict)):
        return False
    token = params.get("progressToken")
    return (
        params.keys() <= _PROGRESS_KEYS
        and type(token) in (str, int)
        and type(params.get("progress")) in (int, float)
        and type(params.get("total", 0)) in (int, float)
        and type(params.get("message", "")) is str
    )


# Sets, for the flood path: membership without walking a tuple.
_LEGACY = frozenset(LEGACY_VERSIONS)
_LOG_LEVELS = frozenset(LOG_LEVELS)
_FRAME_KEYS = {"jsonrpc", "method", "params"}
_LOG_KEYS = {"level", "logger", "data"}
_PROGRESS_KEYS = {"progressToken", "progress", "total", "message"}
# Floods are made of these: the full validator runs only when the plain check fails.
PLAIN_NOTIFICATIONS: dict[str, Callable[[dict[str, Any]], bool]] = {
    "notifications/message": _plain_log,
    "notifications/progress": _plain_progress,
}


def version_fields_message(params: dict[str, Any], version: str) -> bool:
    return version == "2024-11-05" and "message" in params


def _tools(result: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    tools = result.get("tools")
    if not isinstance(tools, list):
        return []
    return [
        (f"$.result.tools[{index}]", tool)
        for index, tool in enumerate(tools)
        if isinstance(tool, dict)
    ]


def _duplicate(event: TraceEvent, version: str) -> list[Finding]:
    if event.detail.get("late_because") != "answered":
        return []
    return [
        finding(
            "responses.duplicate",
            "A second response to a request that was already answered.",
            "$.id",
            version,
        )
    ]


def _linked(item: Finding, version: str) -> Finding:
    """A finding of the framing layers, given its rule's severity-free spec link."""
    if item.spec_url or item.rule not in RULES:
        return item
    return replace(item, spec_url=RULES[item.rule].spec_url(version))
