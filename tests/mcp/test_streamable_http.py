"""The Streamable HTTP transport against real `mcp` servers and a deliberately broken one."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest

from inspector.mcp.errors import (
    ConnectError,
    FailureLayer,
    HttpStatusError,
    SessionExpired,
    TransportClosed,
)
from inspector.mcp.masking import MASK
from inspector.mcp.trace import Direction, EventKind
from inspector.mcp.transports.http_wire import display_url, failure_layer
from inspector.mcp.transports.streamable_http import StreamableHttpTransport
from tests.servers.http_harness import (
    Recorder,
    RunningServer,
    header,
    initialize,
    notification,
    request,
    request_log,
    result,
)

SECRET = "Bearer s3cr3t-t0ken-that-must-not-show"


@pytest.fixture
async def connect() -> AsyncIterator[Callable[..., Any]]:
    """Open transports bound to fresh recorders; every one is closed after the test."""
    opened: list[StreamableHttpTransport] = []

    async def _connect(url: str, **options: Any) -> tuple[StreamableHttpTransport, Recorder]:
        transport = StreamableHttpTransport(url, **options)
        recorder = Recorder()
        transport.bind(recorder)
        await transport.open()
        opened.append(transport)
        return transport, recorder

    yield _connect
    for transport in opened:
        await transport.close()


async def handshake(transport: StreamableHttpTransport, recorder: Recorder) -> None:
    await transport.send(initialize())
    await recorder.wait_for(lambda: recorder.response_to(1) is not None)
    await transport.send(notification("notifications/initialized"))


# --- Against real servers --------------------------------------------------------------


async def test_session_over_sse_responses(
    mcp_http_server: RunningServer, connect: Callable[..., Any]
) -> None:
    transport, recorder = await connect(
        mcp_http_server.url("/stream/mcp"), headers={"Authorization": SECRET}
    )
    assert recorder.events == []  # open() sends nothing

    await handshake(transport, recorder)
    init_post = recorder.http("POST")[0]
    assert init_post.direction is Direction.OUT
    assert init_post.detail["status"] == 200
    assert init_post.detail["content_type"].startswith("text/event-stream")
    assert init_post.text.startswith(f"POST {mcp_http_server.url('/stream/mcp')} → 200")
    sent = init_post.detail["request_headers"]
    assert header(sent, "Accept") == "application/json, text/event-stream"
    assert header(sent, "Content-Type") == "application/json"
    assert header(sent, "Authorization") == f"Bearer s3cr{MASK}"
    assert header(sent, "Mcp-Session-Id") is None
    assert header(sent, "MCP-Protocol-Version") is None
    assert SECRET.split()[1] not in repr(recorder.events)
    assert transport.session_id is not None

    await recorder.wait_for(lambda: len(recorder.http("POST")) == 2)
    initialized = recorder.http("POST")[1]
    assert initialized.detail["status"] == 202
    assert header(initialized.detail["request_headers"], "Mcp-Session-Id") is not None
    assert transport.session_id not in repr(recorder.events)  # masked in every event

    await transport.negotiated("2025-11-25")
    await recorder.wait_for(lambda: any(e.detail["status"] == 200 for e in recorder.http("GET")))
    get = recorder.http("GET")[0]
    assert header(get.detail["request_headers"], "Accept") == "text/event-stream"
    assert header(get.detail["request_headers"], "MCP-Protocol-Version") == "2025-11-25"
    assert header(get.detail["request_headers"], "Mcp-Session-Id") is not None

    # A tool that logs before answering: the notifications precede the result, in order.
    await transport.send(request(2, "tools/call", {"name": "chatty", "arguments": {}}))
    await recorder.wait_for(lambda: recorder.response_to(2) is not None)
    after_init = recorder.payloads()[1:]
    assert [p.get("method") for p in after_init] == ["notifications/message"] * 2 + [None]
    assert after_init[-1]["result"]["content"][0]["text"] == "done talking"
    call = recorder.http("POST")[2]
    assert header(call.detail["request_headers"], "MCP-Protocol-Version") == "2025-11-25"
    assert all(frame.detail["via"] == "sse" for frame in recorder.frames())

    await transport.close()
    delete = recorder.http("DELETE")[0]
    assert delete.detail["status"] == 200
    assert header(delete.detail["request_headers"], "Mcp-Session-Id") is not None
    assert recorder.closed == []
    assert transport.describe() == {
        "transport": "http",
        "url": mcp_http_server.url("/stream/mcp"),
        "headers": {"Authorization": f"Bearer s3cr{MASK}"},
    }


async def test_json_responses(mcp_http_server: RunningServer, connect: Callable[..., Any]) -> None:
    transport, recorder = await connect(mcp_http_server.url("/json/mcp"))
    await handshake(transport, recorder)
    await transport.send(request(2, "tools/call", {"name": "add", "arguments": {"a": 2, "b": 3}}))
    await recorder.wait_for(lambda: recorder.response_to(2) is not None)
    answer = recorder.response_to(2)
    assert answer is not None
    assert answer["result"]["structuredContent"] == {"result": 5}
    assert recorder.frames()[0].detail["via"] == "http"
    assert recorder.http("POST")[0].detail["content_type"] == "application/json"


async def test_resumes_a_stream_the_server_closed(
    mcp_http_server: RunningServer, connect: Callable[..., Any]
) -> None:
    transport, recorder = await connect(mcp_http_server.url("/resumable/mcp"))
    await handshake(transport, recorder)
    await transport.negotiated("2025-11-25")
    await transport.send(request(7, "tools/call", {"name": "interrupted", "arguments": {}}))
    await recorder.wait_for(lambda: recorder.response_to(7) is not None)

    answer = recorder.response_to(7)
    assert answer is not None
    assert answer["result"]["content"][0]["text"] == "answered after a break"
    resumes = [
        e for e in recorder.http("GET") if header(e.detail["request_headers"], "Last-Event-ID")
    ]
    assert len(resumes) == 1
    reconnect = next(e for e in recorder.of_kind(EventKind.SSE) if "attempt" in e.detail)
    assert reconnect.direction is Direction.LOCAL
    assert reconnect.detail["retry_ms"] == 100
    assert (
        header(resumes[0].detail["request_headers"], "Last-Event-ID")
        == (reconnect.detail["last_event_id"])
    )
    logs = [p["params"]["data"] for p in recorder.payloads() if p.get("method")]
    assert logs == ["before the break", "after the break"]


# --- Against the broken server ---------------------------------------------------------


async def test_json_with_charset_and_no_get_stream(
    broken_http_server: RunningServer, connect: Callable[..., Any], path_token: str
) -> None:
    transport, recorder = await connect(broken_http_server.url(f"/{path_token}/charset"))
    await handshake(transport, recorder)
    assert transport.session_id == f"charset-{path_token}"
    assert recorder.frames()[0].detail["content_type"] == "application/json"

    await transport.negotiated("2025-06-18")
    await recorder.wait_for(
        lambda: any("no standalone" in t for t in recorder.texts(EventKind.SSE))
    )
    assert recorder.http("GET")[0].detail["status"] == 405
    assert recorder.closed == []

    await transport.send(request(2, "tools/list"))
    await recorder.wait_for(lambda: recorder.response_to(2) is not None)
    await transport.close()
    assert recorder.http("DELETE")[0].detail["status"] == 405
    assert any("(405)" in t for t in recorder.texts(EventKind.HTTP))

    # From the server's side: the session id and version went out on GET, POST and DELETE.
    seen = [(e["method"], e["headers"]) for e in await request_log(broken_http_server, path_token)]
    later = seen[2:]
    assert [method for method, _ in later] == ["GET", "POST", "DELETE"]
    for _, headers in later:
        assert headers["mcp-session-id"] == f"charset-{path_token}"
        assert headers["mcp-protocol-version"] == "2025-06-18"
    # notifications/initialized went out before negotiated(), so without the version.
    assert "mcp-protocol-version" not in seen[1][1]


async def test_no_version_header_for_2025_03_26(
    broken_http_server: RunningServer, connect: Callable[..., Any], path_token: str
) -> None:
    transport, recorder = await connect(broken_http_server.url(f"/{path_token}/charset"))
    await handshake(transport, recorder)
    await transport.negotiated("2025-03-26")
    await recorder.wait_for(lambda: len(recorder.http("GET")) == 1)
    await transport.send(request(2, "tools/list"))
    await recorder.wait_for(lambda: recorder.response_to(2) is not None)
    received = await request_log(broken_http_server, path_token)
    assert len(received) == 4  # initialize, initialized, GET (405), tools/list
    assert all("mcp-protocol-version" not in entry["headers"] for entry in received)


async def test_404_with_session_id_means_expired(
    broken_http_server: RunningServer, connect: Callable[..., Any], path_token: str
) -> None:
    transport, recorder = await connect(broken_http_server.url(f"/{path_token}/expired"))
    await transport.send(initialize())
    assert transport.session_id == f"expired-{path_token}"
    with pytest.raises(SessionExpired):
        await transport.send(request(2, "tools/list"))
    assert recorder.http("POST")[-1].detail["status"] == 404
    assert transport.session_id is None
    assert recorder.closed == []
    # A new initialize goes out without the old id.
    await transport.send(initialize(3))
    assert header(recorder.http("POST")[-1].detail["request_headers"], "Mcp-Session-Id") is None


async def test_other_statuses_raise_http_status_error(
    broken_http_server: RunningServer, connect: Callable[..., Any], path_token: str
) -> None:
    transport, recorder = await connect(broken_http_server.url(f"/{path_token}/no-such-scenario"))
    with pytest.raises(HttpStatusError) as caught:
        await transport.send(initialize())
    assert caught.value.status == 404
    assert caught.value.body == "No such scenario"
    assert caught.value.method == "POST"
    assert recorder.http()[0].detail["body"] == "No such scenario"


async def test_resumes_with_last_event_id_after_priming_event(
    broken_http_server: RunningServer, connect: Callable[..., Any], path_token: str
) -> None:
    transport, recorder = await connect(broken_http_server.url(f"/{path_token}/resume"))
    await handshake(transport, recorder)
    await transport.send(request(2, "tools/call", {"name": "anything"}))
    await recorder.wait_for(lambda: recorder.response_to(2) is not None)

    sse_texts = recorder.texts(EventKind.SSE)
    assert "retry: 50 ms" in sse_texts
    assert f"Priming event, id {path_token}-1." in sse_texts
    reconnect = next(e for e in recorder.of_kind(EventKind.SSE) if "attempt" in e.detail)
    assert (reconnect.detail["retry_ms"], reconnect.detail["attempt"]) == (50, 1)
    resume = recorder.http("GET")[0]
    assert header(resume.detail["request_headers"], "Last-Event-ID") == f"{path_token}-1"
    assert header(resume.detail["request_headers"], "Mcp-Session-Id") == f"resu{MASK}"
    answer = recorder.frames()[-1]
    assert answer.detail["sse_event_id"] == f"{path_token}-2"


async def test_cancellation_ends_resumption(
    broken_http_server: RunningServer, connect: Callable[..., Any], path_token: str
) -> None:
    transport, recorder = await connect(broken_http_server.url(f"/{path_token}/stall"))
    await handshake(transport, recorder)
    await transport.send(request(2, "tools/call", {"name": "anything"}))

    def reconnects() -> int:
        return sum("attempt" in e.detail for e in recorder.of_kind(EventKind.SSE))

    # Every resumption brings a new event id, which is progress: it would poll on.
    await recorder.wait_for(lambda: reconnects() >= 3)
    await transport.send(notification("notifications/cancelled", {"requestId": 2}))
    count = len(recorder.http("GET"))
    await asyncio.sleep(0.3)
    assert len(recorder.http("GET")) <= count + 1
    assert not any("Gave up" in t for t in recorder.texts(EventKind.ERROR))


async def test_stream_without_ids_cannot_be_resumed(
    broken_http_server: RunningServer, connect: Callable[..., Any], path_token: str
) -> None:
    transport, recorder = await connect(broken_http_server.url(f"/{path_token}/lost"))
    await handshake(transport, recorder)
    await transport.send(request(2, "tools/call", {"name": "anything"}))
    await recorder.wait_for(
        lambda: any("cannot be resumed" in t for t in recorder.texts(EventKind.ERROR))
    )
    assert recorder.http("GET") == []
    assert recorder.payloads()[-1]["method"] == "notifications/message"


async def test_server_requests_before_the_response(
    broken_http_server: RunningServer, connect: Callable[..., Any], path_token: str
) -> None:
    transport, recorder = await connect(broken_http_server.url(f"/{path_token}/chatty"))
    await handshake(transport, recorder)
    await transport.send(request(2, "tools/call", {"name": "anything"}))
    await recorder.wait_for(lambda: recorder.response_to(2) is not None)
    kinds = [(p.get("method"), p.get("id")) for p in recorder.payloads()[1:]]
    assert kinds == [("ping", "srv-1"), ("notifications/message", None), (None, 2)]
    # The client answers the server's request with a new POST, accepted with 202.
    await transport.send(result("srv-1", {}))
    assert recorder.http("POST")[-1].detail["status"] == 202


async def test_standalone_stream_is_reopened_with_last_event_id(
    broken_http_server: RunningServer, connect: Callable[..., Any], path_token: str
) -> None:
    transport, recorder = await connect(broken_http_server.url(f"/{path_token}/regget"))
    await handshake(transport, recorder)
    await transport.negotiated("2025-11-25")
    await recorder.wait_for(lambda: len(recorder.http("GET")) == 3)
    gets = recorder.http("GET")
    assert [e.detail["status"] for e in gets] == [200, 200, 405]
    assert header(gets[0].detail["request_headers"], "Last-Event-ID") is None
    assert header(gets[1].detail["request_headers"], "Last-Event-ID") == "g-1"
    assert [p["params"]["n"] for p in recorder.payloads()[1:]] == [1, 2]
    assert [f.detail["stream"] for f in recorder.frames()[1:]] == ["GET", "GET"]
    await recorder.wait_for(
        lambda: any("refused to resume" in t for t in recorder.texts(EventKind.SSE))
    )
    assert recorder.closed == []


async def test_slow_json_answer_does_not_block_send(
    broken_http_server: RunningServer, connect: Callable[..., Any], path_token: str
) -> None:
    transport, recorder = await connect(broken_http_server.url(f"/{path_token}/slow"), timeout=0.3)
    await transport.send(initialize())
    started = asyncio.get_running_loop().time()
    await transport.send(request(2, "tools/call", {"name": "anything"}))
    assert asyncio.get_running_loop().time() - started < 0.9
    assert any("still waiting" in t for t in recorder.texts(EventKind.HTTP))
    await recorder.wait_for(lambda: recorder.response_to(2) is not None)


async def test_a_redirect_to_another_path_does_not_carry_the_token(
    broken_http_server: RunningServer, connect: Callable[..., Any], path_token: str
) -> None:
    url = broken_http_server.url(f"/{path_token}/redirect")
    transport, recorder = await connect(url, headers={"Authorization": SECRET})
    await transport.send(initialize())
    assert recorder.response_to(1) is not None
    sent = {
        entry["scenario"]: entry["headers"]
        for entry in await request_log(broken_http_server, path_token)
    }
    assert sent["redirect"]["authorization"] == SECRET
    assert "authorization" not in sent["charset"]


async def test_redirects(
    broken_http_server: RunningServer, connect: Callable[..., Any], path_token: str
) -> None:
    transport, recorder = await connect(broken_http_server.url(f"/{path_token}/redirect"))
    await transport.send(initialize())
    assert [e.detail["status"] for e in recorder.http()] == [307, 200]
    assert recorder.http()[1].detail["url"] == broken_http_server.url(f"/{path_token}/charset")
    assert recorder.response_to(1) is not None

    transport, recorder = await connect(broken_http_server.url(f"/{path_token}/offsite"))
    with pytest.raises(HttpStatusError) as caught:
        await transport.send(initialize())
    assert caught.value.status == 307
    assert any("cross-origin redirect" in t for t in recorder.texts(EventKind.ERROR))
    assert len(recorder.http()) == 1


# --- Failures to connect ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "layer"),
    [
        ("http://127.0.0.1:{port}/mcp", FailureLayer.TCP),
        ("http://no-such-host.invalid/mcp", FailureLayer.DNS),
    ],
)
async def test_connection_failures_name_their_layer(
    url: str, layer: FailureLayer, connect: Callable[..., Any], closed_port: int
) -> None:
    transport, recorder = await connect(url.format(port=closed_port), timeout=5.0)
    with pytest.raises(ConnectError) as caught:
        await transport.send(initialize())
    assert caught.value.layer is layer
    failed = recorder.http("POST")[0]
    assert failed.detail["status"] is None
    assert failed.detail["error"] == str(caught.value)


async def test_tls_failure(broken_http_server: RunningServer, connect: Callable[..., Any]) -> None:
    # A TLS client hello sent to a plain HTTP server fails the handshake.
    url = broken_http_server.url("/x/charset").replace("http://", "https://")
    transport, _ = await connect(url)
    with pytest.raises(ConnectError) as caught:
        await transport.send(initialize())
    assert caught.value.layer is FailureLayer.TLS


def test_secret_query_parameters_are_masked_in_traces() -> None:
    shown = display_url("http://h/mcp?api_key=abcdefghijklmnop&session_id=7")
    assert shown == f"http://h/mcp?api_key=abcd{MASK}&session_id=7"
    assert display_url("http://h/mcp?x=%20y") == "http://h/mcp?x=%20y"


def test_timeouts_are_their_own_layer() -> None:
    assert failure_layer(httpx.ConnectTimeout("slow")) is FailureLayer.TIMEOUT
    assert failure_layer(httpx.ReadTimeout("slow")) is FailureLayer.TIMEOUT


@pytest.mark.parametrize("url", ["ftp://example.com/mcp", "mcp.example.com", "http://"])
async def test_open_refuses_urls_that_are_not_http(url: str) -> None:
    transport = StreamableHttpTransport(url)
    transport.bind(Recorder())
    with pytest.raises(ConnectError) as caught:
        await transport.open()
    assert caught.value.layer is FailureLayer.PROTOCOL


async def test_close_is_idempotent_and_final(
    mcp_http_server: RunningServer, connect: Callable[..., Any]
) -> None:
    transport, recorder = await connect(mcp_http_server.url("/stream/mcp"))
    await handshake(transport, recorder)
    await transport.negotiated("2025-11-25")
    await transport.close()
    await transport.close()
    assert len(recorder.http("DELETE")) == 1
    with pytest.raises(TransportClosed):
        await transport.send(request(2, "tools/list"))
    assert recorder.closed == []
