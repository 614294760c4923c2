"""`--config FILE --server NAME`: the servers of client configuration files."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import httpx

from tests.conftest import REPO_ROOT
from tests.headless.conftest import run_cli
from tests.servers.http_harness import RunningServer

EVERYTHING_PY = {
    "command": sys.executable,
    "args": ["-m", "tests.servers.everything_py"],
    "cwd": str(REPO_ROOT),
}


def write(path: Path, document: dict[str, Any] | str) -> str:
    path.write_text(document if isinstance(document, str) else json.dumps(document))
    return str(path)


def test_a_named_server_of_an_mcp_servers_file(
    tmp_path: Path, mcp_http_server: RunningServer
) -> None:
    config = write(
        tmp_path / "mcp.json",
        {
            "mcpServers": {
                "local": EVERYTHING_PY,
                "remote": {"type": "streamable-http", "url": mcp_http_server.url("/json/mcp")},
            }
        },
    )
    local = run_cli("--config", config, "--server", "local", "--method", "tools/list")
    assert local.code == 0, local.stderr
    assert "echo" in {tool["name"] for tool in local.json()["tools"]}
    remote = run_cli(
        "--config", config, "--server", "remote", "--method", "initialize", "--format", "json"
    )
    assert remote.code == 0, remote.stderr
    assert remote.json()["result"]["serverInfo"]["name"] == "fixture-http-json"


def test_a_vs_code_file_with_one_server_needs_no_name(tmp_path: Path) -> None:
    config = write(
        tmp_path / "mcp.json",
        '{\n  // VS Code allows comments\n  "servers": {"only": '
        + json.dumps(EVERYTHING_PY)
        + ",},\n}",
    )
    run = run_cli("--config", config, "--method", "prompts/list")
    assert run.code == 0, run.stderr
    assert run.json()["prompts"][0]["name"] == "review"


def test_default_server_is_picked_among_several(tmp_path: Path) -> None:
    config = write(
        tmp_path / "mcp.json",
        {"mcpServers": {"other": {"command": "/nonexistent"}, "default-server": EVERYTHING_PY}},
    )
    run = run_cli("--config", config, "--method", "ping")
    assert (run.code, run.json()) == (0, {})


def test_the_command_line_adds_to_the_files_environment(
    tmp_path: Path, official_everything: list[str]
) -> None:
    entry = {
        "command": official_everything[0],
        "args": official_everything[1:],
        "env": {"FROM_FILE": "file", "OVERRIDDEN": "file"},
    }
    config = write(tmp_path / "mcp.json", {"mcpServers": {"everything": entry}})
    run = run_cli(
        "--config", config, "-e", "OVERRIDDEN=cli", "--method", "tools/call",
        "--tool-name", "get-env",
    )  # fmt: skip
    assert run.code == 0, run.stderr
    environment = json.loads(run.json()["content"][0]["text"])
    assert (environment["FROM_FILE"], environment["OVERRIDDEN"]) == ("file", "cli")


def test_the_command_line_adds_to_the_files_headers(
    tmp_path: Path, broken_http_server: RunningServer, path_token: str
) -> None:
    entry = {
        "type": "http",
        "url": broken_http_server.url(f"/{path_token}/charset"),
        "headers": {"X-From-File": "file", "X-Overridden": "file"},
    }
    config = write(tmp_path / "mcp.json", {"mcpServers": {"remote": entry}})
    run = run_cli("--config", config, "--header", "X-Overridden: cli", "--method", "ping")
    assert run.code == 0, run.stderr
    log = httpx.get(broken_http_server.url(f"/_log/{path_token}")).json()
    headers = log[0]["headers"]
    assert (headers["x-from-file"], headers["x-overridden"]) == ("file", "cli")


def test_what_the_file_cannot_give_is_a_usage_error(tmp_path: Path) -> None:
    several = write(
        tmp_path / "several.json",
        {"mcpServers": {"a": EVERYTHING_PY, "b": {"url": "http://127.0.0.1:1/mcp"}}},
    )
    broken = write(tmp_path / "broken.json", {"mcpServers": {"x": {"args": ["no command"]}}})
    cases = [
        (["--config", several], "pick one with --server (a, b)"),
        (["--config", several, "--server", "c"], "has no server 'c' (it has: a, b)"),
        (["--config", several, "--server", "b", "-e", "A=1"], "this server is a URL"),
        (["--config", several, "--server", "a", "--header", "A: 1"], "this one is a command"),
        (["--config", several, "--server", "a", "--transport", "sse"], "contradicts"),
        (["--config", broken], "broken.json: server 'x'"),
        (["--config", str(tmp_path / "missing.json")], "missing.json"),
    ]
    for argv, message in cases:
        run = run_cli(*argv, "--method", "ping")
        assert run.code == 1, argv
        assert run.error["code"] == "usage"
        assert message in run.error["message"], (argv, run.error["message"])
