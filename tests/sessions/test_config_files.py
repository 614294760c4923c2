"""Configuration files of MCP clients: every accepted format in, `mcpServers` out, and back."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from inspector.mcp.masking import MASK
from inspector.mcp.versions import EraChoice
from inspector.sessions.config_export import export_config
from inspector.sessions.config_files import (
    ConfigError,
    NamedServer,
    load_config_file,
    parse_config,
    parse_config_report,
)
from inspector.sessions.spec import ConnectionSpec, TransportKind
from tests.conftest import REPO_ROOT

CLAUDE_DESKTOP = """
{
  "mcpServers": {
    "filesystem": {
      "command": "npx",
      "args": ["-y", "@modelcontextprotocol/server-filesystem", "/tmp"]
    },
    "github": {
      "command": "docker",
      "args": ["run", "-i", "--rm", "ghcr.io/github/github-mcp-server"],
      "env": {"GITHUB_PERSONAL_ACCESS_TOKEN": "ghp_0123456789abcdef", "LOG_LEVEL": "debug"}
    }
  },
  "globalShortcut": "Ctrl+Space"
}
"""

CURSOR = """
{
  "mcpServers": {
    "remote": {
      "url": "https://mcp.example.com/mcp",
      "headers": {"Authorization": "Bearer s3cr3t-t0ken-value"}
    },
    "legacy": {"type": "sse", "url": "http://localhost:8000/sse"},
    "streamable": {"type": "streamableHttp", "url": "https://a.example/mcp"},
    "dashed": {"type": "streamable-http", "url": "https://b.example/mcp"}
  }
}
"""

VSCODE_MCP_JSON = """
{
  // VS Code writes comments and trailing commas into its JSON files.
  "inputs": [
    {"type": "promptString", "id": "api-key", "description": "API key", "password": true},
  ],
  "servers": {
    "local": {
      "type": "stdio",
      "command": "uv",
      "args": ["run", "server.py"],
      "env": {"API_KEY": "${input:api-key}", "HOME_DIR": "${env:HOME}"},
      "envFile": "${workspaceFolder}/.env",
      "cwd": "${workspaceFolder}",
    },
    "http": {
      "type": "http", "url": "https://api.example/mcp", "headers": {"X-Api-Key": "${input:api-key}"}
    },
    /* the old transport */
    "sse": {"type": "sse", "url": "https://old.example/sse"},
  },
}
"""

VSCODE_SETTINGS = """
{
  "editor.fontSize": 14,
  "mcp": {
    "servers": {
      "everything": {"command": "npx", "args": ["-y", "@modelcontextprotocol/server-everything"]}
    }
  }
}
"""


def named(servers: list[NamedServer]) -> dict[str, ConnectionSpec]:
    return {server.name: server.spec for server in servers}


def test_claude_desktop_file() -> None:
    servers = parse_config(CLAUDE_DESKTOP)
    assert [server.name for server in servers] == ["filesystem", "github"]
    github = servers[1].spec
    assert github.transport is TransportKind.STDIO
    assert github.command == "docker"
    assert github.args == ("run", "-i", "--rm", "ghcr.io/github/github-mcp-server")
    assert github.env == {
        "GITHUB_PERSONAL_ACCESS_TOKEN": "ghp_0123456789abcdef",
        "LOG_LEVEL": "debug",
    }
    assert github.cwd is None


def test_cursor_file_maps_types_to_transports() -> None:
    specs = named(parse_config(CURSOR))
    assert specs["remote"].transport is TransportKind.HTTP
    assert specs["remote"].headers == {"Authorization": "Bearer s3cr3t-t0ken-value"}
    assert specs["legacy"].transport is TransportKind.SSE
    assert specs["legacy"].url == "http://localhost:8000/sse"
    assert specs["streamable"].transport is TransportKind.HTTP
    assert specs["dashed"].transport is TransportKind.HTTP


def test_vscode_mcp_json_with_comments_keeps_placeholders() -> None:
    specs = named(parse_config(VSCODE_MCP_JSON))
    assert list(specs) == ["local", "http", "sse"]
    local = specs["local"]
    assert local.transport is TransportKind.STDIO
    assert local.env == {"API_KEY": "${input:api-key}", "HOME_DIR": "${env:HOME}"}
    assert local.cwd == "${workspaceFolder}"
    assert specs["http"].headers == {"X-Api-Key": "${input:api-key}"}
    assert specs["sse"].transport is TransportKind.SSE


def test_vscode_settings_json() -> None:
    servers = parse_config(VSCODE_SETTINGS)
    assert [server.name for server in servers] == ["everything"]
    assert servers[0].spec.command == "npx"


def test_pasted_map_of_servers() -> None:
    servers = parse_config(
        '{"a": {"command": "python", "args": ["a.py"]}, "b": {"url": "https://b.example/mcp"}}'
    )
    assert [(s.name, s.spec.transport) for s in servers] == [
        ("a", TransportKind.STDIO),
        ("b", TransportKind.HTTP),
    ]


@pytest.mark.parametrize(
    ("snippet", "name", "transport"),
    [
        ('{"command": "/usr/bin/python3", "args": ["server.py"]}', "python3", TransportKind.STDIO),
        (
            '{"type": "sse", "url": "https://old.example:8443/sse"}',
            "old.example",
            TransportKind.SSE,
        ),
        ('{"name": "mine", "url": "https://x.example/mcp"}', "mine", TransportKind.HTTP),
    ],
)
def test_pasted_single_server(snippet: str, name: str, transport: TransportKind) -> None:
    [server] = parse_config(snippet)
    assert server.name == name
    assert server.spec.transport is transport


def test_servers_as_a_list_of_named_objects() -> None:
    servers = parse_config('{"mcpServers": [{"name": "x", "command": "x"}, {"command": "y"}]}')
    assert [server.name for server in servers] == ["x", "#2 in mcpServers"]


def test_numbers_are_accepted_as_text() -> None:
    [server] = parse_config(
        '{"s": {"command": "srv", "args": ["--port", 8080], "env": {"N": 2.5}}}'
    )
    assert server.spec.args == ("--port", "8080")
    assert server.spec.env == {"N": "2.5"}


@pytest.mark.parametrize(
    ("text", "fault"),
    [
        ('{"mcpServers": {"bad": {"args": ["x"]}}}', "server 'bad': needs a \"command\""),
        ('{"mcpServers": {"bad": "npx"}}', "server 'bad': must be an object"),
        (
            '{"mcpServers": {"bad": {"command": "x", "args": "y"}}}',
            "server 'bad': \"args\" must be a list",
        ),
        ('{"mcpServers": {"bad": {"command": "x", "args": [null]}}}', '"args"[0] must be a string'),
        (
            '{"mcpServers": {"bad": {"command": "x", "env": {"A": true}}}}',
            '"env"."A" must be a string',
        ),
        (
            '{"mcpServers": {"bad": {"type": "websocket", "url": "ws://x"}}}',
            "unknown \"type\" 'websocket'",
        ),
        ('{"mcpServers": {"bad": {"type": "http"}}}', 'needs a "url"'),
        ('{"mcpServers": {"bad": {"type": "stdio", "url": "https://x"}}}', 'needs a "command"'),
        (
            '{"mcpServers": {"bad": {"url": "file:///etc/passwd"}}}',
            "must be an http:// or https:// URL",
        ),
        (
            '{"mcpServers": {"bad": {"url": "https://x", "headers": ["A: b"]}}}',
            '"headers" must be an object',
        ),
        (
            '{"mcpServers": {"bad": {"command": "x", "inspector": {"requestTimeout": -1}}}}',
            "positive number",
        ),
        (
            '{"mcpServers": {"bad": {"command": "x", "inspector": {"protocolVersion": "1999"}}}}',
            "is not one of",
        ),
        (
            '{"mcpServers": {"bad": {"command": "x", "inspector": {"era": "2026"}}}}',
            "'2026' is not one of legacy, modern, auto",
        ),
        (
            '{"mcpServers": {"bad": {"command": "x", "inspector": '
            '{"era": "legacy", "protocolVersion": "2026-07-28"}}}}',
            '"inspector.era" cannot be legacy',
        ),
        ('{"mcpServers": {"a": {"command": "x"}, "a": {"command": "y"}}}', "'a' more than once"),
        ('{"mcpServers": {" ": {"command": "x"}}}', "needs a name"),
        ("", "empty"),
        ('{"mcpServers": ', "not valid JSON"),
        ("[1, 2", "line 1"),
        ('"npx"', "expected a JSON object"),
        ('{"editor.fontSize": 14}', "found no servers"),
        ('{"mcpServers": "npx"}', "mcpServers must be an object"),
    ],
)
def test_malformed_input_is_a_config_error_that_says_where(text: str, fault: str) -> None:
    with pytest.raises(ConfigError) as raised:
        parse_config(text)
    assert fault in str(raised.value)


def test_report_keeps_good_entries_and_names_bad_ones() -> None:
    report = parse_config_report(
        '{"mcpServers": {"good": {"command": "a"}, "bad": {"command": 1}, "also": {"url": "https://x"}}}'
    )
    assert [server.name for server in report.servers] == ["good", "also"]
    assert [error.entry for error in report.errors] == ["bad"]
    assert '"command" must be a string' in str(report.errors[0])


def test_unknown_keys_are_ignored() -> None:
    [server] = parse_config(
        '{"mcpServers": {"x": {"command": "a", "disabled": false, "alwaysAllow": ["t"]}}}'
    )
    assert server.spec == ConnectionSpec(TransportKind.STDIO, command="a")


def test_load_config_file(tmp_path: Path) -> None:
    path = tmp_path / "mcp.json"
    # A byte order mark, as some Windows editors save it.
    path.write_text(CLAUDE_DESKTOP, encoding="utf-8-sig")
    assert [server.name for server in load_config_file(path)] == ["filesystem", "github"]
    assert len(load_config_file(str(path))) == 2


def test_load_missing_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read"):
        load_config_file(tmp_path / "absent.json")


def test_export_writes_mcp_servers() -> None:
    document = export_config(parse_config(CURSOR), include_secrets=True)
    assert document == {
        "mcpServers": {
            "remote": {
                "type": "http",
                "url": "https://mcp.example.com/mcp",
                "headers": {"Authorization": "Bearer s3cr3t-t0ken-value"},
            },
            "legacy": {"type": "sse", "url": "http://localhost:8000/sse"},
            "streamable": {"type": "http", "url": "https://a.example/mcp"},
            "dashed": {"type": "http", "url": "https://b.example/mcp"},
        }
    }


def test_export_masks_secrets_unless_asked() -> None:
    servers = parse_config(CLAUDE_DESKTOP) + parse_config(CURSOR)
    masked = json.dumps(export_config(servers), ensure_ascii=False)
    assert "ghp_0123456789abcdef" not in masked
    assert "s3cr3t-t0ken-value" not in masked
    assert MASK in masked
    assert '"LOG_LEVEL": "debug"' in masked, "only secret-looking values are masked"
    clear = json.dumps(export_config(servers, include_secrets=True))
    assert "ghp_0123456789abcdef" in clear
    assert "s3cr3t-t0ken-value" in clear


@pytest.mark.parametrize("text", [CLAUDE_DESKTOP, CURSOR, VSCODE_MCP_JSON, VSCODE_SETTINGS])
def test_round_trip_through_export(text: str) -> None:
    servers = parse_config(text)
    exported = json.dumps(export_config(servers, include_secrets=True))
    assert parse_config(exported) == servers


def test_inspector_settings_round_trip_and_stay_out_of_plain_entries() -> None:
    tuned = NamedServer(
        "tuned",
        ConnectionSpec(
            TransportKind.HTTP,
            url="https://x.example/mcp",
            era=EraChoice.MODERN,
            protocol_version="2025-03-26",
            connect_timeout=5,
            request_timeout=12.5,
            max_total_timeout=900,
            reset_timeout_on_progress=False,
        ),
    )
    plain = NamedServer("plain", ConnectionSpec(TransportKind.STDIO, command="srv", cwd="/srv"))
    document = export_config([tuned, plain])
    assert document["mcpServers"]["tuned"]["inspector"] == {
        "era": "modern",
        "protocolVersion": "2025-03-26",
        "connectTimeout": 5,
        "requestTimeout": 12.5,
        "maxTotalTimeout": 900,
        "resetTimeoutOnProgress": False,
    }
    assert document["mcpServers"]["plain"] == {"command": "srv", "args": [], "cwd": "/srv"}
    assert parse_config(json.dumps(document)) == [tuned, plain]


def test_comment_markers_inside_strings_survive() -> None:
    text = (
        '{"mcpServers": {"x": {"url": "https://x.example/a//b", "headers": {"A": "/* no */"},},},}'
    )
    [server] = parse_config(text)
    assert server.spec.url == "https://x.example/a//b"
    assert server.spec.headers == {"A": "/* no */"}


def test_module_stays_free_of_django() -> None:
    """The headless CLI reads configuration files; it must not pay for Django."""
    probe = (
        "import sys, inspector.sessions.config_files\n"
        "print(','.join(sorted(n for n in sys.modules if n.split('.')[0] in "
        "{'django', 'channels', 'daphne'})))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, cwd=REPO_ROOT, check=True
    )
    assert result.stdout.strip() == ""


def test_a_masked_export_keeps_placeholders_readable() -> None:
    [server] = parse_config(
        '{"s": {"url": "https://x.example/mcp", "headers": {"Authorization": "Bearer ${input:t}",'
        ' "X-Api-Key": "${env:API_KEY}", "Cookie": "session=0123456789abcdef"}}}'
    )
    headers = export_config([server])["mcpServers"]["s"]["headers"]
    assert headers == {
        "Authorization": "Bearer ${input:t}",
        "X-Api-Key": "${env:API_KEY}",
        "Cookie": f"sess{MASK}",
    }


def test_a_fault_after_comments_is_reported_where_it_is() -> None:
    text = (
        "{\n"
        "  // a comment first, /* and a block */\n"
        '  "mcpServers": {\n'
        '    "a": {"command": "x",},\n'
        '    "b": {"command": "y" "args": []}\n'
        "  }\n"
        "}\n"
    )
    with pytest.raises(ConfigError) as raised:
        parse_config(text)
    assert "(line 5, column 26)" in str(raised.value)
