"""The modern era (2026-07-28) in the protocol core, against `mcp` 2.3.0 servers."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest

from inspector.mcp.client.client import McpClient
from inspector.mcp.client.types import ClientConfig, RequestOptions, ServerRequest
from inspector.mcp.eras.auto import lifecycle_for
from inspector.mcp.eras.base import Lifecycle
from inspector.mcp.eras.modern import (
    CLIENT_CAPABILITIES_KEY,
    CLIENT_INFO_KEY,
    LOG_LEVEL_KEY,
    PROTOCOL_VERSION_KEY,
    ModernLifecycle,
)
from inspector.mcp.eras.param_headers import (
    InvalidToolHeaders,
    UnmirrorableArgument,
    encode_value,
    param_headers,
    tool_param_headers,
)
from inspector.mcp.errors import (
    ConnectError,
    FailureLayer,
    RequestCancelled,
    RequestError,
    RequestRefused,
    RequestTimeout,
    TimeoutLimit,
)
from inspector.mcp.trace import (
    ORIGIN_DETAIL,
    ROUND_DETAIL,
    Direction,
    EventKind,
    MessageType,
    TraceEvent,
)
from inspector.mcp.transports.base import Transport
from inspector.mcp.transports.sse_legacy import LegacySseTransport
from inspector.mcp.transports.stdio import StdioTransport
from inspector.mcp.transports.streamable_http import StreamableHttpTransport
from inspector.mcp.versions import Era, EraChoice
from tests.conftest import fixture_server
from tests.servers.http_harness import RunningServer


@pytest.fixture
async def clients() -> AsyncIterator[Callable[..., tuple[McpClient, list[TraceEvent]]]]:
    made: list[McpClient] = []

    def make(
        transport: Transport,
        era: EraChoice = EraChoice.MODERN,
        lifecycle: Lifecycle | None = None,
        **options: Any,
    ) -> tuple[McpClient, list[TraceEvent]]:
        events: list[TraceEvent] = []

        def record(event: TraceEvent) -> None:
            # Numbered as the session's log numbers them: events link to each other by seq.
            event.seq = len(events) + 1
            events.append(event)

        config = ClientConfig(era=era, request_timeout=15, connect_timeout=15, **options)
        lifecycle = lifecycle or lifecycle_for(era, transport.kind)
        client = McpClient(transport, config, on_event=record, lifecycle=lifecycle)
        made.append(client)
        return client, events

    yield make
    for client in made:
        await client.close()


def stdio_modern() -> StdioTransport:
    return StdioTransport(fixture_server("modern_server"))


def raw_stdio(*behaviours: str) -> StdioTransport:
    return StdioTransport(fixture_server("raw_modern_stdio", *behaviours))


def sent(events: list[TraceEvent], method: str) -> list[TraceEvent]:
    return [
        e
        for e in events
        if e.kind is EventKind.MESSAGE
        and e.direction is Direction.OUT
        and e.message_type is MessageType.REQUEST
        and e.method == method
    ]


def posts(events: list[TraceEvent], method: str) -> list[dict[str, str]]:
    """The request headers of every POST that carried `method`."""
    return [
        e.detail["request_headers"]
        for e in events
        if e.kind is EventKind.HTTP
        and e.detail.get("method") == "POST"
        and e.detail["request_headers"].get("Mcp-Method") == method
    ]


async def eventually(check: Callable[[], bool | Awaitable[bool]], timeout: float = 5.0) -> None:
    for _ in range(int(timeout / 0.05)):
        outcome = check()
        if await outcome if isinstance(outcome, Awaitable) else outcome:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"not within {timeout:g} s")


# -- establishing ------------------------------------------------------------------


async def test_auto_on_stdio_finds_a_modern_server_by_discover(clients: Any) -> None:
    client, events = clients(stdio_modern(), EraChoice.AUTO)
    server = await client.connect()
    assert (server.era, server.protocol_version) == (Era.MODERN, "2026-07-28")
    assert server.name == "modern-fixture"
    assert server.instructions == "A modern fixture."
    assert "2026-07-28" in server.supported_versions
    assert "server/discover answered" in server.era_reason
    assert not sent(events, "initialize"), "a modern server gets no handshake"
    settled = [e for e in events if e.kind is EventKind.LIFECYCLE and "era_reason" in e.detail]
    assert settled[-1].detail["era"] == "modern"


async def test_auto_over_http_sse_speaks_legacy_without_probing(
    clients: Any, mcp_http_server: RunningServer
) -> None:
    # The dual-era fixture would answer server/discover, but no spec defines the modern
    # era over HTTP+SSE (which sends no MCP-Protocol-Version or Mcp-Method headers).
    client, events = clients(LegacySseTransport(mcp_http_server.url("/legacy/sse")), EraChoice.AUTO)
    server = await client.connect()
    assert server.era is Era.LEGACY
    assert not sent(events, "server/discover")
    assert sent(events, "initialize")


async def test_modern_over_http_sse_is_refused_with_a_reason(
    clients: Any, mcp_http_server: RunningServer
) -> None:
    client, events = clients(LegacySseTransport(mcp_http_server.url("/legacy/sse")))
    with pytest.raises(ConnectError, match="not defined over the deprecated HTTP\\+SSE"):
        await client.connect()
    assert not sent(events, "server/discover")


@pytest.mark.parametrize(
    "result", ["{}", '{"supportedVersions": "2026-07-28"}', '{"supportedVersions": [1]}']
)
async def test_auto_falls_back_when_discover_lists_no_versions(clients: Any, result: str) -> None:
    # A permissive legacy server answering unknown methods with a result is not modern.
    client, events = clients(raw_stdio(f"discover={result}"), EraChoice.AUTO)
    server = await client.connect()
    assert (server.era, server.protocol_version) == (Era.LEGACY, "2025-11-25")
    assert "supportedVersions" in server.era_reason
    assert sent(events, "initialize")


async def test_auto_falls_back_when_discover_lists_only_legacy_versions(clients: Any) -> None:
    client, events = clients(
        raw_stdio('discover={"supportedVersions": ["2025-06-18"]}'), EraChoice.AUTO
    )
    server = await client.connect()
    assert server.era is Era.LEGACY
    assert sent(events, "initialize")[0].payload["params"]["protocolVersion"] == "2025-06-18"


async def test_modern_refuses_a_discover_without_a_common_version(clients: Any) -> None:
    client, _ = clients(raw_stdio('discover={"supportedVersions": ["2025-11-25"]}'))
    with pytest.raises(ConnectError, match="supports: 2025-11-25") as caught:
        await client.connect()
    assert caught.value.layer is FailureLayer.PROTOCOL


async def test_modern_refuses_a_discover_result_without_versions(clients: Any) -> None:
    client, _ = clients(raw_stdio("discover={}"))
    with pytest.raises(ConnectError, match="without a list of supportedVersions"):
        await client.connect()


async def test_a_version_refused_again_after_renegotiating_fails_the_connect(
    clients: Any,
) -> None:
    client, events = clients(
        raw_stdio("discover-error=-32022"), lifecycle=ModernLifecycle("2099-01-01")
    )
    with pytest.raises(ConnectError, match="2099-01-01, then 2026-07-28") as caught:
        await client.connect()
    assert caught.value.layer is FailureLayer.PROTOCOL
    assert len(sent(events, "server/discover")) == 2


@pytest.mark.parametrize("code", [-32020, -32021])
async def test_a_modern_refusal_of_discover_fails_the_connect(clients: Any, code: int) -> None:
    client, _ = clients(raw_stdio(f"discover-error={code}"), EraChoice.AUTO)
    with pytest.raises(ConnectError, match=f"refused server/discover with {code}"):
        await client.connect()


async def test_auto_surfaces_a_server_error_on_discover_instead_of_falling_back(
    clients: Any, broken_http_server: RunningServer, path_token: str
) -> None:
    url = broken_http_server.url(f"/{path_token}/discover-503")
    client, events = clients(StreamableHttpTransport(url), EraChoice.AUTO)
    with pytest.raises(ConnectError, match="HTTP 503") as caught:
        await client.connect()
    assert caught.value.status == 503
    assert not sent(events, "initialize")


async def test_auto_takes_404_with_method_not_found_as_a_modern_answer(
    clients: Any, broken_http_server: RunningServer, path_token: str
) -> None:
    # streamable-http.mdx: the JSON-RPC body tells this from a legacy server's 404.
    url = broken_http_server.url(f"/{path_token}/discover-404")
    client, events = clients(StreamableHttpTransport(url), EraChoice.AUTO)
    server = await client.connect()
    assert server.era is Era.MODERN
    assert "-32601" in server.era_reason
    assert not sent(events, "initialize")


async def test_every_modern_request_carries_the_meta_envelope(clients: Any) -> None:
    client, events = clients(stdio_modern(), log_level="debug")
    await client.connect()
    result = await client.request("tools/call", {"name": "add", "arguments": {"a": 2, "b": 3}})
    assert result["content"][0]["text"] == "5"
    meta = sent(events, "tools/call")[0].payload["params"]["_meta"]
    assert meta[PROTOCOL_VERSION_KEY] == "2026-07-28"
    assert meta[CLIENT_INFO_KEY]["name"] == "inspector"
    assert CLIENT_CAPABILITIES_KEY in meta
    assert meta[LOG_LEVEL_KEY] == "debug"


async def test_an_unsupported_version_is_renegotiated_from_the_servers_list(
    clients: Any,
) -> None:
    # A client that prefers a version the server does not speak.
    client, events = clients(stdio_modern(), lifecycle=ModernLifecycle("2099-01-01"))
    server = await client.connect()
    assert server.protocol_version == "2026-07-28"
    assert "renegotiating from 2099-01-01" in server.era_reason
    discovers = sent(events, "server/discover")
    versions = [d.payload["params"]["_meta"][PROTOCOL_VERSION_KEY] for d in discovers]
    assert versions == ["2099-01-01", "2026-07-28"]
    assert discovers[0].message_id != discovers[1].message_id


async def test_the_http_renegotiation_reads_the_400_body(
    clients: Any, mcp_http_server: RunningServer
) -> None:
    transport = StreamableHttpTransport(mcp_http_server.url("/modern/mcp"))
    client, events = clients(transport, lifecycle=ModernLifecycle("2099-01-01"))
    server = await client.connect()
    assert server.protocol_version == "2026-07-28"
    statuses = [
        e.detail.get("status")
        for e in events
        if e.kind is EventKind.HTTP and e.detail.get("method") == "POST"
    ]
    assert statuses[:2] == [400, 200]
    headers = posts(events, "server/discover")
    assert [h["MCP-Protocol-Version"] for h in headers] == ["2099-01-01", "2026-07-28"]


# -- HTTP ------------------------------------------------------------------------------


async def test_modern_http_posts_name_their_method_and_target(
    clients: Any, mcp_http_server: RunningServer
) -> None:
    transport = StreamableHttpTransport(mcp_http_server.url("/modern/mcp"))
    client, events = clients(transport)
    await client.connect()
    await client.request("tools/list")
    result = await client.request(
        "tools/call", {"name": "region_weather", "arguments": {"region": "Île-de-France"}}
    )
    call = posts(events, "tools/call")[0]
    assert call["Mcp-Name"] == "region_weather"
    assert call["MCP-Protocol-Version"] == "2026-07-28"
    # Not plain ASCII, so Base64 in the spec's sentinel; the server decoded and matched it.
    assert call["Mcp-Param-Region"] == encode_value("Île-de-France")
    assert call["Mcp-Param-Region"].startswith("=?base64?")
    assert result["content"][0]["text"].startswith("Île-de-France: sunny")
    await client.request("resources/read", {"uri": "memo://note"})
    assert posts(events, "resources/read")[0]["Mcp-Name"] == "memo://note"
    assert transport.session_id is None
    gets = [e for e in events if e.kind is EventKind.HTTP and e.detail.get("method") == "GET"]
    assert not gets, "no standalone GET stream in the modern era"


async def test_cancelling_over_modern_http_closes_the_response_stream(
    clients: Any, mcp_http_server: RunningServer
) -> None:
    transport = StreamableHttpTransport(mcp_http_server.url("/modern/mcp"))
    client, events = clients(transport)
    await client.connect()
    started: list[Any] = []
    call = asyncio.create_task(
        client.request(
            "tools/call",
            {"name": "slow", "arguments": {}},
            RequestOptions(on_started=started.append),
        )
    )
    await eventually(lambda: bool(started) and bool(client.in_flight()))
    await asyncio.sleep(0.3)  # the server is inside the tool
    assert await client.cancel(started[0], "enough")
    with pytest.raises(RequestCancelled):
        await call
    assert not sent(events, "notifications/cancelled")
    assert not [e for e in events if e.method == "notifications/cancelled"]
    closed = [e for e in events if e.kind is EventKind.HTTP and e.detail.get("cancelled")]
    assert closed
    assert "Closed the response stream" in closed[0].text

    async def cancelled_on_server() -> bool:
        result = await client.request("tools/call", {"name": "cancelled_calls", "arguments": {}})
        return "slow" in result["structuredContent"]["result"]

    await eventually(cancelled_on_server)
    gc.collect()
    assert not transport._abandoned, "what was cancelled is not kept for the session's life"


async def test_cancelling_over_modern_stdio_sends_the_notification(clients: Any) -> None:
    client, events = clients(stdio_modern())
    await client.connect()
    started: list[Any] = []
    call = asyncio.create_task(
        client.request(
            "tools/call",
            {"name": "slow", "arguments": {}},
            RequestOptions(on_started=started.append),
        )
    )
    await eventually(lambda: bool(started))
    await asyncio.sleep(0.3)
    assert await client.cancel(started[0], "enough")
    with pytest.raises(RequestCancelled):
        await call
    cancels = [e for e in events if e.method == "notifications/cancelled"]
    assert cancels[0].payload["params"]["requestId"] == started[0]
    await eventually(
        lambda: any(e.kind is EventKind.STDERR and "slow was cancelled" in e.text for e in events)
    )


# -- multi round-trip requests ---------------------------------------------------------------


async def test_input_requests_are_answered_by_the_handlers_and_the_call_retried(
    clients: Any,
) -> None:
    client, events = clients(stdio_modern(), capabilities={"elicitation": {"form": {}}})
    asked: list[ServerRequest] = []

    async def name_it(request: ServerRequest) -> dict[str, Any]:
        asked.append(request)
        return {"action": "accept", "content": {"name": "Ada"}}

    client.handlers["elicitation/create"] = name_it
    await client.connect()
    result = await client.request("tools/call", {"name": "greet", "arguments": {}})
    assert result["content"][0]["text"] == "Hello, Ada!"
    assert [r.method for r in asked] == ["elicitation/create"]
    assert asked[0].params["message"] == "Who is there?"

    first, retry = sent(events, "tools/call")
    assert first.message_id != retry.message_id
    retry_params = retry.payload["params"]
    assert retry_params["inputResponses"] == {
        asked[0].id: {"action": "accept", "content": {"name": "Ada"}}
    }
    state = next(
        e.payload["result"]["requestState"]
        for e in events
        if e.request_seq == first.seq and e.message_type is MessageType.RESULT
    )
    assert retry_params["requestState"] == state, "echoed unchanged"
    # Every round's events name the request that started the exchange.
    linked = [e for e in events if e.detail.get(ORIGIN_DETAIL) == first.seq]
    assert retry in linked
    assert asked[0].event in linked
    assert {e.detail[ROUND_DETAIL] for e in linked} == {1, 2}


async def test_a_refused_input_request_fails_the_call_and_says_which(clients: Any) -> None:
    client, _ = clients(stdio_modern(), capabilities={"sampling": {}})
    await client.connect()
    with pytest.raises(RequestRefused, match="sampling/createMessage"):
        await client.request("tools/call", {"name": "ask_llm", "arguments": {"question": "?"}})


# -- x-mcp-header ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "header"),
    [
        ("us-west1", "us-west1"),
        ("Hello, 世界", "=?base64?SGVsbG8sIOS4lueVjA==?="),
        (" padded ", "=?base64?IHBhZGRlZCA=?="),
        ("line1\nline2", "=?base64?bGluZTEKbGluZTI=?="),
        ("=?base64?literal?=", "=?base64?PT9iYXNlNjQ/bGl0ZXJhbD89?="),
        ("a\tb", "=?base64?YQli?="),
    ],
)
def test_header_values_are_encoded_as_the_spec_shows(value: str, header: str) -> None:
    assert encode_value(value) == header


def test_nested_designations_are_mirrored_and_absent_values_are_not() -> None:
    tool = {
        "name": "t",
        "inputSchema": {
            "type": "object",
            "properties": {
                "target": {
                    "type": "object",
                    "properties": {"zone": {"type": "integer", "x-mcp-header": "Zone"}},
                },
                "dry": {"type": "boolean", "x-mcp-header": "Dry"},
            },
        },
    }
    designated = tool_param_headers(tool)
    assert param_headers(designated, {"target": {"zone": 7}, "dry": False}) == {
        "Mcp-Param-Zone": "7",
        "Mcp-Param-Dry": "false",
    }
    assert param_headers(designated, {"dry": None}) == {}


def test_header_values_render_numbers_as_the_body_does_or_refuse() -> None:
    designated = tool_param_headers(
        {
            "name": "t",
            "inputSchema": {"properties": {"n": {"type": "integer", "x-mcp-header": "N"}}},
        }
    )
    assert param_headers(designated, {"n": 3.0}) == {"Mcp-Param-N": "3.0"}
    with pytest.raises(UnmirrorableArgument, match="outside"):
        param_headers(designated, {"n": 2**53})
    with pytest.raises(UnmirrorableArgument, match="declares it integer"):
        param_headers(designated, {"n": "3"})


async def test_an_argument_its_header_cannot_carry_is_refused_before_sending(
    clients: Any, mcp_http_server: RunningServer
) -> None:
    transport = StreamableHttpTransport(mcp_http_server.url("/modern/mcp"))
    client, events = clients(transport)
    await client.connect()
    await client.request("tools/list")
    with pytest.raises(RequestRefused, match=r"region is 1\.5, but the tool declares it string"):
        await client.request("tools/call", {"name": "region_weather", "arguments": {"region": 1.5}})
    assert not sent(events, "tools/call")


async def test_a_header_mismatch_refreshes_the_tool_from_a_later_page(
    clients: Any, broken_http_server: RunningServer, path_token: str
) -> None:
    url = broken_http_server.url(f"/{path_token}/paged-headers")
    client, events = clients(StreamableHttpTransport(url))
    await client.connect()
    result = await client.request("tools/call", {"name": "zoned", "arguments": {"zone": "eu"}})
    assert result["content"][0]["text"] == "zone eu"
    assert len(sent(events, "tools/list")) == 2, "both pages were read"
    calls = posts(events, "tools/call")
    assert "Mcp-Param-Zone" not in calls[0]
    assert calls[-1]["Mcp-Param-Zone"] == "eu"


@pytest.mark.parametrize(
    ("properties", "reason"),
    [
        ({"a": {"type": "number", "x-mcp-header": "A"}}, "only string, integer and boolean"),
        ({"a": {"type": "string", "x-mcp-header": ""}}, "empty"),
        ({"a": {"type": "string", "x-mcp-header": "My Region"}}, "not a valid HTTP header"),
        (
            {
                "a": {"type": "string", "x-mcp-header": "Same"},
                "b": {"type": "string", "x-mcp-header": "same"},
            },
            "used twice",
        ),
        (
            {"a": {"type": "array", "items": {"type": "string", "x-mcp-header": "A"}}},
            "not reachable",
        ),
    ],
)
def test_invalid_designations_exclude_the_tool_with_a_reason(
    properties: dict[str, Any], reason: str
) -> None:
    tool = {"name": "t", "inputSchema": {"type": "object", "properties": properties}}
    with pytest.raises(InvalidToolHeaders, match=reason):
        tool_param_headers(tool)


# -- bounds on what a server may ask ---------------------------------------------------


async def test_too_many_input_requests_fail_the_call_before_any_is_answered(
    clients: Any,
) -> None:
    asked: list[str] = []

    async def elicit(request: ServerRequest) -> dict[str, Any]:
        asked.append(str(request.id))
        return {"action": "decline"}

    client, events = clients(raw_stdio("inputs=5000"))
    client.handlers["elicitation/create"] = elicit
    await client.connect()
    with pytest.raises(RequestError, match="5000 input requests at once; at most 32"):
        await client.request("tools/call", {"name": "ask", "arguments": {}})
    assert asked == []
    assert len(sent(events, "tools/call")) == 1


async def test_an_input_request_for_another_method_is_refused(clients: Any) -> None:
    client, events = clients(raw_stdio("ask=ping"))
    await client.connect()
    with pytest.raises(RequestError, match="asks for ping, which is not one of"):
        await client.request("tools/call", {"name": "ask", "arguments": {}})
    assert not [e for e in events if e.detail.get("embedded") == "inputResponses"]


async def test_a_task_that_never_ends_is_given_up_at_the_maximum_total_time(
    clients: Any,
) -> None:
    client, events = clients(raw_stdio("endless-task"), max_total_timeout=1.0)
    await client.connect()
    with pytest.raises(RequestTimeout, match="maximum total time of 1 s") as caught:
        await client.request("tools/call", {"name": "ask", "arguments": {}})
    assert caught.value.limit is TimeoutLimit.TOTAL
    assert len(sent(events, "tasks/get")) >= 2
    assert sent(events, "tasks/cancel"), "the server is told to stop the task"


async def test_input_required_on_a_listing_is_a_protocol_violation(clients: Any) -> None:
    asked: list[str] = []

    async def elicit(request: ServerRequest) -> dict[str, Any]:
        asked.append(str(request.id))
        return {"action": "decline"}

    client, events = clients(raw_stdio("list-asks"))
    client.handlers["elicitation/create"] = elicit
    await client.connect()
    with pytest.raises(RequestError, match="asked for input on tools/list"):
        await client.request("tools/list")
    assert asked == []
    assert len(sent(events, "tools/list")) == 1
