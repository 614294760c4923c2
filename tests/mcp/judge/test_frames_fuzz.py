"""The findings rules take whatever a connection carries, decoded as the client decodes
it: any frame (not JSON, any JSON value, batches), in either direction, under any version
string (unknown ones included), one after another on the same connection; `findings`
raises nothing, and every finding it gives is writable."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from inspector.mcp.jsonrpc import decode_frame
from inspector.mcp.judge.judge import Judge
from inspector.mcp.trace import Direction, EventKind, TraceEvent
from inspector.mcp.versions import KNOWN_VERSIONS
from tests.mcp.fuzzing import FUZZ, JSON_VALUES
from tests.mcp.judge.test_never_raises import messages

VERSIONS = st.sampled_from(KNOWN_VERSIONS) | st.text(max_size=10)
FRAMES = (
    messages().map(lambda drawn: json.dumps(drawn[1]))
    | st.lists(messages().map(lambda drawn: drawn[1]), max_size=3).map(json.dumps)
    | JSON_VALUES.map(json.dumps)
    | st.text(max_size=40)
)


@FUZZ
@given(
    VERSIONS,
    st.lists(
        st.tuples(st.sampled_from([Direction.IN, Direction.OUT]), FRAMES), min_size=1, max_size=6
    ),
)
def test_no_rule_raises_on_any_frame(version: str, traffic: list[tuple[Direction, str]]) -> None:
    judge = Judge()
    for direction, text in traffic:
        frame = TraceEvent(kind=EventKind.MESSAGE, direction=direction, text=text)
        for event in decode_frame(frame, batches_allowed=True):
            judge.findings(event, version if version in KNOWN_VERSIONS else KNOWN_VERSIONS[-1])
            judge.check(event, version)
            for item in event.findings:
                item.to_dict()


@FUZZ
@given(
    st.sampled_from(KNOWN_VERSIONS), JSON_VALUES, st.sampled_from(["inputSchema", "outputSchema"])
)
def test_any_tool_schema_is_judged_without_raising(version: str, schema: Any, key: str) -> None:
    tools = {"tools": [{"name": "t", key: schema}]}
    judge = Judge()
    for direction, message in (
        (Direction.OUT, {"jsonrpc": "2.0", "id": 1, "method": "tools/list"}),
        (Direction.IN, {"jsonrpc": "2.0", "id": 1, "result": tools}),
    ):
        frame = TraceEvent(kind=EventKind.MESSAGE, direction=direction, text=json.dumps(message))
        (event,) = decode_frame(frame, batches_allowed=False)
        event.method = "tools/list"  # the client pairs a result with its request
        judge.findings(event, version)
