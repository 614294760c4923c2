"""The JSON-RPC decoder takes any frame a server may send: whatever the text, it returns
events (the frame, then a batch's elements) with findings, and never raises."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from inspector.mcp.jsonrpc import classify, decode_frame
from inspector.mcp.trace import Direction, MessageType
from inspector.mcp.transports.base import inbound_frame
from tests.mcp.fuzzing import FUZZ, FUZZ_FEW, JSON_VALUES

MEMBERS = ["jsonrpc", "id", "method", "params", "result", "error"]
# Objects that look like messages: the members the decoder looks at, with any values.
MESSAGE_LIKE = st.dictionaries(st.sampled_from(MEMBERS) | st.text(max_size=4), JSON_VALUES)


def decoded(text: str, *, batches_allowed: bool) -> list[Any]:
    events = decode_frame(inbound_frame(text), batches_allowed=batches_allowed)
    assert events, "the frame itself is always returned"
    for event in events:
        assert event.direction is Direction.IN
        event.to_dict()  # what is stored and shown must still be writable
    return events


@FUZZ
@given(st.text(max_size=200), st.booleans())
def test_any_text_decodes_without_raising(text: str, batches_allowed: bool) -> None:
    events = decoded(text, batches_allowed=batches_allowed)
    if events[0].message_type is MessageType.INVALID and events[0].payload is None:
        assert events[0].findings  # not JSON: said so


@FUZZ
@given(JSON_VALUES | MESSAGE_LIKE | st.lists(MESSAGE_LIKE, max_size=4), st.booleans())
def test_any_json_value_decodes_without_raising(value: Any, batches_allowed: bool) -> None:
    events = decoded(json.dumps(value), batches_allowed=batches_allowed)
    if isinstance(value, list):
        assert len(events) == len(value) + 1
    classify(value)


@FUZZ_FEW
@given(st.integers(min_value=1, max_value=200_000), st.sampled_from(["[", '{"a":']))
def test_deeply_nested_frames_are_findings(depth: int, opener: str) -> None:
    closer = "]" if opener == "[" else "}"
    decoded(opener * depth + "1" + closer * depth, batches_allowed=True)
