"""The whole client (handshake, requests, close) over the HTTP transports."""

from __future__ import annotations

import asyncio

import pytest

from inspector.mcp.client.client import McpClient
from inspector.mcp.client.types import ClientConfig
from inspector.mcp.eras.legacy import LegacyLifecycle
from inspector.mcp.errors import ConnectError, FailureLayer, RequestTimeout, TimeoutLimit
from inspector.mcp.trace import Direction, EventKind, TraceEvent
from inspector.mcp.transports.base import Transport
from inspector.mcp.transports.sse_legacy import LegacySseTransport
from inspector.mcp.transports.streamable_http import StreamableHttpTransport
from tests.servers.http_harness import RunningServer


async def run_calls(transport: Transport) -> list[TraceEvent]:
    events: list[TraceEvent] = []
    client = McpClient(
        transport,
        ClientConfig(request_timeout=10),
        on_event=events.append,
        lifecycle=LegacyLifecycle(),
    )
    try:
        server = await client.connect()
        assert server.protocol_version == "2025-11-25"
        result = await client.request("tools/call", {"name": "add", "arguments": {"a": 1, "b": 2}})
        assert result["content"][0]["text"] == "3"
    finally:
        await client.close()
    return events


@pytest.mark.parametrize("path", ["/stream/mcp", "/json/mcp"])
async def test_streamable_http_end_to_end(mcp_http_server: RunningServer, path: str) -> None:
    events = await run_calls(StreamableHttpTransport(mcp_http_server.url(path)))
    methods = [
        e.method for e in events if e.kind is EventKind.MESSAGE and e.direction is Direction.OUT
    ]
    assert methods == ["initialize", "notifications/initialized", "tools/call"]
    posts = [e for e in events if e.kind is EventKind.HTTP and e.detail.get("method") == "POST"]
    later = posts[1:]
    assert later
    assert all(
        e.detail["request_headers"].get("MCP-Protocol-Version") == "2025-11-25" for e in later
    ), "every request after initialize, the initialized notification included, carries it"
    assert any(e.detail.get("method") == "DELETE" for e in events if e.kind is EventKind.HTTP)


async def test_legacy_sse_end_to_end(mcp_http_server: RunningServer) -> None:
    events = await run_calls(LegacySseTransport(mcp_http_server.url("/legacy/sse")))
    answered = [e.method for e in events if e.direction is Direction.IN and e.duration_ms]
    assert answered == ["initialize", "tools/call"]
    opened = [e for e in events if e.kind is EventKind.HTTP and e.detail.get("method") == "GET"]
    assert opened, "the legacy transport starts with its GET event stream"


async def failed_connect(url: str) -> tuple[ConnectError, McpClient]:
    client = McpClient(
        StreamableHttpTransport(url), on_event=lambda event: None, lifecycle=LegacyLifecycle()
    )
    with pytest.raises(ConnectError) as raised:
        await client.connect()
    return raised.value, client


async def test_an_http_error_on_initialize_names_the_http_layer(
    broken_http_server: RunningServer, path_token: str
) -> None:
    error, _ = await failed_connect(broken_http_server.url(f"/{path_token}/no-such-scenario"))
    assert error.layer is FailureLayer.HTTP
    assert error.status == 404
    assert "No such scenario" in str(error)


async def test_a_session_expiring_during_the_handshake_fails_the_connect(
    broken_http_server: RunningServer, path_token: str
) -> None:
    error, client = await failed_connect(broken_http_server.url(f"/{path_token}/expired"))
    assert error.layer is FailureLayer.HTTP
    assert "during the handshake" in str(error)
    assert client.closed


async def test_an_unanswered_post_times_out_in_http_terms(mcp_http_server: RunningServer) -> None:
    # The JSON flavour holds the POST's status back until the result: with a request
    # timeout below the connect timeout, the send itself is what runs out of time.
    events: list[TraceEvent] = []
    transport = StreamableHttpTransport(mcp_http_server.url("/json/mcp"), timeout=30)
    config = ClientConfig(connect_timeout=30, request_timeout=0.3)
    client = McpClient(transport, config, on_event=events.append, lifecycle=LegacyLifecycle())
    try:
        await client.connect()
        with pytest.raises(RequestTimeout) as raised:
            await client.request("tools/call", {"name": "wait", "arguments": {"seconds": 2}})
        for _ in range(100):  # the cancellation goes out in the background
            if any(e.method == "notifications/cancelled" for e in events):
                break
            await asyncio.sleep(0.02)
    finally:
        await client.close()
    message = str(raised.value)
    assert raised.value.limit is TimeoutLimit.REQUEST
    assert "request timeout of 0.3 s" in message
    assert "HTTP POST" in message
    assert "not reading its input" not in message
    ended = [e for e in events if e.kind is EventKind.ERROR and e.detail.get("outcome")]
    assert [e.detail["outcome"] for e in ended] == ["timed out"]
    cancelled = [e for e in events if e.method == "notifications/cancelled"]
    assert cancelled, "the server is told that the request is over"
