"""Each exit status, provoked for real: by a server, a network, or the command line."""

from __future__ import annotations

import time
from pathlib import Path

from tests.headless.conftest import fixture_command, run_cli


def test_usage_errors_exit_1_before_anything_starts(tmp_path: Path) -> None:
    marker = tmp_path / "started"
    server = ["sh", "-c", f"touch {marker}"]
    for argv in (
        [*server],
        [*server, "--method", "tools/call"],
        [*server, "--method", "nope"],
        ["--method", "ping"],
        [*server, "--method", "ping", "--trace", str(tmp_path / "missing" / "trace.jsonl")],
    ):
        run = run_cli(*argv)
        assert run.code == 1, argv
        assert run.error["code"] == "usage"
        assert run.stdout == ""
    assert not marker.exists()


def test_help_exits_0_with_the_usage_on_stdout() -> None:
    run = run_cli("--help")
    assert run.code == 0
    assert "--tool-arg key=value" in run.stdout
    assert "completion/complete" in run.stdout
    assert "6 (--strict only)" in run.stdout


def test_401_from_the_server_exits_3(auth_server: str) -> None:
    url = f"{auth_server}/unauthorized/mcp"
    run = run_cli(url, "--transport", "http", "--method", "tools/list")
    assert run.code == 3
    error = run.error
    assert (error["code"], error["status"], error["url"]) == ("auth_required", 401, url)
    assert "invalid_token" in error["message"]


def test_403_on_a_request_after_the_handshake_exits_3(auth_server: str) -> None:
    run = run_cli(f"{auth_server}/forbidden-later/mcp", "--method", "tools/list")
    assert run.code == 3
    assert (run.error["code"], run.error["status"]) == ("auth_required", 403)


def test_a_command_that_does_not_exist_exits_4() -> None:
    run = run_cli("/nonexistent/mcp-server", "--flag", "--method", "tools/list")
    assert run.code == 4
    assert run.error["layer"] == "process"
    assert "/nonexistent/mcp-server" in run.error["message"]


def test_a_url_with_nothing_listening_exits_4(closed_port: int) -> None:
    url = f"http://127.0.0.1:{closed_port}/mcp"
    run = run_cli(url, "--method", "ping")
    assert run.code == 4
    # The official CLI's code for it: a script may retry, or go through a proxy.
    assert (run.error["code"], run.error["layer"], run.error["url"]) == (
        "unreachable",
        "tcp",
        url,
    )


def test_a_server_that_refuses_initialize_exits_4() -> None:
    run = run_cli(*fixture_command("broken_stdio", "refuse"), "--method", "tools/list")
    assert run.code == 4
    # Reached, but refused: not `unreachable`, which a retry could fix.
    assert (run.error["code"], run.error["layer"]) == ("connect_failed", "protocol")
    assert "Unsupported protocol version" in run.error["message"]


def test_a_server_that_exits_before_initialize_exits_4_with_its_last_words() -> None:
    run = run_cli(*fixture_command("broken_stdio", "exit-early"), "--method", "tools/list")
    assert run.code == 4
    assert "missing configuration file" in run.error["message"]


def test_a_server_silent_during_initialize_exits_4_after_the_connect_timeout() -> None:
    started = time.monotonic()
    run = run_cli(
        *fixture_command("broken_stdio", "silent-init"), "--method", "ping",
        "--connect-timeout", "1",
    )  # fmt: skip
    assert run.code == 4
    assert (run.error["code"], run.error["layer"]) == ("unreachable", "timeout")
    assert time.monotonic() - started < 15


def test_a_tool_that_returns_is_error_exits_5_with_the_result_on_stdout() -> None:
    run = run_cli(
        *fixture_command("tools_server"), "--method", "tools/call", "--tool-name", "failing"
    )
    assert run.code == 5
    assert run.json()["isError"] is True
    # The official CLI's name for it, which scripts branch on.
    assert run.error["code"] == "tool_is_error"
    assert run.error["message"] == "The tool 'failing' returned isError: true."


def test_an_unknown_tool_is_tool_not_found_however_the_server_says_it(
    everything_py: list[str],
) -> None:
    # As an isError result: shown on stdout, as the server said it.
    run = run_cli(*everything_py, "--method", "tools/call", "--tool-name", "no_such_tool")
    assert run.code == 5
    assert run.json()["isError"] is True
    assert run.error["code"] == "tool_not_found"
    assert run.error["message"].endswith("The server lists no tool named 'no_such_tool'.")
    # As a JSON-RPC error: the server's error stays in the envelope.
    tasks = fixture_command("tasks_server")
    unknown = run_cli(*tasks, "--method", "tools/call", "--tool-name", "nope")
    assert (unknown.code, unknown.stdout) == (5, "")
    assert unknown.error["code"] == "tool_not_found"
    assert unknown.error["jsonrpc"] == {"code": -32602, "message": "Unknown tool: nope"}
    # A listed tool that answers with a JSON-RPC error is not an unknown one.
    refused = run_cli(*tasks, "--method", "tools/call", "--tool-name", "render_report")
    assert refused.code == 5
    assert (refused.error["code"], refused.error["jsonrpc"]["code"]) == ("jsonrpc_error", -32601)
    # A server that declares no tools at all.
    bare = fixture_command("broken_stdio", "no-tools")
    undeclared = run_cli(*bare, "--method", "tools/call", "--tool-name", "t")
    assert undeclared.code == 5
    assert undeclared.error["code"] == "tool_not_found"
    assert "(it declares no tools capability)" in undeclared.error["message"]


def test_a_json_rpc_error_exits_5_with_the_error_in_the_envelope(everything_py: list[str]) -> None:
    run = run_cli(*everything_py, "--method", "resources/read", "--uri", "fixture://missing")
    assert run.code == 5
    assert run.stdout == ""
    error = run.error
    assert error["code"] == "jsonrpc_error"
    assert error["jsonrpc"]["code"] == -32602
    assert error["message"].startswith("resources/read: ")


def test_a_silent_server_exits_5_after_the_timeout_not_never() -> None:
    started = time.monotonic()
    run = run_cli(
        *fixture_command("broken_stdio", "silent"), "--method", "tools/call",
        "--tool-name", "anything", "--timeout", "1",
    )  # fmt: skip
    assert run.code == 5
    assert run.error["code"] == "timeout"
    assert time.monotonic() - started < 15


def test_a_server_that_dies_mid_request_exits_5_with_its_last_words() -> None:
    run = run_cli(
        *fixture_command("broken_stdio", "crash"), "--method", "tools/call", "--tool-name", "t"
    )
    assert run.code == 5
    assert run.error["code"] == "connection_closed"
    assert "exited with code 3" in run.error["message"]
    assert "the tool exploded" in run.error["message"]


def test_the_servers_stderr_passes_through_escaped_and_the_envelope_stays_last() -> None:
    chatty = fixture_command("broken_stdio", "chatty")
    run = run_cli(*chatty, "--method", "tools/call", "--tool-name", "t")
    assert (run.code, run.json()) == (0, {"content": [{"type": "text", "text": "done"}]})
    # Escaped as any server text is: a server must not drive the terminal.
    assert run.server_stderr == [
        "booting \\u001b[31mred\\u001b[0m",
        "handled initialize",
        "handled tools/call",
    ]
    crashed = run_cli(
        *fixture_command("broken_stdio", "chatty", "crash"), "--method", "tools/call",
        "--tool-name", "t",
    )  # fmt: skip
    assert crashed.code == 5
    assert crashed.server_stderr[-2:] == ["handled tools/call", "panic: the tool exploded"]
    assert crashed.error["code"] == "connection_closed"  # the last line
