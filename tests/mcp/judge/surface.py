"""Walking a server's whole surface through a client, as a person would in the inspector:
every list (all pages), every tool called, every prompt got, every resource read."""

from __future__ import annotations

from typing import Any

from inspector.mcp.client.client import McpClient
from inspector.mcp.client.types import ClientConfig, RequestOptions, ServerRequest
from inspector.mcp.errors import McpError
from inspector.mcp.findings import Finding, Severity
from inspector.mcp.trace import EventKind, TraceEvent

CALL_OPTIONS = RequestOptions(timeout=8, max_total=8)
# The client declares what the handlers below answer, so that a server may use them.
CAPABILITIES: dict[str, Any] = {
    "sampling": {},
    "elicitation": {"form": {}},
    "roots": {"listChanged": True},
}


def config(**options: Any) -> ClientConfig:
    return ClientConfig(
        capabilities=CAPABILITIES, request_timeout=10, connect_timeout=15, **options
    )


def answer_everything(client: McpClient) -> None:
    async def sample(request: ServerRequest) -> dict[str, Any]:
        return {"role": "assistant", "content": {"type": "text", "text": "ok"}, "model": "test"}

    async def elicit(request: ServerRequest) -> dict[str, Any]:
        return {"action": "decline"}

    async def roots(request: ServerRequest) -> dict[str, Any]:
        return {"roots": [{"uri": "file:///tmp", "name": "tmp"}]}

    client.handlers["sampling/createMessage"] = sample
    client.handlers["elicitation/create"] = elicit
    client.handlers["roots/list"] = roots


async def walk(client: McpClient) -> None:
    capabilities = client.server.capabilities if client.server else {}
    if "tools" in capabilities:
        for tool in await listing(client, "tools/list", "tools"):
            arguments = example(tool.get("inputSchema") or {})
            await attempt(client, "tools/call", {"name": tool["name"], "arguments": arguments})
    if "prompts" in capabilities:
        for prompt in await listing(client, "prompts/list", "prompts"):
            arguments = {
                argument["name"]: "x"
                for argument in prompt.get("arguments") or []
                if argument.get("required")
            }
            await attempt(client, "prompts/get", {"name": prompt["name"], "arguments": arguments})
    if "resources" in capabilities:
        for resource in (await listing(client, "resources/list", "resources"))[:20]:
            await attempt(client, "resources/read", {"uri": resource["uri"]})
        await listing(client, "resources/templates/list", "resourceTemplates")


async def listing(client: McpClient, method: str, key: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    params: dict[str, Any] = {}
    for _ in range(20):
        result = await attempt(client, method, params)
        found += [item for item in result.get(key) or [] if isinstance(item, dict)]
        cursor = result.get("nextCursor")
        if not isinstance(cursor, str):
            break
        params = {"cursor": cursor}
    return found


async def attempt(client: McpClient, method: str, params: dict[str, Any]) -> dict[str, Any]:
    """The result, or nothing when the server refused (a refusal is not a finding)."""
    try:
        return await client.request(method, params, CALL_OPTIONS)
    except McpError:
        return {}


def example(schema: dict[str, Any]) -> dict[str, Any]:
    """Arguments for the required properties of an input schema, each a plain value."""
    properties = schema.get("properties") or {}
    return {name: _value(properties.get(name) or {}) for name in schema.get("required") or []}


def _value(schema: dict[str, Any]) -> Any:
    if "default" in schema:
        return schema["default"]
    if schema.get("enum"):
        return schema["enum"][0]
    kind = schema.get("type")
    if kind in ("integer", "number"):
        return max(1, schema.get("minimum", 1))
    if kind == "boolean":
        return True
    if kind == "array":
        return []
    if kind == "object":
        return example(schema)
    if schema.get("format") == "uri":
        return "https://example.com/"
    return "x"


def alarms(events: list[TraceEvent]) -> list[tuple[str, Finding]]:
    """Every warning or error on a message (info notes what is deprecated, rightly)."""
    return [
        (event.text[:300], finding)
        for event in events
        if event.kind is EventKind.MESSAGE
        for finding in event.findings
        if finding.severity is not Severity.INFO
    ]
