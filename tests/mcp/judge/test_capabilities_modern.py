"""The capability rules in the modern era allow what the declarations allow: list changes
and updates the client opted in to on subscriptions/listen, and log messages while a
request that asked for them is in flight."""

from __future__ import annotations

from typing import Any

from inspector.mcp.findings import Finding
from inspector.mcp.judge.judge import Judge
from inspector.mcp.trace import Direction, EventKind, MessageType, TraceEvent

MODERN = "2026-07-28"
LOG_LEVEL_KEY = "io.modelcontextprotocol/logLevel"
CAPABILITIES = {
    "tools": {"listChanged": True},
    "resources": {"subscribe": True},
    "logging": {},
}


def request(judge: Judge, request_id: int, method: str, params: dict[str, Any]) -> None:
    payload = {"jsonrpc": "2.0", "id": request_id, "method": method, "params": params}
    judge.check(
        TraceEvent(
            kind=EventKind.MESSAGE,
            direction=Direction.OUT,
            payload=payload,
            message_type=MessageType.REQUEST,
            method=method,
            message_id=request_id,
        ),
        MODERN,
    )


def result(judge: Judge, request_id: int, body: dict[str, Any]) -> list[Finding]:
    event = TraceEvent(
        kind=EventKind.MESSAGE,
        direction=Direction.IN,
        payload={"jsonrpc": "2.0", "id": request_id, "result": body},
        message_type=MessageType.RESULT,
        message_id=request_id,
    )
    judge.check(event, MODERN)
    return event.findings


def notification(judge: Judge, method: str, params: dict[str, Any]) -> list[str]:
    event = TraceEvent(
        kind=EventKind.MESSAGE,
        direction=Direction.IN,
        payload={"jsonrpc": "2.0", "method": method, "params": params},
        message_type=MessageType.NOTIFICATION,
        method=method,
    )
    judge.check(event, MODERN)
    return [f.rule for f in event.findings if f.rule.startswith("capabilities.")]


def discovered() -> Judge:
    judge = Judge()
    request(judge, 1, "server/discover", {})
    result(
        judge,
        1,
        {"supportedVersions": [MODERN], "capabilities": CAPABILITIES, "resultType": "complete"},
    )
    return judge


def test_what_the_stream_asked_for_draws_nothing() -> None:
    judge = discovered()
    wanted = {"toolsListChanged": True, "resourceSubscriptions": ["file:///dir"]}
    request(judge, 2, "subscriptions/listen", {"notifications": wanted})
    assert notification(judge, "notifications/tools/list_changed", {}) == []
    assert notification(judge, "notifications/resources/updated", {"uri": "file:///dir"}) == []
    # The spec lets an update name a sub-resource of the subscribed URI.
    assert notification(judge, "notifications/resources/updated", {"uri": "file:///dir/a"}) == []


def test_what_the_stream_did_not_ask_for_is_a_finding() -> None:
    judge = discovered()
    request(judge, 2, "subscriptions/listen", {"notifications": {"toolsListChanged": True}})
    assert notification(judge, "notifications/prompts/list_changed", {}) == [
        "capabilities.list-changed"
    ]
    updated = notification(judge, "notifications/resources/updated", {"uri": "file:///dirt"})
    assert updated == ["capabilities.subscribe"]


def test_log_messages_follow_the_log_level_of_a_request_in_flight() -> None:
    judge = discovered()
    log = {"level": "info", "data": "hi"}
    request(judge, 2, "tools/call", {"name": "t", "_meta": {LOG_LEVEL_KEY: "info"}})
    assert notification(judge, "notifications/message", log) == []
    result(judge, 2, {"content": [], "resultType": "complete"})
    assert notification(judge, "notifications/message", log) == ["capabilities.logging"]
