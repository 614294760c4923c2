"""Our client under the official conformance suite's client scenarios.

`conformance client --command "<python> tests/conformance/driver.py"` starts a mock server
for one scenario and runs this script with the server's URL as the last argument and the
scenario's name in `MCP_CONFORMANCE_SCENARIO`. The script drives the session layer the web
UI uses (a `LiveSession` over Streamable HTTP, events kept in memory), configured the same
way for every scenario; only what it then asks the server differs. It exits non-zero, with
the reason and the session's trace on stderr, when a scenario's script cannot be completed:
the suite counts that as a failure of the scenario.
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

# Run as a script, Python puts this directory on the path, not the repository's root, and
# the in-memory store lives with the tests.
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from inspector.mcp.client.types import ServerRequest, ServerRequestHandler
from inspector.mcp.trace import TraceEvent
from inspector.mcp.versions import DEFAULT_VERSION, Era, EraChoice, era_of, is_known
from inspector.sessions.session import LiveSession
from inspector.sessions.spec import ConnectionSpec, TransportKind
from inspector.sessions.status import SessionStatus
from tests.conformance.auth_scenarios import AUTH_SCENARIOS, connect, oauth_settings
from tests.sessions.memory_store import MemoryStore

CONNECT_TIMEOUT_SECONDS = 10.0
# Below the suite's own 30 s limit, so a hung request fails here with a trace.
REQUEST_TIMEOUT_SECONDS = 20.0

# Form mode named outright: an empty `elicitation` object also means form-only, but only by
# the 2025-11-25 back-compat rule (SEP-1036).
CAPABILITIES: dict[str, Any] = {"elicitation": {"form": {}}}


class ScenarioFailed(Exception):
    """The server did not offer what the scenario's script needs."""


async def accept_with_defaults(request: ServerRequest) -> dict[str, Any]:
    """Accept a form elicitation as a person who changes nothing would: every field that
    has a default gets it (SEP-1034), the others stay empty."""
    if request.params.get("mode", "form") != "form":
        return {"action": "decline"}
    schema = request.params.get("requestedSchema")
    properties = schema.get("properties") if isinstance(schema, dict) else None
    content: dict[str, Any] = {}
    if isinstance(properties, dict):
        for name, field in properties.items():
            if isinstance(field, dict) and "default" in field:
                content[name] = field["default"]
    return {"action": "accept", "content": content}


HANDLERS: dict[str, ServerRequestHandler] = {"elicitation/create": accept_with_defaults}


# -- the scenarios' scripts ---------------------------------------------------------------


async def list_tools(session: LiveSession) -> dict[str, dict[str, Any]]:
    result = await session.request("tools/list")
    tools = result.get("tools")
    if not isinstance(tools, list):
        raise ScenarioFailed(f"tools/list returned no tool list: {result!r}")
    return {tool["name"]: tool for tool in tools if isinstance(tool, dict) and "name" in tool}


async def call_tool(session: LiveSession, name: str, arguments: dict[str, Any]) -> dict[str, Any]:
    tools = await list_tools(session)
    if name not in tools:
        raise ScenarioFailed(f"The server offers no tool {name!r} (it has {sorted(tools)}).")
    result = await session.request("tools/call", {"name": name, "arguments": arguments})
    if result.get("isError"):
        raise ScenarioFailed(f"The tool {name!r} failed: {result!r}")
    return result


async def handshake_only(session: LiveSession) -> None:
    """`initialize`: connecting was the whole exercise."""


async def add_numbers(session: LiveSession) -> None:
    await call_tool(session, "add_numbers", {"a": 5, "b": 3})


async def elicitation_defaults(session: LiveSession) -> None:
    # The elicitation arrives while the call runs and is answered by `accept_with_defaults`.
    await call_tool(session, "test_client_elicitation_defaults", {})


async def reconnection(session: LiveSession) -> None:
    # The server closes the call's SSE stream early; the answer comes only on a resumed GET.
    await call_tool(session, "test_reconnection", {})


async def echo_schema(session: LiveSession) -> None:
    tools = await list_tools(session)
    focal = tools.get("json_schema_2020_12_tool")
    if focal is None or not isinstance(focal.get("inputSchema"), dict):
        raise ScenarioFailed("The server offers no json_schema_2020_12_tool with an inputSchema.")
    await call_tool(session, "json_schema_echo", {"schema": focal["inputSchema"]})


Script = Callable[[LiveSession], Awaitable[None]]

SCENARIOS: dict[str, Script] = {
    "initialize": handshake_only,
    "tools_call": add_numbers,
    "elicitation-sep1034-client-defaults": elicitation_defaults,
    "sse-retry": reconnection,
    "json-schema-2020-12-preservation": echo_schema,
    **AUTH_SCENARIOS,
}


# -- running ------------------------------------------------------------------------------


def protocol_version() -> str:
    version = os.environ.get("MCP_CONFORMANCE_PROTOCOL_VERSION") or DEFAULT_VERSION
    if not is_known(version):
        raise ScenarioFailed(f"Unknown protocol version {version!r}.")
    return version


def scripts_for(era: Era) -> dict[str, Script]:
    if era is Era.LEGACY:
        return SCENARIOS
    from tests.conformance.modern_scenarios import MODERN_SCENARIOS

    return MODERN_SCENARIOS


async def run(scenario: str, url: str) -> int:
    try:
        version = protocol_version()
    except ScenarioFailed as exc:
        print(exc, file=sys.stderr)
        return 2
    # The era the suite asked for, spoken outright: detecting it would test something else.
    era = era_of(version)
    scripts = scripts_for(era)
    script = scripts.get(scenario)
    if script is None:
        known = ", ".join(scripts)
        print(f"Unknown scenario {scenario!r} in the {era} era; known: {known}", file=sys.stderr)
        return 2
    spec = ConnectionSpec(
        TransportKind.HTTP,
        url=url,
        protocol_version=version,
        era=EraChoice(era.value),
        connect_timeout=CONNECT_TIMEOUT_SECONDS,
        request_timeout=REQUEST_TIMEOUT_SECONDS,
        max_total_timeout=REQUEST_TIMEOUT_SECONDS,
        oauth=oauth_settings(scenario),
    )
    store = MemoryStore()
    session = LiveSession(spec, store=store, handlers=HANDLERS, capabilities=CAPABILITIES)
    failure: str | None = None
    try:
        await connect(session)
        if session.status is not SessionStatus.CONNECTED:
            failure = f"Could not connect: {session.error}"
        else:
            await script(session)
    except Exception as exc:
        failure = f"{type(exc).__name__}: {exc}"
    finally:
        await session.close()
    if failure is not None:
        print(f"Scenario {scenario} failed: {failure}", file=sys.stderr)
        print_trace(store.events.get(session.id, []))
        return 1
    return 0


def print_trace(events: list[TraceEvent]) -> None:
    """The session's events, one line each: what the suite keeps as the client's stderr."""
    for event in events:
        print(
            f"{event.seq:>4} {event.kind.value:<9} {event.direction.value:<5} {event.text}",
            file=sys.stderr,
        )


def main() -> int:
    scenario = os.environ.get("MCP_CONFORMANCE_SCENARIO", "")
    if len(sys.argv) < 2:
        print(
            "usage: driver.py <server-url> (scenario in MCP_CONFORMANCE_SCENARIO)", file=sys.stderr
        )
        return 2
    return asyncio.run(run(scenario, sys.argv[-1]))


if __name__ == "__main__":
    sys.exit(main())
