"""The Protocol tab's rows: how a request ended, as its badge says."""

from __future__ import annotations

from typing import Any

from inspector.mcp.trace import Direction, EventKind, MessageType, TraceEvent
from inspector.presenters.events import event_rows


def _exchange(answer: dict[str, Any], answer_type: MessageType) -> list[TraceEvent]:
    request = TraceEvent(
        EventKind.MESSAGE,
        Direction.OUT,
        payload={"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": "x"}},
        message_type=MessageType.REQUEST,
        method="tools/call",
        message_id=1,
        seq=1,
    )
    response = TraceEvent(
        EventKind.MESSAGE,
        Direction.IN,
        payload={"jsonrpc": "2.0", "id": 1, **answer},
        message_type=answer_type,
        message_id=1,
        request_seq=1,
        duration_ms=2.5,
        seq=2,
    )
    return [request, response]


def test_a_tool_error_result_is_neither_ok_nor_a_protocol_error() -> None:
    failed = {"result": {"content": [], "isError": True}}
    outcome = event_rows(_exchange(failed, MessageType.RESULT))[0].outcome
    assert outcome is not None
    assert (outcome.tone, outcome.label) == ("tool-error", "tool error · 2.5 ms")


def test_a_plain_result_is_ok_and_an_error_response_an_error() -> None:
    answered = event_rows(_exchange({"result": {"content": []}}, MessageType.RESULT))[0]
    refused = event_rows(_exchange({"error": {"code": -1, "message": "no"}}, MessageType.ERROR))[0]
    assert answered.outcome is not None
    assert refused.outcome is not None
    assert (answered.outcome.tone, answered.outcome.label) == ("ok", "ok · 2.5 ms")
    assert (refused.outcome.tone, refused.outcome.label) == ("error", "error · 2.5 ms")
