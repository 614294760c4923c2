"""Every method, through the real command, against the `mcp`-built fixture server."""

from __future__ import annotations

import json
from pathlib import Path

from tests.headless.conftest import fixture_command, run_cli


def test_tools_list_prints_the_servers_tools_as_json(everything_py: list[str]) -> None:
    run = run_cli(*everything_py, "--method", "tools/list")
    assert run.code == 0
    assert run.stdout.startswith("{\n  ")  # indented, as the official CLI prints it
    tools = {tool["name"]: tool for tool in run.json()["tools"]}
    assert set(tools) == {"add", "echo", "slow_count"}
    assert tools["add"]["inputSchema"]["required"] == ["a", "b"]


def test_tools_call_with_tool_args_and_with_json(everything_py: list[str]) -> None:
    run = run_cli(
        *everything_py, "--method", "tools/call", "--tool-name", "add", "--tool-arg", "a=2", "b=40"
    )
    assert run.code == 0
    assert run.json()["structuredContent"] == {"result": 42}
    run = run_cli(
        *everything_py, "--method", "tools/call", "--tool-name", "echo",
        "--tool-args-json", '{"message": "héllo 1"}', "--format", "json",
    )  # fmt: skip
    assert run.code == 0
    assert run.stdout.count("\n") == 1
    assert run.json() == {
        "result": {
            "content": [{"type": "text", "text": "héllo 1"}],
            "structuredContent": {"result": "héllo 1"},
            "isError": False,
        }
    }


def test_a_string_that_looks_like_json_can_still_be_passed_as_a_string(
    everything_py: list[str],
) -> None:
    run = run_cli(
        *everything_py, "--method", "tools/call", "--tool-name", "echo",
        "--tool-arg", 'message="123"', "--format", "json",
    )  # fmt: skip
    assert run.json()["result"]["content"][0]["text"] == "123"


def test_progress_does_not_disturb_a_slow_call(everything_py: list[str]) -> None:
    # Four steps of 0.2 s, each reported as progress, under a 0.5 s per-request timeout
    # that progress restarts.
    run = run_cli(
        *everything_py, "--method", "tools/call", "--tool-name", "slow_count",
        "--tool-arg", "steps=4", "--timeout", "0.5",
    )  # fmt: skip
    assert run.code == 0, run.stderr
    assert run.json()["content"][0]["text"] == "counted to 4"


def test_resources_and_prompts(everything_py: list[str]) -> None:
    resources = run_cli(*everything_py, "--method", "resources/list").json()
    assert [item["uri"] for item in resources["resources"]] == ["fixture://greeting"]
    read = run_cli(*everything_py, "--method", "resources/read", "--uri", "fixture://greeting")
    assert read.json()["contents"][0]["text"] == "Hello from the fixture."
    templates = run_cli(*everything_py, "--method", "resources/templates/list")
    assert templates.json()["resourceTemplates"] == []
    prompts = run_cli(*everything_py, "--method", "prompts/list").json()
    assert [prompt["name"] for prompt in prompts["prompts"]] == ["review"]
    prompt = run_cli(
        *everything_py, "--method", "prompts/get", "--prompt-name", "review",
        "--prompt-args", "code=print(1)",
    )  # fmt: skip
    assert prompt.json()["messages"][0]["content"]["text"] == "Please review:\nprint(1)"


def test_initialize_prints_what_the_server_said_and_ping_its_empty_result(
    everything_py: list[str],
) -> None:
    run = run_cli(*everything_py, "--method", "initialize", "--protocol-version", "2025-06-18")
    assert run.code == 0
    result = run.json()
    assert result["protocolVersion"] == "2025-06-18"
    assert result["serverInfo"]["name"] == "fixture-everything"
    assert result["instructions"].startswith("A test server.")
    assert set(result["capabilities"]) >= {"tools", "resources", "prompts"}
    ping = run_cli(*everything_py, "--method", "ping", "--metadata", "probe=1")
    assert (ping.code, ping.json()) == (0, {})


def test_text_format_is_for_people(everything_py: list[str]) -> None:
    tools = run_cli(*everything_py, "--method", "tools/list", "--format", "text")
    assert tools.code == 0
    assert tools.stdout.splitlines()[:3] == [
        "add — Add two integers.",
        "  a: integer (required)",
        "  b: integer (required)",
    ]
    called = run_cli(
        *everything_py, "--method", "tools/call", "--tool-name", "add", "--tool-arg", "a=1",
        "--tool-arg", "b=2", "--format", "text",
    )  # fmt: skip
    assert called.stdout.splitlines()[0] == "3"
    assert "structured content:" in called.stdout
    init = run_cli(*everything_py, "--method", "initialize", "--format", "text")
    assert init.stdout.splitlines()[:3] == [
        "fixture-everything 1.2.3 (Fixture Everything)",
        "protocol 2025-11-25",
        "capabilities: prompts, resources, tools",
    ]
    read = run_cli(
        *everything_py, "--method", "resources/read", "--uri", "fixture://greeting",
        "--format", "text",
    )  # fmt: skip
    assert read.stdout == "[resource fixture://greeting (text/plain)]\nHello from the fixture.\n"


def test_server_text_cannot_drive_the_terminal(everything_py: list[str]) -> None:
    hostile = "\x1b[2J\x1b]0;owned\x07\x9b31m\u202eevil"
    call = [*everything_py, "--method", "tools/call", "--tool-name", "echo"]
    argument = ["--tool-args-json", json.dumps({"message": hostile})]
    text = run_cli(*call, *argument, "--format", "text")
    assert text.code == 0
    assert text.stdout.splitlines()[0] == ("\\u001b[2J\\u001b]0;owned\\u0007\\u009b31m\\u202eevil")
    for output in ([], ["--format", "json"]):
        run = run_cli(*call, *argument, *output)
        assert not any(char in run.stdout for char in "\x1b\x07\x9b\u202e")
        parsed = run.json()
        result = parsed.get("result", parsed)
        assert result["content"][0]["text"] == hostile  # the same JSON, escaped


def test_a_list_the_server_does_not_declare_is_empty_with_a_note(tmp_path: Path) -> None:
    # The server declares tools and logging only. The official CLI prints the empty list
    # and exits 0 for the others; so do we, and say why on stderr.
    server = fixture_command("broken_stdio")
    for method, key, capability in (
        ("prompts/list", "prompts", "prompts"),
        ("resources/list", "resources", "resources"),
        ("resources/templates/list", "resourceTemplates", "resources"),
    ):
        trace = tmp_path / f"{key}.jsonl"
        run = run_cli(*server, "--method", method, "--trace", str(trace), notes=True)
        assert (run.code, run.json()) == (0, {key: []}), run.stderr
        assert run.notes == [
            f"note: the server does not declare the {capability!r} capability, so {method} "
            "was not sent; the list is empty."
        ]
        sent = [json.loads(line).get("method") for line in trace.read_text().splitlines()]
        assert "initialize" in sent
        assert method not in sent
    as_json = run_cli(*server, "--method", "prompts/list", "--format", "json", notes=True)
    assert (as_json.code, as_json.json()) == (0, {"result": {"prompts": []}})
