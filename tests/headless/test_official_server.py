"""The official "everything" reference server from the npm registry, through the CLI."""

from __future__ import annotations

import json
from pathlib import Path

from inspector.mcp.transports.stdio import STDIN_GRACE_SECONDS
from tests.headless.conftest import run_cli


def test_lists_and_calls(official_everything: list[str]) -> None:
    tools = run_cli(*official_everything, "--method", "tools/list")
    assert tools.code == 0, tools.stderr
    names = {tool["name"] for tool in tools.json()["tools"]}
    assert {"echo", "get-sum", "get-env", "trigger-long-running-operation"} <= names
    total = run_cli(
        *official_everything, "--method", "tools/call", "--tool-name", "get-sum",
        "--tool-arg", "a=1.5", "b=2", "--format", "text",
    )  # fmt: skip
    assert (total.code, total.stdout) == (0, "The sum of 1.5 and 2 is 3.5.\n")


def test_the_roots_capability_is_declared_as_the_official_cli_does(
    official_everything: list[str], tmp_path: Path
) -> None:
    # The server offers get-roots-list only to a client that declares roots; the official
    # CLI does, so it lists the tool to both, though no root is shared by default.
    tools = run_cli(*official_everything, "--method", "tools/list")
    assert tools.code == 0, tools.stderr
    assert "get-roots-list" in {tool["name"] for tool in tools.json()["tools"]}
    # The server asks for the roots as soon as it is initialized, and again on the call.
    none = run_cli(
        *official_everything, "--method", "tools/call", "--tool-name", "get-roots-list",
        "--format", "text",
    )  # fmt: skip
    assert none.code == 0, none.stderr
    assert "no roots" in none.stdout.lower()
    shared = tmp_path / "shared dir"
    shared.mkdir()
    some = run_cli(
        *official_everything, "--root", str(shared), "--root", "/tmp",
        "--method", "tools/call", "--tool-name", "get-roots-list", "--format", "text",
    )  # fmt: skip
    assert some.code == 0, some.stderr
    assert "Current MCP Roots (2 total)" in some.stdout
    assert f"URI: {shared.as_uri()}" in some.stdout
    assert "1. shared dir" in some.stdout


def test_the_servers_stderr_passes_through_as_with_the_official_cli(
    official_everything: list[str],
) -> None:
    run = run_cli(*official_everything, "--method", "ping")
    assert (run.code, run.json()) == (0, {})
    assert "Starting default (STDIO) server..." in run.server_stderr


def test_every_page_of_resources_is_followed(official_everything: list[str]) -> None:
    run = run_cli(*official_everything, "--method", "resources/list")
    assert run.code == 0, run.stderr
    result = run.json()
    assert "nextCursor" not in result
    uris = [item["uri"] for item in result["resources"]]
    assert len(uris) == len(set(uris)) > 0


def test_environment_reaches_the_server(official_everything: list[str]) -> None:
    run = run_cli(
        *official_everything, "-e", "INSPECTOR_PROBE=a=b", "--method", "tools/call",
        "--tool-name", "get-env",
    )  # fmt: skip
    assert run.code == 0, run.stderr
    assert '"INSPECTOR_PROBE": "a=b"' in run.json()["content"][0]["text"]


def test_completion_logging_prompts_and_templates(official_everything: list[str]) -> None:
    completion = run_cli(
        *official_everything, "--method", "completion/complete",
        "--ref-prompt", "completable-prompt", "--argument-name", "name",
        "--context-arg", "department=Engineering", "--format", "json",
    )  # fmt: skip
    assert completion.code == 0, completion.stderr
    assert completion.json()["result"]["completion"]["values"] == ["Alice", "Bob", "Charlie"]
    level = run_cli(*official_everything, "--method", "logging/setLevel", "--log-level", "error")
    assert (level.code, level.json()) == (0, {})
    prompt = run_cli(
        *official_everything, "--method", "prompts/get", "--prompt-name", "args-prompt",
        "--prompt-args", "city=Paris", "state=TX", "--format", "text",
    )  # fmt: skip
    assert prompt.stdout == "user:\n  What's weather in Paris, TX?\n"
    templates = run_cli(*official_everything, "--method", "resources/templates/list")
    assert any(
        "{resourceId}" in item["uriTemplate"] for item in templates.json()["resourceTemplates"]
    )


def test_a_tool_error_from_bad_arguments_exits_5(official_everything: list[str]) -> None:
    run = run_cli(
        *official_everything, "--method", "tools/call", "--tool-name", "get-sum",
        "--tool-arg", "a=one",
    )  # fmt: skip
    assert run.code == 5
    assert run.error["code"] == "tool_is_error"
    assert "Invalid arguments for tool get-sum" in run.json()["content"][0]["text"]


def test_an_unknown_prompt_is_a_json_rpc_error_and_exits_5(official_everything: list[str]) -> None:
    run = run_cli(*official_everything, "--method", "prompts/get", "--prompt-name", "nope")
    assert run.code == 5
    assert run.error["jsonrpc"]["code"] == -32602


def test_strict_passes_the_reference_server(official_everything: list[str]) -> None:
    tools = run_cli(*official_everything, "--method", "tools/list", "--strict")
    assert tools.code == 0, tools.stderr
    call = run_cli(
        *official_everything, "--method", "tools/call", "--tool-name", "echo",
        "--tool-arg", "message=strict", "--strict", "--format", "json",
    )  # fmt: skip
    assert call.code == 0, call.stderr
    assert set(call.json()) == {"result"}


def test_a_server_that_stays_up_after_its_input_closes_is_asked_to_stop_soon(
    official_everything: list[str], tmp_path: Path
) -> None:
    # Once initialized, the server keeps timers running and does not exit on its closed
    # input: the command asks it to stop (SIGTERM) well before the web UI's grace.
    trace = tmp_path / "trace.jsonl"
    tools = run_cli(*official_everything, "--trace", str(trace), "--method", "tools/list")
    assert tools.code == 0, tools.stderr
    assert tools.json()["tools"]
    events = [json.loads(line) for line in trace.read_text().splitlines()]
    answered = next(
        event["timestamp"]
        for event in events
        if event["kind"] == "message" and '"tools":[' in event["text"]
    )
    stopped = next(event for event in events if event["text"].startswith("Sent SIGTERM"))
    assert "did not exit after its input closed" in stopped["text"]
    assert stopped["timestamp"] - answered < STDIN_GRACE_SECONDS
    assert events[-1]["text"] == "The server process was killed by signal SIGTERM."
