"""The client over stdio, against a real `mcp` server and against deliberately broken servers."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from inspector.mcp.client.client import McpClient
from inspector.mcp.client.types import ClientConfig, ServerRequest
from inspector.mcp.eras.auto import lifecycle_for
from inspector.mcp.errors import (
    ConnectError,
    FailureLayer,
    RequestTimeout,
    TimeoutLimit,
    TransportClosed,
)
from inspector.mcp.trace import Direction, EventKind, MessageType, TraceEvent
from inspector.mcp.transports.base import inbound_frame
from inspector.mcp.transports.stdio import StdioParameters, StdioTransport
from tests.conftest import fixture_server


class Recorder:
    def __init__(self) -> None:
        self.events: list[TraceEvent] = []

    def __call__(self, event: TraceEvent) -> None:
        event.seq = len(self.events) + 1
        self.events.append(event)

    def messages(self, direction: Direction) -> list[TraceEvent]:
        return [e for e in self.events if e.kind is EventKind.MESSAGE and e.direction is direction]

    def of_kind(self, kind: EventKind) -> list[TraceEvent]:
        return [e for e in self.events if e.kind is kind]

    def rules(self) -> set[str]:
        return {finding.rule for event in self.events for finding in event.findings}


MakeClient = Callable[..., tuple[McpClient, Recorder]]


@pytest.fixture
async def make_client() -> AsyncIterator[MakeClient]:
    clients: list[McpClient] = []

    def make(params: StdioParameters, **config: Any) -> tuple[McpClient, Recorder]:
        recorder = Recorder()
        settings = ClientConfig(**config)
        client = McpClient(
            StdioTransport(params),
            settings,
            on_event=recorder,
            lifecycle=lifecycle_for(settings.era, "stdio"),
        )
        clients.append(client)
        return client, recorder

    yield make
    for client in clients:
        await client.close()


async def test_handshake_with_a_real_server(
    make_client: MakeClient, everything: StdioParameters
) -> None:
    client, recorder = make_client(everything)
    server = await client.connect()
    assert server.protocol_version == "2025-11-25"
    assert server.server_info["name"] == "fixture-everything"
    assert server.server_info["title"] == "Fixture Everything"
    assert server.instructions == "A test server. Call add to add two numbers."
    assert "tools" in server.capabilities
    sent = [event.method for event in recorder.messages(Direction.OUT)]
    assert sent == ["initialize", "notifications/initialized"]
    initialize = recorder.messages(Direction.OUT)[0].payload
    assert initialize["id"] == 1, "ids start at 1: some servers treat 0 as missing"
    assert initialize["params"]["protocolVersion"] == "2025-11-25"


async def test_request_is_paired_with_its_response_and_timed(
    make_client: MakeClient, everything: StdioParameters
) -> None:
    client, recorder = make_client(everything)
    await client.connect()
    result = await client.request("tools/call", {"name": "add", "arguments": {"a": 2, "b": 40}})
    assert result["structuredContent"] == {"result": 42}
    request = next(e for e in recorder.messages(Direction.OUT) if e.method == "tools/call")
    response = next(e for e in recorder.messages(Direction.IN) if e.request_seq == request.seq)
    assert response.message_type is MessageType.RESULT
    assert response.method == "tools/call"
    assert response.duration_ms is not None
    assert response.duration_ms > 0


async def test_the_offered_version_is_the_users_choice(
    make_client: MakeClient, everything: StdioParameters
) -> None:
    client, _ = make_client(everything, protocol_version="2025-03-26")
    server = await client.connect()
    assert server.requested_version == "2025-03-26"
    assert server.protocol_version == "2025-03-26"


async def test_a_server_answering_another_version_is_shown_plainly(make_client: MakeClient) -> None:
    client, _ = make_client(fixture_server("broken_stdio", "version=2025-06-18"))
    server = await client.connect()
    assert server.version_mismatch
    assert server.protocol_version == "2025-06-18"
    assert server.describe() == (
        "broken-server: protocol 2025-06-18 (offered 2025-11-25), legacy era"
    )


async def test_progress_resets_the_request_timeout(
    make_client: MakeClient, everything: StdioParameters
) -> None:
    # Three steps of 0.2 s each, with a 0.35 s timeout: only progress keeps it alive.
    client, recorder = make_client(everything, request_timeout=0.35)
    await client.connect()
    result = await client.request("tools/call", {"name": "slow_count", "arguments": {"steps": 3}})
    assert result["content"][0]["text"] == "counted to 3"
    progress = [e for e in recorder.messages(Direction.IN) if e.method == "notifications/progress"]
    assert len(progress) == 3


async def test_without_reset_on_progress_the_timeout_fires_and_cancels(
    make_client: MakeClient, everything: StdioParameters
) -> None:
    client, recorder = make_client(
        everything, request_timeout=0.35, reset_timeout_on_progress=False
    )
    await client.connect()
    with pytest.raises(RequestTimeout):
        await client.request("tools/call", {"name": "slow_count", "arguments": {"steps": 3}})
    cancelled = [
        e for e in recorder.messages(Direction.OUT) if e.method == "notifications/cancelled"
    ]
    assert len(cancelled) == 1
    assert cancelled[0].payload["params"]["requestId"] == 2


async def test_maximum_total_timeout_wins_over_progress(
    make_client: MakeClient, everything: StdioParameters
) -> None:
    client, _ = make_client(everything, request_timeout=0.35, max_total_timeout=0.5)
    await client.connect()
    with pytest.raises(RequestTimeout) as raised:
        await client.request("tools/call", {"name": "slow_count", "arguments": {"steps": 5}})
    assert raised.value.limit is TimeoutLimit.TOTAL
    assert str(raised.value) == (
        "No response within the maximum total time of 0.5 s, "
        "although the server was reporting progress."
    )


async def test_a_request_timeout_says_that_progress_did_not_reset_it(
    make_client: MakeClient, everything: StdioParameters
) -> None:
    client, _ = make_client(everything, request_timeout=0.3, reset_timeout_on_progress=False)
    await client.connect()
    with pytest.raises(RequestTimeout) as raised:
        await client.request("tools/call", {"name": "slow_count", "arguments": {"steps": 5}})
    assert raised.value.limit is TimeoutLimit.REQUEST
    assert "request timeout of 0.3 s (progress does not reset it" in str(raised.value)


async def test_requests_in_flight_carry_their_progress(
    make_client: MakeClient, everything: StdioParameters
) -> None:
    client, _ = make_client(everything)
    await client.connect()
    params = {"name": "slow_count", "arguments": {"steps": 3}}
    call = asyncio.create_task(client.request("tools/call", params))
    for _ in range(100):
        await asyncio.sleep(0.02)
        (running,) = client.in_flight()
        if running.progress_updates:
            break
    assert running.method == "tools/call"
    assert running.params["name"] == "slow_count"
    assert running.progress_token == running.id
    assert running.total == 3
    assert running.progress_message.startswith("step ")
    assert running.elapsed > 0
    await call
    assert client.in_flight() == []


async def test_user_cancel_sends_cancelled_and_marks_the_late_response(
    make_client: MakeClient, everything: StdioParameters
) -> None:
    client, recorder = make_client(everything)
    await client.connect()
    call = asyncio.create_task(
        client.request("tools/call", {"name": "slow_count", "arguments": {"steps": 2}})
    )
    await asyncio.sleep(0.1)
    assert await client.cancel(2, "changed my mind")
    with pytest.raises(Exception, match="changed my mind"):
        await call
    await asyncio.sleep(0.6)  # the mcp server may still answer; that answer must be marked
    sent = [
        e.payload for e in recorder.messages(Direction.OUT) if e.method == "notifications/cancelled"
    ]
    assert sent == [
        {
            "jsonrpc": "2.0",
            "method": "notifications/cancelled",
            "params": {"requestId": 2, "reason": "changed my mind"},
        }
    ]
    late = [e for e in recorder.messages(Direction.IN) if e.message_id == 2]
    assert all("client.late-response" in {f.rule for f in e.findings} for e in late)
    # Named after its request, without taking the request's outcome over.
    assert all(e.method == "tools/call" and e.request_seq is None for e in late)


async def test_stdout_noise_and_invalid_frames_are_recorded_not_fatal(
    make_client: MakeClient,
) -> None:
    client, recorder = make_client(fixture_server("broken_stdio", "noise", "invalid"))
    await client.connect()
    result = await client.request("tools/call", {"name": "anything"})
    assert result["content"][0]["text"] == "done"
    noise = [e.text for e in recorder.of_kind(EventKind.STDOUT)]
    assert noise == ["Broken server v0 starting up...", "ready to serve requests"]
    assert {"jsonrpc.parse-error", "jsonrpc.version", "jsonrpc.response-shape"} <= recorder.rules()


async def test_a_response_with_an_unknown_id_is_flagged(make_client: MakeClient) -> None:
    client, recorder = make_client(fixture_server("broken_stdio", "unknown-id"))
    await client.connect()
    await client.request("tools/call", {"name": "anything"})
    stray = next(e for e in recorder.messages(Direction.IN) if e.message_id == 987654)
    assert [f.rule for f in stray.findings] == ["client.unknown-id"]
    assert stray.request_seq is None


async def test_numeric_ids_echoed_as_strings_pair_with_a_warning(make_client: MakeClient) -> None:
    client, recorder = make_client(fixture_server("broken_stdio", "string-id"))
    await client.connect()
    await client.request("tools/call", {"name": "anything"})
    answered = [e for e in recorder.messages(Direction.IN) if e.request_seq is not None]
    assert len(answered) == 2
    assert all("jsonrpc.id-echo" in {f.rule for f in e.findings} for e in answered)


async def test_a_crash_in_the_middle_of_a_request_fails_it_with_the_exit_code(
    make_client: MakeClient,
) -> None:
    client, recorder = make_client(fixture_server("broken_stdio", "crash"))
    await client.connect()
    with pytest.raises(TransportClosed, match="exited with code 3") as raised:
        await client.request("tools/call", {"name": "anything"})
    assert "panic: the tool exploded" in str(raised.value)
    exits = [e.detail.get("exit_code") for e in recorder.of_kind(EventKind.PROCESS)]
    assert 3 in exits
    assert client.closed


async def test_a_silent_server_times_out(make_client: MakeClient) -> None:
    client, recorder = make_client(fixture_server("broken_stdio", "silent"), request_timeout=0.3)
    await client.connect()
    with pytest.raises(RequestTimeout):
        await client.request("tools/call", {"name": "anything"})
    request = next(e for e in recorder.messages(Direction.OUT) if e.method == "tools/call")
    ended = next(e for e in recorder.of_kind(EventKind.ERROR) if e.request_seq == request.seq)
    assert ended.detail["outcome"] == "timed out"
    assert ended.duration_ms is not None
    assert ended.duration_ms >= 300


async def test_a_caller_that_stops_waiting_cancels_on_the_wire(make_client: MakeClient) -> None:
    client, recorder = make_client(fixture_server("broken_stdio", "silent"))
    await client.connect()
    call = asyncio.create_task(client.request("tools/call", {"name": "anything"}))
    await asyncio.sleep(0.2)
    call.cancel()
    with pytest.raises(asyncio.CancelledError):
        await call
    await asyncio.sleep(0.1)
    outcomes = [e.detail.get("outcome") for e in recorder.of_kind(EventKind.ERROR)]
    assert outcomes == ["abandoned"]
    sent = [e for e in recorder.messages(Direction.OUT) if e.method == "notifications/cancelled"]
    assert [e.payload["params"]["requestId"] for e in sent] == [2]


async def test_a_duplicate_server_request_id_is_refused(make_client: MakeClient) -> None:
    client, recorder = make_client(fixture_server("broken_stdio"))
    await client.connect()

    async def wait_forever(request: ServerRequest) -> dict[str, Any]:
        await asyncio.Event().wait()
        return {}

    client.handlers["roots/list"] = wait_forever
    frame = '{"jsonrpc":"2.0","id":"r1","method":"roots/list"}'
    client.transport_event(inbound_frame(frame))
    client.transport_event(inbound_frame(frame))
    await asyncio.sleep(0.05)
    second = [e for e in recorder.messages(Direction.IN) if e.message_id == "r1"][1]
    # The client declared no roots capability: the judge says so too, on both.
    assert [f.rule for f in second.findings if f.rule.startswith("client.")] == [
        "client.duplicate-id"
    ]
    replies = [e.payload for e in recorder.messages(Direction.OUT) if e.message_id == "r1"]
    assert replies == [
        {
            "jsonrpc": "2.0",
            "id": "r1",
            "error": {"code": -32600, "message": "Duplicate request id."},
        }
    ]


async def test_a_batched_initialize_response_is_accepted_and_flagged(
    make_client: MakeClient,
) -> None:
    client, recorder = make_client(fixture_server("broken_stdio", "batch"))
    await client.connect()
    batch = next(e for e in recorder.events if e.message_type is MessageType.BATCH)
    assert [f.rule for f in batch.findings] == ["jsonrpc.batch-not-allowed"]
    log = [e for e in recorder.messages(Direction.IN) if e.method == "notifications/message"]
    assert len(log) == 1


async def test_batches_are_normal_in_2025_03_26(make_client: MakeClient) -> None:
    client, recorder = make_client(
        fixture_server("broken_stdio", "batch"), protocol_version="2025-03-26"
    )
    await client.connect()
    batch = next(e for e in recorder.events if e.message_type is MessageType.BATCH)
    assert batch.findings == []


async def test_a_refused_initialize_fails_at_the_protocol_layer(make_client: MakeClient) -> None:
    client, _ = make_client(fixture_server("broken_stdio", "refuse"))
    with pytest.raises(ConnectError) as raised:
        await client.connect()
    assert raised.value.layer is FailureLayer.PROTOCOL
    assert "Unsupported protocol version" in str(raised.value)


async def test_a_server_that_exits_at_once_fails_at_the_process_layer(
    make_client: MakeClient,
) -> None:
    client, _ = make_client(fixture_server("broken_stdio", "exit-early"))
    with pytest.raises(ConnectError) as raised:
        await client.connect()
    assert raised.value.layer is FailureLayer.PROCESS
    assert "exited with code 2" in str(raised.value)
    assert "fatal: missing configuration file" in str(raised.value)


async def test_a_missing_command_fails_at_the_process_layer(make_client: MakeClient) -> None:
    client, _ = make_client(StdioParameters("no-such-command-for-the-inspector"))
    with pytest.raises(ConnectError) as raised:
        await client.connect()
    assert raised.value.layer is FailureLayer.PROCESS
    assert "no-such-command-for-the-inspector" in str(raised.value)


async def test_server_ping_is_answered(make_client: MakeClient) -> None:
    client, recorder = make_client(fixture_server("broken_stdio"))
    await client.connect()
    # Play the server: deliver a ping request as if it came from the process.
    from inspector.mcp.transports.base import inbound_frame

    client.transport_event(inbound_frame('{"jsonrpc":"2.0","id":"srv-1","method":"ping"}'))
    await asyncio.sleep(0.05)
    reply = next(e for e in recorder.messages(Direction.OUT) if e.message_id == "srv-1")
    assert reply.payload == {"jsonrpc": "2.0", "id": "srv-1", "result": {}}


async def test_unknown_server_requests_get_method_not_found(make_client: MakeClient) -> None:
    client, recorder = make_client(fixture_server("broken_stdio"))
    await client.connect()
    from inspector.mcp.transports.base import inbound_frame

    client.transport_event(
        inbound_frame('{"jsonrpc":"2.0","id":9,"method":"sampling/createMessage","params":{}}')
    )
    await asyncio.sleep(0.05)
    reply = next(e for e in recorder.messages(Direction.OUT) if e.message_id == 9)
    assert reply.payload["error"]["code"] == -32601


async def test_close_ends_the_whole_process_group(make_client: MakeClient) -> None:
    # The server forks a grandchild that would outlive a plain kill of the child.
    script = (
        "import subprocess, sys, time\n"
        "subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)'])\n"
        "import runpy\n"
        "sys.argv = ['broken_stdio']\n"
        "runpy.run_module('tests.servers.broken_stdio', run_name='__main__')\n"
    )
    params = StdioParameters(
        fixture_server("broken_stdio").command, ("-c", script), cwd=fixture_server("x").cwd
    )
    client, _recorder = make_client(params)
    await client.connect()
    assert isinstance(client.transport, StdioTransport)
    group = client.transport.pid
    assert group is not None
    await client.close()
    assert not await _group_alive_after(group, seconds=3.0)


async def _group_alive_after(group: int, seconds: float) -> bool:
    """Whether any live (non-zombie) process is still in the group after `seconds`."""
    deadline = asyncio.get_running_loop().time() + seconds
    while asyncio.get_running_loop().time() < deadline:
        if not _live_members(group):
            return False
        await asyncio.sleep(0.05)
    return True


def _live_members(group: int) -> list[int]:
    members = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = open(f"/proc/{entry}/stat").read()  # noqa: SIM115
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        state, pgid = fields[0], int(fields[2])
        if pgid == group and state != "Z":
            members.append(int(entry))
    return members


async def test_a_server_whose_child_holds_its_pipes_still_ends_cleanly(
    make_client: MakeClient,
) -> None:
    # The server forks a child that inherits stdout and stderr, then exits at once: its
    # pipes stay open, which must neither hide the exit nor hang the close.
    script = (
        "import subprocess, sys\n"
        "subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)'])\n"
        "sys.exit(3)\n"
    )
    params = StdioParameters(fixture_server("x").command, ("-c", script))
    client, recorder = make_client(params, connect_timeout=20)
    with pytest.raises(ConnectError) as raised:
        await asyncio.wait_for(client.connect(), 8)
    assert raised.value.layer is FailureLayer.PROCESS
    assert "exited with code 3" in str(raised.value)
    assert isinstance(client.transport, StdioTransport)
    group = client.transport.pid
    assert group is not None
    assert not await _group_alive_after(group, seconds=3.0), "the child was orphaned"
    signals = [e.detail.get("signal") for e in recorder.of_kind(EventKind.PROCESS)]
    assert "SIGTERM" in signals


async def test_a_malformed_notification_does_not_deafen_the_session(
    make_client: MakeClient,
) -> None:
    client, recorder = make_client(fixture_server("broken_stdio", "bad-cancel"), request_timeout=5)
    await client.connect()
    result = await client.request("tools/call", {"name": "anything"})
    assert result["content"][0]["text"] == "done"
    cancel = next(
        e for e in recorder.messages(Direction.IN) if e.method == "notifications/cancelled"
    )
    assert cancel.payload["params"]["requestId"] == [1]
