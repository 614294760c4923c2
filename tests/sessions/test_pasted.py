"""What a text pasted into the connect form describes."""

from __future__ import annotations

import json

import pytest

from inspector.sessions.pasted import parse_pasted
from inspector.sessions.spec import TransportKind


def test_a_command_line_with_quotes_and_an_environment_prefix() -> None:
    pasted = parse_pasted("FOO=bar EMPTY= uvx mcp-server-fetch --x 'y z' \"a b\"")
    assert pasted.kind == "command line"
    assert pasted.spec is not None
    assert pasted.spec.transport is TransportKind.STDIO
    assert pasted.spec.command == "uvx"
    assert pasted.spec.args == ("mcp-server-fetch", "--x", "y z", "a b")
    assert pasted.spec.env == {"FOO": "bar", "EMPTY": ""}


def test_a_command_copied_with_line_continuations() -> None:
    pasted = parse_pasted("npx \\\n  -y \\\n  @modelcontextprotocol/server-everything\n")
    assert pasted.spec is not None
    assert (pasted.spec.command, pasted.spec.args) == (
        "npx",
        ("-y", "@modelcontextprotocol/server-everything"),
    )


@pytest.mark.parametrize(
    ("url", "transport"),
    [
        ("https://mcp.example.com/mcp", TransportKind.HTTP),
        ("http://127.0.0.1:3001/sse", TransportKind.SSE),
        ("http://127.0.0.1:3001/sse/", TransportKind.SSE),
        ("https://example.com/", TransportKind.HTTP),
    ],
)
def test_a_url_names_its_transport_by_its_path(url: str, transport: TransportKind) -> None:
    pasted = parse_pasted(f"  {url}  ")
    assert pasted.kind == "URL"
    assert pasted.spec is not None
    assert (pasted.spec.transport, pasted.spec.url) == (transport, url)


def test_an_mcp_servers_snippet_gives_its_first_server_and_counts_the_others() -> None:
    text = json.dumps(
        {
            "mcpServers": {
                "files": {"command": "npx", "args": ["-y", "fs"], "env": {"K": "v"}},
                "remote": {"url": "https://r.example.com/mcp", "headers": {"X-K": "1"}},
            }
        }
    )
    pasted = parse_pasted(text)
    assert (pasted.kind, pasted.name, pasted.others) == ("configuration", "files", 1)
    assert pasted.spec is not None
    assert pasted.spec.args == ("-y", "fs")
    assert pasted.spec.env == {"K": "v"}


def test_one_server_object_with_a_comment_as_editors_write_it() -> None:
    pasted = parse_pasted('{\n  // the team server\n  "url": "https://t.example.com/sse",\n}')
    assert pasted.spec is not None
    assert pasted.spec.transport is TransportKind.HTTP  # a config says its type; none: HTTP
    assert pasted.spec.url == "https://t.example.com/sse"


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ('{"mcpServers": {"x": ', "This looks like JSON, but"),
        ("npx 'unclosed", "cannot be split"),
        ("FOO=bar", "names no command"),
        ("ftp://files.example.com/mcp", "Only http:// and https://"),
        ("   ", "Nothing was pasted."),
    ],
)
def test_what_cannot_be_read_says_why(text: str, problem: str) -> None:
    pasted = parse_pasted(text)
    assert pasted.spec is None
    assert problem in pasted.problem
