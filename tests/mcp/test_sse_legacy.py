"""The legacy HTTP+SSE transport against a real `mcp` server and a deliberately broken one."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from inspector.mcp.errors import ConnectError, FailureLayer, HttpStatusError, TransportClosed
from inspector.mcp.masking import MASK
from inspector.mcp.trace import EventKind
from inspector.mcp.transports.sse_legacy import LegacySseTransport
from tests.servers.http_harness import (
    Recorder,
    RunningServer,
    header,
    initialize,
    notification,
    request,
    request_log,
)

SECRET = "Bearer s3cr3t-t0ken-that-must-not-show"


@pytest.fixture
async def transports() -> AsyncIterator[Callable[..., tuple[LegacySseTransport, Recorder]]]:
    """Build transports bound to fresh recorders; every one is closed after the test."""
    made: list[LegacySseTransport] = []

    def _make(url: str, **options: Any) -> tuple[LegacySseTransport, Recorder]:
        transport = LegacySseTransport(url, **options)
        recorder = Recorder()
        transport.bind(recorder)
        made.append(transport)
        return transport, recorder

    yield _make
    for transport in made:
        await transport.close()


Make = Callable[..., tuple[LegacySseTransport, Recorder]]


async def test_session_with_a_real_server(mcp_http_server: RunningServer, transports: Make) -> None:
    transport, recorder = transports(
        mcp_http_server.url("/legacy/sse"), headers={"Authorization": SECRET}
    )
    await transport.open()
    assert transport.endpoint is not None
    assert transport.endpoint.startswith(mcp_http_server.url("/legacy/messages/?session_id="))
    get = recorder.http("GET")[0]
    assert get.detail["status"] == 200
    assert header(get.detail["request_headers"], "Accept") == "text/event-stream"
    assert header(get.detail["request_headers"], "Authorization") == f"Bearer s3cr{MASK}"

    await transport.send(initialize(version="2024-11-05"))
    await recorder.wait_for(lambda: recorder.response_to(1) is not None)
    await transport.send(notification("notifications/initialized"))
    await transport.send(request(2, "tools/call", {"name": "add", "arguments": {"a": 4, "b": 5}}))
    await recorder.wait_for(lambda: recorder.response_to(2) is not None)

    answer = recorder.response_to(2)
    assert answer is not None
    assert answer["result"]["structuredContent"] == {"result": 9}
    posts = recorder.http("POST")
    assert [e.detail["status"] for e in posts] == [202, 202, 202]
    assert all(header(e.detail["request_headers"], "Authorization") for e in posts)
    assert all(header(e.detail["request_headers"], "MCP-Protocol-Version") is None for e in posts)
    assert SECRET.split()[1] not in repr(recorder.events)

    await transport.close()
    await transport.close()
    assert recorder.closed == []
    with pytest.raises(TransportClosed):
        await transport.send(request(3, "tools/list"))
    assert transport.describe()["endpoint"] == transport.endpoint


async def test_refuses_a_cross_origin_endpoint(
    broken_http_server: RunningServer, transports: Make, path_token: str
) -> None:
    transport, recorder = transports(broken_http_server.url(f"/{path_token}/legacy-offsite"))
    with pytest.raises(ConnectError) as caught:
        await transport.open()
    assert caught.value.layer is FailureLayer.PROTOCOL
    assert "refused cross-origin endpoint" in str(caught.value).lower()
    assert "attacker.invalid" in str(caught.value)
    assert any("cross-origin" in t for t in recorder.texts(EventKind.ERROR))
    assert transport.endpoint is None
    assert recorder.closed == []


async def test_no_endpoint_in_time(
    broken_http_server: RunningServer, transports: Make, path_token: str
) -> None:
    transport, _ = transports(broken_http_server.url(f"/{path_token}/legacy-silent"), timeout=0.5)
    with pytest.raises(ConnectError) as caught:
        await transport.open()
    assert caught.value.layer is FailureLayer.TIMEOUT


async def test_stream_events_and_its_end(
    broken_http_server: RunningServer, transports: Make, path_token: str
) -> None:
    transport, recorder = transports(broken_http_server.url(f"/{path_token}/legacy-flaky"))
    await transport.open()
    # A relative endpoint resolves against the SSE URL.
    assert transport.endpoint == broken_http_server.url(f"/{path_token}/messages?session=abc")
    await transport.send(initialize(version="2024-11-05"))
    assert recorder.http("POST")[0].detail["status"] == 202

    await recorder.wait_for(lambda: recorder.closed != [])
    sse = recorder.texts(EventKind.SSE)
    assert "Empty SSE event (keep-alive)." in sse
    assert "Ignored an SSE event of type 'surprise'." in sse
    assert sse[-1] == "The server closed the SSE stream."
    (frame,) = recorder.frames()
    assert frame.detail["sse_event_id"] == "m-1"
    assert len(recorder.closed) == 1
    with pytest.raises(TransportClosed):
        await transport.send(request(2, "tools/list"))

    logged = await request_log(broken_http_server, path_token)
    post = next(entry for entry in logged if entry["method"] == "POST")
    assert (post["scenario"], post["query"]) == ("messages", "session=abc")
    assert post["headers"]["content-type"] == "application/json"


async def test_post_errors_raise_http_status_error(
    broken_http_server: RunningServer, transports: Make, path_token: str
) -> None:
    transport, _ = transports(broken_http_server.url(f"/{path_token}/legacy-badpost"))
    await transport.open()
    with pytest.raises(HttpStatusError) as caught:
        await transport.send(initialize(version="2024-11-05"))
    assert caught.value.status == 404
    assert caught.value.body == "No such scenario"


async def test_http_error_on_open(
    broken_http_server: RunningServer, transports: Make, path_token: str
) -> None:
    transport, recorder = transports(broken_http_server.url(f"/{path_token}/no-such-scenario"))
    with pytest.raises(ConnectError) as caught:
        await transport.open()
    assert (caught.value.layer, caught.value.status) == (FailureLayer.HTTP, 404)
    assert recorder.http("GET")[0].detail["status"] == 404


async def test_not_an_sse_endpoint(mcp_http_server: RunningServer, transports: Make) -> None:
    transport, _ = transports(mcp_http_server.url("/healthz"))
    with pytest.raises(ConnectError) as caught:
        await transport.open()
    assert caught.value.layer is FailureLayer.PROTOCOL


@pytest.mark.parametrize(
    ("url", "layer"),
    [
        ("http://127.0.0.1:{port}/sse", FailureLayer.TCP),
        ("http://no-such-host.invalid/sse", FailureLayer.DNS),
        ("ftp://example.com/sse", FailureLayer.PROTOCOL),
    ],
)
async def test_connection_failures_name_their_layer(
    url: str, layer: FailureLayer, transports: Make, closed_port: int
) -> None:
    transport, _ = transports(url.format(port=closed_port), timeout=5.0)
    with pytest.raises(ConnectError) as caught:
        await transport.open()
    assert caught.value.layer is layer
