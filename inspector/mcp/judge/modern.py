"""The modern era's result rules (2026-07-28): `resultType`, `inputRequests` (with the
client capabilities and elicitation modes they rely on, from the client's `_meta`),
`requestState` and `ttlMs`, and what SEP-2577 deprecated there (logging, sampling, roots)."""

from __future__ import annotations

from typing import Any

from inspector.mcp.findings import Finding
from inspector.mcp.judge import wire_index
from inspector.mcp.judge.capabilities import elicitation_mode_findings
from inspector.mcp.judge.content import request_content_findings
from inspector.mcp.judge.rules import finding

COMPLETE = "complete"
INPUT_REQUIRED = "input_required"
# The tasks extension answers a task-augmented request with a task handle.
TASK = "task"
RESULT_TYPES = (COMPLETE, INPUT_REQUIRED, TASK)
INPUT_METHODS = {
    "sampling/createMessage": "sampling",
    "elicitation/create": "elicitation",
    "roots/list": "roots",
}
DEPRECATED_INPUT_METHODS = ("sampling/createMessage", "roots/list")
# The tasks extension's own methods: their results are a task's state, whose `ttlMs` says
# how long the server keeps the task, not how long a result may be cached.
TASK_METHODS = frozenset({"tasks/get", "tasks/update", "tasks/cancel"})


def is_task_state(method: str, result: dict[str, Any]) -> bool:
    """A task handle or a task's state (the tasks extension, SEP-2663), which the core
    wire types do not describe."""
    return result.get("resultType") == TASK or method in TASK_METHODS


def result_findings(
    method: str, result: dict[str, Any], version: str, client_capabilities: dict[str, Any]
) -> list[Finding]:
    root = "$.result"
    found: list[Finding] = []
    result_type = result.get("resultType")
    if "resultType" not in result:
        found.append(
            finding(
                "modern.result-type", "The result has no resultType.", f"{root}.resultType", version
            )
        )
    elif result_type not in RESULT_TYPES:
        found.append(
            finding(
                "modern.result-type",
                f"resultType {result_type!r} is not one of {', '.join(RESULT_TYPES)}.",
                f"{root}.resultType",
                version,
            )
        )
    elif result_type == INPUT_REQUIRED:
        if method not in wire_index.index().input_required_methods:
            found.append(
                finding(
                    "modern.result-type",
                    f"{method} may not answer input_required.",
                    f"{root}.resultType",
                    version,
                )
            )
        found += _input_findings(result, version, client_capabilities)
    if "requestState" in result and not isinstance(result["requestState"], str):
        found.append(
            finding(
                "modern.request-state",
                "requestState must be a string the client passes back unchanged.",
                f"{root}.requestState",
                version,
            )
        )
    if "ttlMs" in result and not is_task_state(method, result):
        found += _ttl_findings(method, result["ttlMs"], version)
    return found


def _input_findings(
    result: dict[str, Any], version: str, client_capabilities: dict[str, Any]
) -> list[Finding]:
    root = "$.result.inputRequests"
    requests = result.get("inputRequests")
    if requests is None:
        if "requestState" in result:
            return []
        return [
            finding(
                "modern.input-requests",
                "An input_required result needs inputRequests or requestState.",
                "$.result",
                version,
            )
        ]
    if not isinstance(requests, dict):
        return [finding("modern.input-requests", "inputRequests must be an object.", root, version)]
    found: list[Finding] = []
    for key, request in requests.items():
        path = f"{root}[{key!r}]"
        method = request.get("method") if isinstance(request, dict) else None
        capability = INPUT_METHODS.get(method) if isinstance(method, str) else None
        if capability is None:
            found.append(
                finding(
                    "modern.input-requests",
                    f"Input request {key!r} asks for {method!r}, not one of "
                    f"{', '.join(INPUT_METHODS)}.",
                    path,
                    version,
                )
            )
            continue
        if capability not in client_capabilities:
            found.append(
                finding(
                    "capabilities.client-request",
                    f"Input request {key!r} asks for {method}, but the client did not "
                    f"declare {capability}.",
                    path,
                    version,
                )
            )
        else:
            params = request.get("params")
            if isinstance(params, dict):
                found += request_content_findings(str(method), params, version, f"{path}.params")
                if method == "elicitation/create":
                    found += elicitation_mode_findings(
                        params, client_capabilities[capability], f"{path}.params", version
                    )
        if method in DEPRECATED_INPUT_METHODS:
            found.append(
                finding(
                    "deprecated.sep-2577",
                    f"{method} is deprecated from protocol 2026-07-28.",
                    path,
                    version,
                )
            )
    return found


# Results the Skills extension (io.modelcontextprotocol/skills) makes cacheable, beside the
# core methods': ListSkillsResult and GetSkillResult extend CacheableResult.
EXTENSION_CACHEABLE_METHODS = frozenset({"skills/list", "skills/get"})


def _ttl_findings(method: str, ttl: Any, version: str) -> list[Finding]:
    path = "$.result.ttlMs"
    if not isinstance(ttl, int) or isinstance(ttl, bool) or ttl < 0:
        return [
            finding("modern.ttl", f"ttlMs {ttl!r} is not a non-negative integer.", path, version)
        ]
    if (
        method not in wire_index.index().cacheable_methods
        and method not in EXTENSION_CACHEABLE_METHODS
    ):
        return [finding("modern.ttl", f"A {method} result is not cacheable.", path, version)]
    return []


def deprecated_notification(method: str, version: str) -> list[Finding]:
    if method == "notifications/message":
        return [
            finding(
                "deprecated.sep-2577",
                "Logging is deprecated from protocol 2026-07-28.",
                "$.method",
                version,
            )
        ]
    return []


def deprecated_capabilities(capabilities: Any, path: str, version: str) -> list[Finding]:
    if isinstance(capabilities, dict) and "logging" in capabilities:
        return [
            finding(
                "deprecated.sep-2577",
                "The logging capability is deprecated from protocol 2026-07-28.",
                f"{path}.logging",
                version,
            )
        ]
    return []
