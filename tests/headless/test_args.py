"""The command-line grammar: the official inspector CLI's, parsed without starting anything."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from inspector.cli import wants_headless
from inspector.headless.args import Invocation, OutputFormat, parse
from inspector.headless.target import ServerChoice
from inspector.headless.words import HelpRequested, UsageError


def call(*argv: str) -> Invocation:
    return parse(["--cli", *argv])


def test_a_command_keeps_options_it_does_not_know_and_loses_ours() -> None:
    invocation = call(
        "npx", "-y", "@modelcontextprotocol/server-everything", "--method", "tools/list",
        "-e", "API_KEY=a=b", "-eEMPTY=",
    )  # fmt: skip
    assert invocation.server == ServerChoice(
        words=("npx", "-y", "@modelcontextprotocol/server-everything"),
        transport="stdio",
        env={"API_KEY": "a=b", "EMPTY": ""},
    )
    assert invocation.method == "tools/list"
    assert invocation.params is None
    assert invocation.output is OutputFormat.PRETTY
    assert not invocation.strict


def test_options_may_come_first_and_the_server_after_the_separator() -> None:
    invocation = call(
        "--method", "tools/list", "--cwd", "/srv", "--", "server", "--method", "x", "-e"
    )  # fmt: skip
    assert invocation.server.words == ("server", "--method", "x", "-e")
    assert invocation.server.cwd == "/srv"
    assert invocation.method == "tools/list"


def test_tool_arguments_are_json_when_they_parse_and_strings_otherwise() -> None:
    invocation = call(
        "node", "server.js", "--method", "tools/call", "--tool-name", "add",
        "--tool-arg", "a=1", "b=2.5", "flag=true", "none=null", "--tool-arg", "text=hello",
        "--tool-arg", 'obj={"x": [1]}', "--tool-arg", "nan=NaN", "--tool-arg", "eq=a=b",
        "--tool-arg", "empty=", "--tool-arg", 'quoted="1"',
    )  # fmt: skip
    assert invocation.params == {
        "name": "add",
        "arguments": {
            "a": 1,
            "b": 2.5,
            "flag": True,
            "none": None,
            "text": "hello",
            "obj": {"x": [1]},
            "nan": "NaN",
            "eq": "a=b",
            "empty": "",
            "quoted": "1",
        },
    }


def test_tool_args_json_and_tool_arg_combine_with_tool_arg_winning() -> None:
    invocation = call(
        "s", "--method", "tools/call", "--tool-name", "t",
        "--tool-args-json", '{"a": 1, "b": {"c": 2}}', "--tool-arg", "a=3",
        "--metadata", "trace=7", "--tool-metadata", "who=me",
    )  # fmt: skip
    assert invocation.params == {
        "name": "t",
        "arguments": {"a": 3, "b": {"c": 2}},
        "_meta": {"trace": 7, "who": "me"},
    }


def test_a_url_gets_its_transport_from_the_flag_or_its_path() -> None:
    assert call("https://h/mcp", "--method", "ping").server.transport == "http"
    assert call("https://h/sse", "--method", "ping").server.transport == "sse"
    assert call("https://h/anything", "--method", "ping").server.transport == "http"
    explicit = call("http://h/x", "--transport", "sse", "--method", "ping").server
    assert explicit.transport == "sse"
    alias = call("http://h/x", "--transport", "streamable-http", "--method", "ping")
    assert alias.server.transport == "http"
    headers = call(
        "--server-url", "http://h/mcp", "--header", "Authorization: Bearer a:b", "X-One: 1",
        "--method", "ping",
    ).server  # fmt: skip
    assert headers.words == ("http://h/mcp",)
    assert headers.headers == {"Authorization": "Bearer a:b", "X-One": "1"}


def test_a_header_list_does_not_swallow_a_url() -> None:
    server = call("--header", "X-A: 1", "http://h/mcp", "--method", "ping").server
    assert server.words == ("http://h/mcp",)
    assert server.headers == {"X-A": "1"}


@pytest.mark.parametrize(
    ("argv", "params"),
    [
        (["--method", "resources/read", "--uri", "file:///a b"], {"uri": "file:///a b"}),
        (
            ["--method", "prompts/get", "--prompt-name", "p", "--prompt-args", "n=5", "s=x"],
            {"name": "p", "arguments": {"n": "5", "s": "x"}},
        ),
        (["--method", "logging/setLevel", "--log-level", "notice"], {"level": "notice"}),
        (
            ["--method", "completion/complete", "--ref-prompt", "p", "--argument-name", "a"],
            {"ref": {"type": "ref/prompt", "name": "p"}, "argument": {"name": "a", "value": ""}},
        ),
        (
            [
                "--method", "completion/complete", "--ref-resource", "t://{x}",
                "--argument-name", "x", "--argument-value=-1", "--context-arg", "y=2",
            ],
            {
                "ref": {"type": "ref/resource", "uri": "t://{x}"},
                "argument": {"name": "x", "value": "-1"},
                "context": {"arguments": {"y": "2"}},
            },
        ),
        (["--method", "ping", "--metadata", "k=v"], {"_meta": {"k": "v"}}),
    ],
)  # fmt: skip
def test_each_method_takes_its_own_options(argv: list[str], params: dict[str, Any]) -> None:
    assert call("server", *argv).params == params


def test_timeouts_versions_format_and_trace() -> None:
    invocation = call(
        "s", "--method", "ping", "--timeout=2.5", "--connect-timeout", "7",
        "--protocol-version", "2025-03-26", "--format", "json", "--trace", "out.jsonl",
    )  # fmt: skip
    assert invocation.server.request_timeout == 2.5
    assert invocation.server.connect_timeout == 7
    assert invocation.server.protocol_version == "2025-03-26"
    assert invocation.output is OutputFormat.JSON
    assert invocation.trace_path == "out.jsonl"


def test_strict_is_a_switch_of_ours_wherever_it_stands() -> None:
    assert not call("s", "--method", "ping").strict
    invocation = call("--strict", "server", "--flag", "--method", "ping")
    assert invocation.strict
    assert invocation.server.words == ("server", "--flag")
    assert call("s", "--method", "ping", "--strict").strict
    assert call("--method", "ping", "--", "s", "--strict").server.words == ("s", "--strict")


def test_config_selects_a_server_by_name() -> None:
    server = call("--config", "mcp.json", "--server", "x", "--method", "ping").server
    assert (server.config_path, server.server_name, server.words) == ("mcp.json", "x", ())


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["s"], "--method is required"),
        (["s", "--methd", "ping"], "--methd went to the server"),
        (["s", "--method", "tools/cal"], "unknown method 'tools/cal'"),
        (["--bogus", "s", "--method", "ping"], "unknown option --bogus"),
        (["--method", "ping"], "no server given"),
        (["s", "--method", "tools/call"], "tools/call needs --tool-name"),
        (["s", "--method", "tools/list", "--tool-name", "x"], "--tool-name does not apply"),
        (["s", "--method", "tools/call", "--tool-name", "t", "--tool-arg", "x"], "key=value"),
        (["s", "--method", "tools/call", "--tool-name", "t", "--tool-args-json", "[1]"], "object"),
        (["s", "--method", "tools/call", "--tool-name", "t", "--tool-args-json", "{"], "JSON"),
        (["s", "--method", "resources/read"], "needs --uri"),
        (["s", "--method", "logging/setLevel", "--log-level", "loud"], "must be one of"),
        (["s", "--method", "completion/complete", "--argument-name", "a"], "--ref-prompt"),
        (["s", "--method", "ping", "--timeout", "0"], "positive"),
        (["s", "--method", "ping", "--timeout", "soon"], "number of seconds"),
        (["s", "--method", "ping", "--format", "yaml"], "json or text"),
        (["s", "--method", "ping", "--transport", "http"], "needs a URL"),
        (["s", "--method", "ping", "--header", "X: 1"], "URL server"),
        (["http://h/mcp", "extra", "--method", "ping"], "takes no arguments"),
        (["http://h/mcp", "--method", "ping", "-e", "A=1"], "applies to a command"),
        (["http://h/mcp", "--transport", "stdio", "--method", "ping"], "needs a command"),
        (["http:///mcp", "--method", "ping"], "has no host"),
        (["--header", "nocolon", "http://h/mcp", "--method", "ping"], "Name: Value"),
        (["--config", "c.json", "s", "--method", "ping"], "not both"),
        (["--server", "x", "--method", "ping"], "give --config too"),
        (["s", "--method", "initialize", "--metadata", "a=1"], "initialize"),
        (["s", "--method"], "--method needs a value"),
    ],
)
def test_usage_errors_say_what_is_wrong(argv: list[str], message: str) -> None:
    with pytest.raises(UsageError, match=message.replace("[", r"\[")):
        call(*argv)


def test_help_is_a_request_not_an_error() -> None:
    with pytest.raises(HelpRequested):
        call("s", "--help")


def test_cli_mode_is_chosen_by_the_inspectors_own_words_only() -> None:
    assert wants_headless(["--cli", "s", "--method", "ping"])
    assert wants_headless(["s", "--method", "ping", "--cli"])
    assert not wants_headless(["--", "server", "--cli"])
    assert not wants_headless(["https://h/mcp"])


def test_roots_are_shared_as_file_uris(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "my project").mkdir()
    monkeypatch.chdir(tmp_path)
    invocation = call(
        "server", "--root", "my project", "--root", "/", "--root=file:///srv/data",
        "--method", "tools/list",
    )  # fmt: skip
    assert [(root.uri, root.name) for root in invocation.roots] == [
        ((tmp_path / "my project").as_uri(), "my project"),
        ("file:///", ""),
        ("file:///srv/data", "data"),
    ]
    assert call("server", "--method", "tools/list").roots == ()


@pytest.mark.parametrize(
    ("root", "message"),
    [
        ("/nonexistent/dir", "--root /nonexistent/dir: no such file or directory"),
        ("https://example.com/x", "--root https://example.com/x: A root must be a file:// URI"),
        ("file://elsewhere/x", "must be on this machine"),
        ("file:///a/../etc", "'..' segments"),
        ("", "--root needs a directory"),
    ],
)
def test_a_root_that_cannot_be_shared_is_a_usage_error(root: str, message: str) -> None:
    with pytest.raises(UsageError, match=re.escape(message)):
        call("server", "--root", root, "--method", "tools/list")
    with pytest.raises(UsageError, match="already a root"):
        call("server", "--root", "/tmp", "--root", "/tmp/", "--method", "tools/list")


def test_a_line_in_the_official_clis_order_reads_the_same() -> None:
    # The official CLI takes the server before `--`, verbatim, and its options after.
    official = call(
        "node", "s.js", "--config", "/etc/s.conf", "--verbose", "--",
        "--method", "tools/call", "--tool-name", "add", "--tool-arg", "a=1",
    )  # fmt: skip
    ours = call(
        "--method", "tools/call", "--tool-name", "add", "--tool-arg", "a=1",
        "--", "node", "s.js", "--config", "/etc/s.conf", "--verbose",
    )  # fmt: skip
    assert official == ours
    assert official.server.words == ("node", "s.js", "--config", "/etc/s.conf", "--verbose")
    # With --method before `--`, the words after it are the server's, as always.
    kept = call("node", "s.js", "--method", "ping", "--", "--method", "x")
    assert kept.server.words == ("node", "s.js", "--method", "x")
    assert kept.method == "ping"
