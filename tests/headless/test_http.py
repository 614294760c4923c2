"""Streamable HTTP and the legacy HTTP+SSE transport, against real servers."""

from __future__ import annotations

import httpx
import pytest

from tests.headless.conftest import run_cli
from tests.servers.http_harness import RunningServer


@pytest.mark.parametrize(
    ("path", "transport"),
    [("/stream/mcp", "http"), ("/json/mcp", "http"), ("/legacy/sse", "sse")],
)
def test_a_tool_call_over_each_transport(
    mcp_http_server: RunningServer, path: str, transport: str
) -> None:
    run = run_cli(
        mcp_http_server.url(path), "--transport", transport, "--method", "tools/call",
        "--tool-name", "add", "--tool-arg", "a=20", "--tool-arg", "b=22",
    )  # fmt: skip
    assert run.code == 0, run.stderr
    assert run.json()["structuredContent"] == {"result": 42}


def test_the_transport_is_inferred_from_the_url(mcp_http_server: RunningServer) -> None:
    for path in ("/stream/mcp", "/legacy/sse"):
        run = run_cli(mcp_http_server.url(path), "--method", "tools/list", "--format", "json")
        assert run.code == 0, run.stderr
        assert "add" in {tool["name"] for tool in run.json()["result"]["tools"]}


def test_headers_reach_the_server(broken_http_server: RunningServer, path_token: str) -> None:
    run = run_cli(
        broken_http_server.url(f"/{path_token}/charset"), "--transport", "http",
        "--header", "X-Probe: one", "--header", "Authorization: Bearer s3cret",
        "--method", "ping",
    )  # fmt: skip
    assert run.code == 0, run.stderr
    assert run.json() == {"echo": "ping"}
    log = httpx.get(broken_http_server.url(f"/_log/{path_token}")).json()
    posts = [entry for entry in log if entry["method"] == "POST"]
    assert posts
    for entry in posts:
        assert entry["headers"]["x-probe"] == "one"
        assert entry["headers"]["authorization"] == "Bearer s3cret"
