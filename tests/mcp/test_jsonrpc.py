"""Framing and classification: every way a frame can be wrong becomes a finding."""

from __future__ import annotations

import pytest

from inspector.mcp import jsonrpc
from inspector.mcp.trace import MessageType
from inspector.mcp.transports.base import inbound_frame


def rules(frame_text: str, *, batches: bool = False) -> list[list[str]]:
    return [
        [finding.rule for finding in event.findings]
        for event in jsonrpc.decode_frame(inbound_frame(frame_text), batches_allowed=batches)
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"jsonrpc":"2.0","id":1,"method":"ping"}', MessageType.REQUEST),
        (
            '{"jsonrpc":"2.0","method":"notifications/progress","params":{}}',
            MessageType.NOTIFICATION,
        ),
        ('{"jsonrpc":"2.0","id":"a","result":{}}', MessageType.RESULT),
        ('{"jsonrpc":"2.0","id":3,"error":{"code":-32601,"message":"nope"}}', MessageType.ERROR),
        ("[]", MessageType.BATCH),
        ("{oops", MessageType.INVALID),
        ("42", MessageType.INVALID),
    ],
)
def test_classifies_each_kind_of_frame(text: str, expected: MessageType) -> None:
    frame = jsonrpc.decode_frame(inbound_frame(text), batches_allowed=True)[0]
    assert frame.message_type is expected


def test_well_formed_messages_have_no_findings() -> None:
    assert rules('{"jsonrpc":"2.0","id":7,"result":{"tools":[]}}') == [[]]


def test_not_json_is_a_parse_error_finding() -> None:
    assert rules("{this is not json") == [["jsonrpc.parse-error"]]


def test_wrong_version_and_mixed_response_are_reported_together() -> None:
    assert rules('{"jsonrpc":"1.0","result":5,"error":{"code":"x"}}') == [
        ["jsonrpc.version", "jsonrpc.response-shape"]
    ]


@pytest.mark.parametrize("bad_id", ["null", "1.5", "true", "[1]"])
def test_ids_must_be_strings_or_integers(bad_id: str) -> None:
    text = f'{{"jsonrpc":"2.0","id":{bad_id},"method":"ping"}}'
    assert "jsonrpc.id-type" in rules(text)[0]


def test_error_code_must_be_an_integer() -> None:
    text = '{"jsonrpc":"2.0","id":1,"error":{"code":"bad","message":3}}'
    assert rules(text) == [["jsonrpc.error-code", "jsonrpc.error-message"]]


def test_params_must_be_an_object_in_mcp() -> None:
    assert rules('{"jsonrpc":"2.0","id":1,"method":"x","params":[1]}') == [["jsonrpc.params-type"]]


def test_batch_yields_each_element_with_its_own_findings() -> None:
    text = '[{"jsonrpc":"2.0","id":1,"result":{}},{"jsonrpc":"2.0","method":5}]'
    events = jsonrpc.decode_frame(inbound_frame(text), batches_allowed=True)
    assert [event.message_type for event in events] == [
        MessageType.BATCH,
        MessageType.RESULT,
        MessageType.INVALID,
    ]
    assert events[2].findings[0].path == "$[1].method"
    assert events[1].detail["batch_index"] == 0


def test_batches_outside_2025_03_26_are_flagged() -> None:
    text = '[{"jsonrpc":"2.0","method":"notifications/initialized"}]'
    assert "jsonrpc.batch-not-allowed" in rules(text, batches=False)[0]
    assert rules(text, batches=True)[0] == []


def test_encoding_is_one_line_even_with_newlines_in_strings() -> None:
    text = jsonrpc.encode(jsonrpc.request(1, "tools/call", {"arguments": {"s": "a\nb"}}))
    assert "\n" not in text
    assert '"a\\nb"' in text
