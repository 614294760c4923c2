"""A stdio server that breaks one rule of the protocol on purpose, written without any MCP
library, so that each of the inspector's message checks can be seen to fire on real traffic.

Usage: python -m tests.servers.rule_breaker RULE_ID  (or a MODERN_CASES name)

It speaks whichever era the client does (`initialize`, or `server/discover` for the modern
2026-07-28), answers `tools/list`, `tools/call`, `resources/read` and `prompts/get` with
plain valid results, and misbehaves as `SCENARIOS[RULE_ID]` says: other capabilities,
other results (a list of results is one per page), frames sent before a result, after it,
or once the session is initialized. `"$id"` in a frame stands for the request's id.
"""

from __future__ import annotations

import json
import sys
from typing import Any

PNG = "iVBORw0KGgo="
TOOL = {"name": "probe", "inputSchema": {"type": "object"}}
TEXT = [{"type": "text", "text": "ok"}]
OUTPUT_SCHEMA = {"type": "object", "properties": {"n": {"type": "integer"}}, "required": ["n"]}


def note(method: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
    message: dict[str, Any] = {"jsonrpc": "2.0", "method": method}
    if params is not None:
        message["params"] = params
    return message


def progress(token: Any, value: float) -> dict[str, Any]:
    return note("notifications/progress", {"progressToken": token, "progress": value})


def call(result: dict[str, Any]) -> dict[str, Any]:
    return {"results": {"tools/call": result}}


def tools(*pages: dict[str, Any]) -> dict[str, Any]:
    return {"results": {"tools/list": list(pages)}}


def modern(scenario: dict[str, Any]) -> dict[str, Any]:
    return {**scenario, "era": "modern"}


SCENARIOS: dict[str, dict[str, Any]] = {
    # An object, or stdio would take the line for the server's own output.
    "judge.unreadable": {"after_initialized": [{"jsonrpc": "2.0", "id": 1}]},
    "shape.schema": call({"content": "nope"}),
    "shape.unknown-type": call({"content": [{"type": "mystery"}]}),
    "version.method": {
        "version": "2025-03-26",
        "after_initialized": [
            {"jsonrpc": "2.0", "id": "e1", "method": "elicitation/create", "params": {}}
        ],
    },
    "version.field": {"version": "2024-11-05", **call({"content": TEXT, "structuredContent": {}})},
    "capabilities.list-changed": {"after_initialized": [note("notifications/tools/list_changed")]},
    "capabilities.subscribe": {
        "after_initialized": [note("notifications/resources/updated", {"uri": "file:///a"})]
    },
    "capabilities.logging": {
        "after_initialized": [note("notifications/message", {"level": "info", "data": "hi"})]
    },
    "capabilities.client-request": {
        "after_initialized": [
            {"jsonrpc": "2.0", "id": "s1", "method": "roots/list"},
        ]
    },
    "capabilities.elicitation-mode": {
        "after_initialized": [
            {
                "jsonrpc": "2.0",
                "id": "e1",
                "method": "elicitation/create",
                "params": {
                    "mode": "url",
                    "message": "Open this",
                    "url": "https://example.com/",
                    "elicitationId": "x",
                },
            }
        ]
    },
    "progress.unknown-token": {"before": {"tools/call": [progress("nope", 1)]}},
    "progress.not-increasing": {"before": {"tools/call": [progress("$id", 5), progress("$id", 3)]}},
    "progress.after-result": {"after": {"tools/call": [progress("$id", 9)]}},
    "responses.duplicate": {"duplicate": "tools/call"},
    "responses.to-notification": {"after_initialized": [{"jsonrpc": "2.0", "result": {}}]},
    "pagination.cursor-loop": tools(
        {"tools": [TOOL], "nextCursor": "a"}, {"tools": [], "nextCursor": "a"}
    ),
    "pagination.empty-page-cursor": tools({"tools": [], "nextCursor": "b"}, {"tools": [TOOL]}),
    "content.base64": call(
        {"content": [{"type": "image", "data": "%%%", "mimeType": "image/png"}]}
    ),
    "content.mime-type": call({"content": [{"type": "image", "data": PNG, "mimeType": "png"}]}),
    "content.uri": call({"content": [{"type": "resource_link", "uri": "not a uri", "name": "x"}]}),
    "content.annotations": call(
        {"content": [{"type": "text", "text": "x", "annotations": {"priority": 3}}]}
    ),
    "content.is-error": call({"content": TEXT, "isError": "yes"}),
    "tools.name": tools({"tools": [{**TOOL, "name": "bad name!"}]}),
    "tools.schema-type": tools({"tools": [{**TOOL, "inputSchema": {"type": "array"}}]}),
    "tools.schema-invalid": tools(
        {"tools": [{**TOOL, "inputSchema": {"type": "object", "properties": {"a": 5}}}]}
    ),
    "tools.duplicate-name": tools({"tools": [TOOL], "nextCursor": "p2"}, {"tools": [TOOL]}),
    "tools.structured-content": {
        "results": {
            "tools/list": [{"tools": [{**TOOL, "outputSchema": OUTPUT_SCHEMA}]}],
            "tools/call": {"content": TEXT, "structuredContent": {"n": "three"}},
        }
    },
    "meta.key": call({"content": TEXT, "_meta": {"-bad key": 1}}),
    "meta.reserved-prefix": call({"content": TEXT, "_meta": {"io.modelcontextprotocol/mine": 1}}),
    "logging.level": {
        "capabilities": {"tools": {}, "logging": {}},
        "after_initialized": [note("notifications/message", {"level": "loud", "data": "hi"})],
    },
    "modern.result-type": modern(call({"content": TEXT, "resultType": "weird"})),
    "modern.input-requests": modern(
        call({"resultType": "input_required", "inputRequests": {"k": {"method": "tools/list"}}})
    ),
    "modern.request-state": modern(
        call({"content": TEXT, "resultType": "complete", "requestState": 5})
    ),
    "modern.ttl": modern(
        tools({"tools": [TOOL], "resultType": "complete", "ttlMs": -1, "cacheScope": "private"})
    ),
    "deprecated.sep-2577": modern({"capabilities": {"tools": {}, "logging": {}}}),
}

# The capability rules again in the modern era, where the declarations are the
# server/discover result, the client's `_meta` and its subscriptions/listen (the walk opens
# no stream and asks for no log level). Named RULE_ID/CASE.
MODERN_CASES: dict[str, dict[str, Any]] = {
    "capabilities.list-changed/undeclared": modern(
        {"before": {"tools/call": [note("notifications/tools/list_changed")]}}
    ),
    "capabilities.list-changed/unasked": modern(
        {
            "capabilities": {"tools": {"listChanged": True}},
            "before": {"tools/call": [note("notifications/tools/list_changed")]},
        }
    ),
    "capabilities.subscribe/undeclared": modern(
        {"before": {"tools/call": [note("notifications/resources/updated", {"uri": "file:///a"})]}}
    ),
    "capabilities.subscribe/unasked": modern(
        {
            "capabilities": {"tools": {}, "resources": {"subscribe": True}},
            "before": {
                "tools/call": [note("notifications/resources/updated", {"uri": "file:///a"})]
            },
        }
    ),
    "capabilities.logging/undeclared": modern(
        {"before": {"tools/call": [note("notifications/message", {"level": "info", "data": 1})]}}
    ),
    "capabilities.logging/unasked": modern(
        {
            "capabilities": {"tools": {}, "logging": {}},
            "before": {"tools/call": [note("notifications/message", {"level": "info", "data": 1})]},
        }
    ),
    "capabilities.client-request/input-request": modern(
        call({"resultType": "input_required", "inputRequests": {"r": {"method": "roots/list"}}})
    ),
    "capabilities.elicitation-mode/input-request": modern(
        call(
            {
                "resultType": "input_required",
                "inputRequests": {
                    "e": {
                        "method": "elicitation/create",
                        "params": {
                            "mode": "url",
                            "message": "Open this",
                            "url": "https://example.com/",
                            "elicitationId": "x",
                        },
                    }
                },
            }
        )
    ),
}


def send(message: Any) -> None:
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


def with_id(frame: Any, request_id: Any) -> Any:
    if frame == "$id":
        return request_id
    if isinstance(frame, dict):
        return {key: with_id(value, request_id) for key, value in frame.items()}
    if isinstance(frame, list):
        return [with_id(value, request_id) for value in frame]
    return frame


def plain_result(method: str, era: str) -> dict[str, Any]:
    plain: dict[str, dict[str, Any]] = {
        "tools/list": {"tools": [TOOL]},
        "tools/call": {"content": TEXT},
        "resources/read": {"contents": [{"uri": "file:///a", "text": "a"}]},
        "prompts/get": {"messages": []},
    }
    result = plain.get(method, {})
    if era == "modern":
        result = {**result, "resultType": "complete"}
        if method == "tools/list":
            result.update(ttlMs=0, cacheScope="private")
    return result


def main(rule: str) -> int:
    scenario = SCENARIOS.get(rule) or MODERN_CASES[rule]
    era = scenario.get("era", "legacy")
    capabilities = scenario.get("capabilities", {"tools": {}, "resources": {}, "prompts": {}})
    pages: dict[str, int] = {}
    for line in sys.stdin:
        message = json.loads(line)
        method = message.get("method")
        if "id" not in message:
            if method == "notifications/initialized":
                for frame in scenario.get("after_initialized", []):
                    send(frame)
            continue
        if method is None:
            continue  # our answer to a request of ours
        request_id = message["id"]
        if method == "initialize":
            result: Any = {
                "protocolVersion": scenario.get("version", message["params"]["protocolVersion"]),
                "capabilities": capabilities,
                "serverInfo": {"name": "rule-breaker", "version": "0"},
            }
        elif method == "server/discover":
            if era != "modern":
                send(
                    {"jsonrpc": "2.0", "id": request_id, "error": {"code": -32601, "message": "No"}}
                )
                continue
            result = {
                "supportedVersions": ["2026-07-28"],
                "capabilities": capabilities,
                "serverInfo": {"name": "rule-breaker", "version": "0"},
                "resultType": "complete",
            }
        else:
            canned = scenario.get("results", {}).get(method)
            if isinstance(canned, list):
                page = pages.get(method, 0)
                pages[method] = page + 1
                canned = canned[min(page, len(canned) - 1)]
            result = canned if canned is not None else plain_result(method, era)
        for frame in scenario.get("before", {}).get(method, []):
            send(with_id(frame, request_id))
        response = {"jsonrpc": "2.0", "id": request_id, "result": result}
        send(response)
        if scenario.get("duplicate") == method:
            send(response)
        for frame in scenario.get("after", {}).get(method, []):
            send(with_id(frame, request_id))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
