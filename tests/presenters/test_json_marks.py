"""Marking a finding's path in a message's JSON: the text is the page's indented JSON,
line for line, and the lines of the value the path names are marked."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from inspector.mcp.findings import Finding
from inspector.presenters.json_marks import marked_json
from inspector.presenters.wire import indented_json

MESSAGE = {
    "jsonrpc": "2.0",
    "id": 2,
    "result": {
        "tools": [{"name": "bad name!", "inputSchema": {"type": "object"}}, {"name": "ok"}],
        "_meta": {"-bad key": 1, "é": [], "empty": {}},
    },
}

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=6), children, max_size=4)
    ),
    max_leaves=20,
)


@given(JSON)
def test_the_lines_are_the_indented_json(value: Any) -> None:
    lines = marked_json(value, [Finding(rule="r", message="m", path="$.a[0].b")])
    assert "\n".join(line.text for line in lines) == indented_json(value)


def marked(path: str) -> list[str]:
    lines = marked_json(MESSAGE, [Finding(rule="some.rule", message="m", path=path)])
    return [line.text.strip() for line in lines if line.rules == ("some.rule",)]


def test_a_scalar_is_its_own_line() -> None:
    assert marked("$.result.tools[0].name") == ['"name": "bad name!",']


def test_an_object_is_marked_whole() -> None:
    assert marked("$.result.tools[0].inputSchema") == [
        '"inputSchema": {',
        '"type": "object"',
        "}",
    ]


def test_a_key_written_in_brackets_is_found() -> None:
    assert marked("$.result._meta['-bad key']") == ['"-bad key": 1,']


def test_a_missing_field_marks_the_object_it_is_missing_from() -> None:
    assert marked("$.result.tools[1].inputSchema") == ["{", '"name": "ok"', "}"]


@pytest.mark.parametrize("path", ["$", "$.nowhere", "not a path"])
def test_the_whole_message_or_nowhere_marks_nothing(path: str) -> None:
    assert marked(path) == []
