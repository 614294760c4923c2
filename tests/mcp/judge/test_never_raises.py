"""A rule that raises is a bug: random JSON, in every place a message may carry it, through
every rule and every version, raises nothing."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from inspector.mcp.jsonrpc import classify, encode
from inspector.mcp.judge.judge import Judge
from inspector.mcp.judge.shapes import known_methods
from inspector.mcp.trace import Direction, EventKind, TraceEvent
from inspector.mcp.versions import KNOWN_VERSIONS

METHODS = sorted(known_methods())
# Keys the rules look at, so that random objects reach them.
KEYS = [
    "content", "tools", "nextCursor", "cursor", "structuredContent", "isError", "_meta",
    "resultType", "inputRequests", "requestState", "ttlMs", "messages", "contents",
    "resources", "resourceTemplates", "capabilities", "progressToken", "progress", "level",
    "uri", "mimeType", "data", "blob", "type", "role", "annotations", "priority",
    "lastModified", "name", "inputSchema", "outputSchema", "method", "params", "mode",
    "logging", "listChanged", "subscribe", "elicitation", "sampling", "roots",
]  # fmt: skip
SCALARS = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8)
VALUES = st.recursive(
    SCALARS | st.sampled_from(KEYS + METHODS),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=6), inner, max_size=5)
    ),
    max_leaves=30,
)
IDS = st.integers(min_value=0, max_value=5) | st.sampled_from(["1", "a"]) | st.none()


@st.composite
def messages(draw: st.DrawFn) -> tuple[Direction, dict[str, Any], str | None]:
    direction = draw(st.sampled_from([Direction.IN, Direction.OUT]))
    method = draw(st.sampled_from(METHODS) | st.text(max_size=6))
    body = draw(st.dictionaries(st.sampled_from(KEYS), VALUES, max_size=6))
    shape = draw(st.sampled_from(["request", "notification", "result", "error", "junk"]))
    message: dict[str, Any] = {"jsonrpc": "2.0"}
    if shape == "request":
        message.update(id=draw(IDS), method=method, params=body)
    elif shape == "notification":
        message.update(method=method, params=body)
    elif shape == "result":
        message.update(id=draw(IDS), result=body)
    elif shape == "error":
        message.update(id=draw(IDS), error=body)
    else:
        message = body
    return direction, message, method if shape == "result" else None


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(KNOWN_VERSIONS), st.lists(messages(), min_size=1, max_size=12))
def test_no_rule_raises_on_random_json(
    version: str, traffic: list[tuple[Direction, dict[str, Any], str | None]]
) -> None:
    judge = Judge()
    for direction, message, answered_method in traffic:
        classification = classify(message)
        event = TraceEvent(
            kind=EventKind.MESSAGE,
            direction=direction,
            text=encode(message),
            payload=message,
            message_type=classification.message_type,
            method=classification.method or answered_method,
            message_id=classification.message_id,
        )
        judge.findings(event, version)  # raises on a bug, where check() would log it
        judge.check(event, version)
