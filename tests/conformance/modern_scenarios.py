"""What the driver asks of a server in the modern era (`--spec-version 2026-07-28`).

The session connects with the era set to modern; everything the scenarios check (the
`_meta` envelope, the mirrored headers, renegotiation, multi round-trip retries, excluded
tools) is the client's own behaviour, so the scripts only make the calls a person would.
"""

from __future__ import annotations

import json
import os
from collections.abc import Awaitable, Callable
from typing import Any

from inspector.sessions.session import LiveSession
from tests.conformance.auth_scenarios import MODERN_AUTH_SCENARIOS


class ScenarioFailed(Exception):
    """The server did not offer what the scenario's script needs."""


async def tools_by_name(session: LiveSession) -> dict[str, dict[str, Any]]:
    """The tools the client keeps (those with invalid `x-mcp-header` are excluded)."""
    result = await session.request("tools/list")
    tools = result.get("tools")
    if not isinstance(tools, list):
        raise ScenarioFailed(f"tools/list returned no tool list: {result!r}")
    return {tool["name"]: tool for tool in tools if isinstance(tool, dict) and "name" in tool}


async def call_tool(session: LiveSession, name: str, arguments: dict[str, Any]) -> dict[str, Any]:
    result = await session.request("tools/call", {"name": name, "arguments": arguments})
    if result.get("isError"):
        raise ScenarioFailed(f"The tool {name!r} failed: {result!r}")
    return result


def placeholder_arguments(tool: dict[str, Any]) -> dict[str, Any]:
    """A value for each required argument, as a person filling the form minimally would."""
    schema = tool.get("inputSchema") or {}
    properties = schema.get("properties") or {}
    samples = {"string": "example", "integer": 1, "number": 1, "boolean": True}
    arguments: dict[str, Any] = {}
    for name in schema.get("required") or []:
        kind = (properties.get(name) or {}).get("type")
        arguments[name] = samples.get(kind, {}) if isinstance(kind, str) else "example"
    return arguments


async def add_numbers(session: LiveSession) -> None:
    tools = await tools_by_name(session)
    if "add_numbers" not in tools:
        raise ScenarioFailed(f"The server offers no add_numbers tool (it has {sorted(tools)}).")
    await call_tool(session, "add_numbers", {"a": 5, "b": 3})


async def list_only(session: LiveSession) -> None:
    """Listing the tools is the exercise (nothing in a schema is fetched)."""
    await tools_by_name(session)


async def every_kind_of_named_request(session: LiveSession) -> None:
    """One of each request that carries `Mcp-Name`, after the lists that name them."""
    tools = await tools_by_name(session)
    for tool in list(tools.values())[:1]:
        await call_tool(session, tool["name"], placeholder_arguments(tool))
    resources = (await session.request("resources/list")).get("resources") or []
    for resource in resources[:1]:
        await session.request("resources/read", {"uri": resource["uri"]})
    prompts = (await session.request("prompts/list")).get("prompts") or []
    for prompt in prompts[:1]:
        await session.request("prompts/get", {"name": prompt["name"], "arguments": {}})


async def calls_from_context(session: LiveSession) -> None:
    """The calls the suite hands over in MCP_CONFORMANCE_CONTEXT, after listing."""
    context = json.loads(os.environ.get("MCP_CONFORMANCE_CONTEXT") or "{}")
    calls = context.get("toolCalls") or []
    if not calls:
        raise ScenarioFailed("The suite gave no toolCalls in MCP_CONFORMANCE_CONTEXT.")
    tools = await tools_by_name(session)
    for call in calls:
        if call["name"] not in tools:
            raise ScenarioFailed(f"The server offers no tool {call['name']!r}.")
        await call_tool(session, call["name"], call["arguments"])


async def every_kept_tool(session: LiveSession) -> None:
    """Call each tool the client kept; excluded ones are never offered, so never called."""
    tools = await tools_by_name(session)
    if not tools:
        raise ScenarioFailed("No tool was kept.")
    for tool in tools.values():
        await call_tool(session, tool["name"], placeholder_arguments(tool))


async def multi_round_trips(session: LiveSession) -> None:
    """Each MRTR tool in turn; the elicitations are answered by the driver's handler."""
    tools = await tools_by_name(session)
    for name in (
        "test_mrtr_echo_state",
        "test_mrtr_no_state",
        "test_mrtr_unrelated",
        "test_mrtr_no_result_type",
    ):
        if name not in tools:
            raise ScenarioFailed(f"The server offers no tool {name!r}.")
        await call_tool(session, name, {})


async def echo_schema(session: LiveSession) -> None:
    tools = await tools_by_name(session)
    focal = tools.get("json_schema_2020_12_tool")
    if focal is None or not isinstance(focal.get("inputSchema"), dict):
        raise ScenarioFailed("The server offers no json_schema_2020_12_tool with an inputSchema.")
    await call_tool(session, "json_schema_echo", {"schema": focal["inputSchema"]})


async def connect_and_list(session: LiveSession) -> None:
    """Any request will do: every one carries the metadata under test."""
    await tools_by_name(session)


Script = Callable[[LiveSession], Awaitable[None]]

MODERN_SCENARIOS: dict[str, Script] = {
    "tools_call": add_numbers,
    "request-metadata": connect_and_list,
    "sep-2322-client-request-state": multi_round_trips,
    "http-standard-headers": every_kind_of_named_request,
    "http-custom-headers": calls_from_context,
    "http-invalid-tool-headers": every_kept_tool,
    "json-schema-ref-no-deref": list_only,
    "json-schema-2020-12-preservation": echo_schema,
    **MODERN_AUTH_SCENARIOS,
}
