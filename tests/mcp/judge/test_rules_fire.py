"""Every rule fires: a real server that breaks it (`tests/servers/rule_breaker.py`), walked
by the client, draws the rule's finding, with the rule's severity and spec link; the
capability rules fire in the modern era too."""

from __future__ import annotations

import asyncio

import pytest

from inspector.mcp.client.client import McpClient
from inspector.mcp.client.types import ClientConfig
from inspector.mcp.eras.auto import lifecycle_for
from inspector.mcp.errors import McpError
from inspector.mcp.judge.rules import RULES
from inspector.mcp.trace import TraceEvent
from inspector.mcp.transports.stdio import StdioTransport
from inspector.mcp.versions import EraChoice
from tests.conftest import fixture_server
from tests.servers.rule_breaker import MODERN_CASES, SCENARIOS

# Framing rules (jsonrpc.*, client.*) have their own tests (tests/mcp/test_jsonrpc.py,
# test_client_stdio.py); every rule of the judge has a scenario.
JUDGE_RULES = sorted(rule for rule in RULES if not rule.startswith(("jsonrpc.", "client.")))


def test_every_rule_of_the_judge_has_a_scenario() -> None:
    assert sorted(SCENARIOS) == JUDGE_RULES


async def walk_broken(case: str) -> list[TraceEvent]:
    events: list[TraceEvent] = []
    scenario = SCENARIOS.get(case) or MODERN_CASES[case]
    modern = scenario.get("era") == "modern"
    era = EraChoice.MODERN if modern else EraChoice.LEGACY
    config = ClientConfig(
        era=era,
        request_timeout=5,
        connect_timeout=5,
        capabilities={"elicitation": {"form": {}}},
        protocol_version=scenario.get("version", "2025-11-25"),
    )
    client = McpClient(
        StdioTransport(fixture_server("rule_breaker", case)),
        config,
        on_event=events.append,
        lifecycle=lifecycle_for(era, "stdio"),
    )
    try:
        await client.connect()
        params: dict[str, object] = {}
        for _ in range(3):
            result = await attempt(client, "tools/list", params)
            cursor = result.get("nextCursor")
            if not isinstance(cursor, str):
                break
            params = {"cursor": cursor}
        await attempt(client, "tools/call", {"name": "probe", "arguments": {}})
        await attempt(client, "resources/read", {"uri": "file:///a"})
        await asyncio.sleep(0.3)  # what the server sends unasked, and late
    finally:
        await client.close()
    return events


async def attempt(client: McpClient, method: str, params: dict[str, object]) -> dict[str, object]:
    try:
        return await client.request(method, params)
    except McpError:
        return {}


@pytest.mark.parametrize("rule", JUDGE_RULES)
async def test_the_rule_fires_on_its_broken_server(rule: str) -> None:
    await assert_fires(rule, rule)


@pytest.mark.parametrize("case", sorted(MODERN_CASES))
async def test_the_capability_rules_fire_in_the_modern_era(case: str) -> None:
    assert MODERN_CASES[case]["era"] == "modern"
    await assert_fires(case, case.split("/")[0])


async def assert_fires(case: str, rule: str) -> None:
    events = await walk_broken(case)
    fired = [finding for event in events for finding in event.findings if finding.rule == rule]
    assert fired, f"{rule} did not fire; saw {[f.rule for e in events for f in e.findings]}"
    assert fired[0].severity is RULES[rule].severity
    assert fired[0].spec_url.startswith("https://modelcontextprotocol.io/specification/20")
