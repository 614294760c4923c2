""" "Copy as CLI command": what `cli_words` writes, `inspector --cli` reads back the same."""

from __future__ import annotations

import json
import shlex
import subprocess
import sys
from typing import Any

import pytest

from inspector.headless.args import parse
from inspector.headless.commandline import NotExpressible, cli_command, cli_words
from inspector.headless.run import connection_spec
from inspector.sessions.spec import ConnectionSpec, TransportKind
from tests.conftest import REPO_ROOT

STDIO = ConnectionSpec(
    TransportKind.STDIO,
    command="npx",
    args=("-y", "@modelcontextprotocol/server-everything"),
    env={"API_KEY": "k=v", "EMPTY": ""},
)
CLASHING = ConnectionSpec(
    TransportKind.STDIO, command="server", args=("--timeout", "5", "-e", "--", "--cli"), cwd="/srv"
)
HTTP = ConnectionSpec(
    TransportKind.HTTP,
    url="https://mcp.example.com/mcp?x=1",
    headers={"Authorization": "Bearer t0k3n", "X-Trace": "a: b"},
    protocol_version="2025-06-18",
    connect_timeout=5,
    request_timeout=12.5,
)
SSE = ConnectionSpec(TransportKind.SSE, url="http://127.0.0.1:8000/events")

REQUESTS: list[tuple[str, dict[str, Any] | None]] = [
    ("tools/list", None),
    (
        "tools/call",
        {
            "name": "echo",
            "arguments": {
                "text": 'it\'s a "test" $HOME',
                "number_as_text": "42",
                "json_as_text": '{"a": 1}',
                "n": 42,
                "x": 1.5,
                "flag": False,
                "nothing": None,
                "nested": {"list": [1, "two", {"three": 3}]},
                "dash": "-5",
                "empty": "",
            },
            "_meta": {"progressToken": 9, "trace": "abc"},
        },
    ),
    ("tools/call", {"name": "odd keys", "arguments": {"a=b": 1, "": 2}}),
    ("resources/read", {"uri": "file:///tmp/a b.txt"}),
    ("prompts/get", {"name": "review", "arguments": {"code": "x = 1\nprint(x)"}}),
    ("logging/setLevel", {"level": "debug"}),
    (
        "completion/complete",
        {
            "ref": {"type": "ref/resource", "uri": "demo://{id}"},
            "argument": {"name": "id", "value": "-1"},
            "context": {"arguments": {"kind": "text"}},
        },
    ),
    ("ping", {"_meta": {"n": 1}}),
]


@pytest.mark.parametrize(
    "spec", [STDIO, CLASHING, HTTP, SSE], ids=["stdio", "clash", "http", "sse"]
)
@pytest.mark.parametrize(("method", "params"), REQUESTS)
def test_the_command_parses_back_to_the_same_call(
    spec: ConnectionSpec, method: str, params: dict[str, Any] | None
) -> None:
    words = cli_words(spec, method, params)
    assert words[:2] == ["inspector", "--cli"]
    invocation = parse(shlex.split(shlex.join(words))[1:])
    assert connection_spec(invocation.server) == spec
    assert invocation.method == method
    expected = dict(params or {})
    meta = {k: v for k, v in expected.pop("_meta", {}).items() if k != "progressToken"}
    if meta:
        expected["_meta"] = meta
    assert (invocation.params or {}) == expected


def test_cli_command_writes_secrets_as_shell_variables() -> None:
    command = cli_command(STDIO, "tools/list")
    assert '-e "API_KEY=${API_KEY}"' in command
    assert "k=v" not in command
    assert "-e EMPTY=" in command
    http = cli_command(HTTP, "ping")
    assert '--header "Authorization: ${AUTHORIZATION}"' in http
    assert "t0k3n" not in http
    assert "'X-Trace: a: b'" in http


def test_the_server_comes_first_unless_its_arguments_clash() -> None:
    assert cli_words(STDIO, "tools/list")[2:5] == [
        "npx",
        "-y",
        "@modelcontextprotocol/server-everything",
    ]
    clashing = cli_words(CLASHING, "tools/list")
    assert clashing[-7:] == ["--", "server", "--timeout", "5", "-e", "--", "--cli"]
    assert cli_words(HTTP, "ping")[2:5] == [
        "https://mcp.example.com/mcp?x=1",
        "--transport",
        "http",
    ]


@pytest.mark.parametrize(
    ("method", "params"),
    [
        ("tools/call", {"arguments": {}}),
        ("tools/call", {"name": "t", "arguments": [1]}),
        ("prompts/get", {"name": "p", "arguments": {"n": 1}}),
        ("tools/list", {"filter": "x"}),
        ("completion/complete", {"ref": {"type": "ref/other"}, "argument": {"name": "a"}}),
    ],
)
def test_what_no_option_can_carry_is_refused(method: str, params: dict[str, Any]) -> None:
    with pytest.raises(NotExpressible):
        cli_words(STDIO, method, params)


def test_a_copied_command_runs_in_a_shell() -> None:
    # A server whose arguments clash with the inspector's options: they go after `--`.
    starter = "import runpy; runpy.run_module('tests.servers.everything_py', run_name='__main__')"
    spec = ConnectionSpec(
        TransportKind.STDIO, command=sys.executable, args=("-c", starter, "--method", "-e")
    )
    message = 'it\'s "quoted" & $(not run)'
    command = cli_command(spec, "tools/call", {"name": "echo", "arguments": {"message": message}})
    runnable = f"{shlex.quote(sys.executable)} -m inspector.cli{command.removeprefix('inspector')}"
    result = subprocess.run(
        ["sh", "-c", runnable],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["content"][0]["text"] == message
