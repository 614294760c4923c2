"""No false alarm: the whole surface of real servers, in both eras, over stdio and HTTP,
draws no warning and no error from the judge."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import time
from collections.abc import Callable, Iterator

import pytest

from inspector.mcp.client.client import McpClient
from inspector.mcp.eras.auto import lifecycle_for
from inspector.mcp.trace import EventKind, TraceEvent
from inspector.mcp.transports.base import Transport
from inspector.mcp.transports.stdio import StdioParameters, StdioTransport
from inspector.mcp.transports.streamable_http import StreamableHttpTransport
from inspector.mcp.versions import EraChoice
from tests.conftest import fixture_server
from tests.headless.conftest import OFFICIAL_EVERYTHING
from tests.headless.npm import npm_install
from tests.mcp.judge.surface import alarms, answer_everything, config, walk
from tests.servers.http_harness import RunningServer


async def judged_walk(transport: Transport, era: EraChoice) -> list[TraceEvent]:
    events: list[TraceEvent] = []
    settings = config(era=era)
    client = McpClient(
        transport,
        settings,
        on_event=events.append,
        lifecycle=lifecycle_for(era, transport.kind),
    )
    answer_everything(client)
    try:
        await client.connect()
        await walk(client)
    finally:
        await client.close()
    assert sum(1 for e in events if e.kind is EventKind.MESSAGE) > 10, "the walk went nowhere"
    return events


# tools_server and resources_server break rules on purpose; test_broken_servers has them.
STDIO_SERVERS: dict[str, Callable[[], tuple[StdioParameters, EraChoice]]] = {
    "everything_py legacy": lambda: (fixture_server("everything_py"), EraChoice.LEGACY),
    "modern_everything modern": lambda: (fixture_server("modern_everything"), EraChoice.MODERN),
    "modern_everything legacy": lambda: (fixture_server("modern_everything"), EraChoice.LEGACY),
}


@pytest.mark.parametrize("name", sorted(STDIO_SERVERS))
async def test_the_mcp_package_servers_over_stdio(name: str) -> None:
    params, era = STDIO_SERVERS[name]()
    assert alarms(await judged_walk(StdioTransport(params), era)) == []


@pytest.mark.parametrize(
    ("path", "era"),
    [
        ("/stream/mcp", EraChoice.LEGACY),
        ("/json/mcp", EraChoice.LEGACY),
        ("/modern/mcp", EraChoice.MODERN),
    ],
)
async def test_the_mcp_package_servers_over_http(
    mcp_http_server: RunningServer, path: str, era: EraChoice
) -> None:
    transport = StreamableHttpTransport(mcp_http_server.url(path))
    found = alarms(await judged_walk(transport, era))
    # The package's high-level server sends log messages (`ctx.info`) without declaring
    # the logging capability, which the spec requires: a true finding, not a false alarm.
    assert [finding for _, finding in found if finding.rule != "capabilities.logging"] == []


@pytest.fixture(scope="module")
def official_everything() -> StdioParameters:
    prefix = npm_install(OFFICIAL_EVERYTHING)
    binary = prefix / "node_modules" / ".bin" / "mcp-server-everything"
    return StdioParameters(command=str(binary), args=("stdio",))


async def test_the_official_everything_server(official_everything: StdioParameters) -> None:
    found = alarms(await judged_walk(StdioTransport(official_everything), EraChoice.LEGACY))
    assert found == []


@pytest.fixture(scope="module")
def official_everything_http(official_everything: StdioParameters) -> Iterator[str]:
    """The same server over Streamable HTTP, on a free port (it reads PORT)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [official_everything.command, "streamableHttp"],
        env={**os.environ, "PORT": str(port)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1):
                break
            time.sleep(0.1)
        yield f"http://127.0.0.1:{port}/mcp"
    finally:
        process.terminate()
        process.wait(10)


async def test_the_official_everything_server_over_http(official_everything_http: str) -> None:
    transport = StreamableHttpTransport(official_everything_http)
    assert alarms(await judged_walk(transport, EraChoice.LEGACY)) == []
