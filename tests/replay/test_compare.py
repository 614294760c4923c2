"""Comparing a recorded answer with a replayed one: every differing path, except those
ignored (by default the envelope's metadata and times; and any the person names)."""

from __future__ import annotations

import pytest

from inspector.replay.compare import (
    DEFAULT_IGNORED,
    BadPattern,
    Difference,
    IgnoredPaths,
    differences,
)
from inspector.replay.plan import plan_of

DEFAULTS = IgnoredPaths(DEFAULT_IGNORED)


def test_each_differing_path_is_named_with_both_values() -> None:
    recorded = {"result": {"content": [{"type": "text", "text": "5"}], "isError": False}}
    replayed = {"result": {"content": [{"type": "text", "text": "6"}, {"type": "text"}]}}
    assert differences(recorded, replayed, DEFAULTS) == [
        Difference("$.result.content[0].text", "5", "6"),
        Difference("$.result.content[1]", None, {"type": "text"}, missing="before"),
        Difference("$.result.isError", False, None, missing="after"),
    ]


@pytest.mark.parametrize(
    ("pattern", "path", "ignored"),
    [
        ("$.result.content[*].text", "$.result.content[3].text", True),
        ("$.result.content[*].text", "$.result.content[3].type", False),
        ("$.result.*.text", "$.result.a.text", True),
        ("$..timestamp", "$.result.items[2].meta.timestamp", True),
        ("$..timestamp", "$.result.timestamps", False),
        ("$.result.tools", "$.result.tools[0].name", True),  # below an ignored path too
        ("$.result.tool", "$.result.tools", False),
    ],
)
def test_paths_to_ignore_take_wildcards_and_depth(pattern: str, path: str, ignored: bool) -> None:
    assert (path in IgnoredPaths([pattern])) is ignored


def test_the_envelopes_metadata_and_times_are_ignored_by_default() -> None:
    recorded = {"result": {"_meta": {"a": 1}, "task": {"createdAt": "x", "status": "done"}}}
    replayed = {"result": {"_meta": {"a": 2}, "task": {"createdAt": "y", "status": "done"}}}
    assert differences(recorded, replayed, DEFAULTS) == []


def test_a_pattern_must_be_a_path() -> None:
    with pytest.raises(BadPattern):
        IgnoredPaths(["result.x"])


def test_the_plan_is_the_replayable_requests_with_their_answers_in_order() -> None:
    def event(seq: int, **fields: object) -> dict[str, object]:
        return {"seq": seq, "kind": "message", "timestamp": 1.0, **fields}

    events = [
        event(1, direction="out", message_type="request", method="initialize",
              text='{"id": 0, "method": "initialize", "params": {}}'),
        event(2, direction="out", message_type="request", method="tools/call",
              text='{"id": 1, "method": "tools/call", "params": {"name": "add", '
                   '"arguments": {"a": 1}, "_meta": {"progressToken": "p"}}}'),
        event(3, direction="out", message_type="request", method="tools/list",
              text='{"id": 2, "method": "tools/list"}'),
        event(4, direction="in", message_type="result", request_seq=3,
              text='{"id": 2, "result": {"tools": []}}'),
        event(5, direction="in", message_type="error", request_seq=2,
              text='{"id": 1, "error": {"code": -32602, "message": "no"}}'),
    ]  # fmt: skip
    steps = plan_of(events)
    assert [(step.seq, step.label) for step in steps] == [(2, "tools/call add"), (3, "tools/list")]
    assert steps[0].params == {"name": "add", "arguments": {"a": 1}}, "its own _meta is left out"
    assert steps[0].recorded == {"error": {"code": -32602, "message": "no"}}
    assert steps[0].may_change_things
    assert steps[1].recorded == {"result": {"tools": []}}
    assert steps[1].params is None
