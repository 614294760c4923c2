"""MCP tools offered to an OpenAI-compatible model: names its API accepts, mapped back."""

from __future__ import annotations

import re
from typing import Any

from inspector.mcp.model_endpoint import FUNCTION_NAME_LIMIT, function_names, function_tools

ACCEPTED = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def test_a_name_the_api_accepts_is_kept() -> None:
    assert function_names(["get-time", "add_numbers"]) == {
        "get-time": "get-time",
        "add_numbers": "add_numbers",
    }


def test_dots_slashes_and_long_names_become_accepted_names_that_map_back() -> None:
    long_name = "a" * 100
    names = function_names(["files.read", "files/read", long_name, "ünïcode", ""])
    assert all(ACCEPTED.match(function) for function in names)
    assert sorted(names.values()) == sorted(["files.read", "files/read", long_name, "ünïcode", ""])
    # Two tools that would meet get different functions.
    assert names["files_read"] == "files.read"
    assert names["files_read_2"] == "files/read"
    assert names["a" * FUNCTION_NAME_LIMIT] == long_name


def test_the_function_definitions_carry_the_accepted_names_and_schemas() -> None:
    schema = {"type": "object", "properties": {"path": {"type": "string"}}}
    tools: list[dict[str, Any]] = [
        {"name": "files.read", "description": "Read a file.", "inputSchema": schema},
        {"name": "no schema", "title": "Untitled"},
        {"description": "no name: not offered"},
    ]
    assert function_tools(tools) == [
        {
            "type": "function",
            "function": {"name": "files_read", "parameters": schema, "description": "Read a file."},
        },
        {
            "type": "function",
            "function": {
                "name": "no_schema",
                "parameters": {"type": "object"},
                "description": "Untitled",
            },
        },
    ]
