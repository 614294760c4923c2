"""What a finding says: readable shapes, strict types, the rule table, and stored events."""

from __future__ import annotations

from typing import Any

from inspector.mcp.findings import Finding, Severity
from inspector.mcp.judge import rules
from inspector.mcp.judge.judge import Judge
from inspector.mcp.trace import Direction, EventKind, MessageType, TraceEvent


def judged_result(method: str, result: Any, version: str = "2025-11-25") -> list[Finding]:
    judge = Judge()
    request = TraceEvent(
        kind=EventKind.MESSAGE,
        direction=Direction.OUT,
        payload={"jsonrpc": "2.0", "id": 1, "method": method, "params": {}},
        message_type=MessageType.REQUEST,
        method=method,
        message_id=1,
    )
    judge.check(request, version)
    response = TraceEvent(
        kind=EventKind.MESSAGE,
        direction=Direction.IN,
        payload={"jsonrpc": "2.0", "id": 1, "result": result},
        message_type=MessageType.RESULT,
        method=method,
        message_id=1,
    )
    judge.check(response, version)
    return response.findings


def test_a_bad_content_block_is_one_finding_about_the_branch_its_type_selects() -> None:
    found = judged_result("tools/call", {"content": [{"type": "image", "data": "AAAA"}]})
    assert [(f.rule, f.path, f.message) for f in found] == [
        ("shape.schema", "$.result.content[0].mimeType", "Field required")
    ]


def test_an_unknown_content_type_names_the_types_the_version_has() -> None:
    found = judged_result("tools/call", {"content": [{"type": "video"}]}, "2024-11-05")
    assert [(f.rule, f.path) for f in found] == [("shape.unknown-type", "$.result.content[0].type")]
    assert "audio" in found[0].message


def test_json_types_are_not_coerced_and_the_specific_rule_speaks_once() -> None:
    found = judged_result("tools/call", {"content": [], "isError": "yes"})
    assert [(f.rule, f.path) for f in found] == [("content.is-error", "$.result.isError")]
    found = judged_result("tools/call", {"content": [{"type": "text", "text": 5}]})
    assert [f.rule for f in found] == ["shape.schema"]


def test_a_valid_result_draws_nothing() -> None:
    assert judged_result("tools/call", {"content": [{"type": "text", "text": "ok"}]}) == []


def test_spec_links_follow_the_negotiated_version() -> None:
    found = judged_result("tools/call", {"content": [{"type": "image", "data": "%"}]}, "2025-06-18")
    assert all(f.spec_url.startswith(f"{rules.SPEC_ROOT}/2025-06-18/") for f in found)


def test_the_rule_table_in_the_docstring_lists_every_rule() -> None:
    doc = rules.__doc__ or ""
    for rule in rules.RULES.values():
        if rule.id.startswith(("jsonrpc.", "client.")):
            continue
        row = f"| {rule.id} | {rule.severity.value} |"
        assert row in doc, row


def test_findings_stored_before_spec_links_still_load() -> None:
    old = {"rule": "schema.initialize", "message": "m", "path": "$", "severity": "error"}
    assert Finding.from_dict(old) == Finding("schema.initialize", "m", "$", Severity.ERROR)
    assert Finding.from_dict(old).to_dict() == old
    new = Finding("shape.schema", "m", "$.x", Severity.ERROR, "https://example.com/")
    assert Finding.from_dict(new.to_dict()) == new


def test_meta_keys_are_checked_wherever_the_protocol_allows_a_meta() -> None:
    found = judged_result(
        "tools/call",
        {
            "content": [
                {"type": "text", "text": "ok"},
                {"type": "text", "text": "ok", "_meta": {"-bad": 1}},
            ],
            "_meta": {"io.modelcontextprotocol/mine": 1},
        },
    )
    assert [(f.rule, f.path) for f in found] == [
        ("meta.reserved-prefix", "$.result._meta['io.modelcontextprotocol/mine']"),
        ("meta.key", "$.result.content[1]._meta['-bad']"),
    ]
    listed = judged_result(
        "tools/list",
        {"tools": [{"name": "t", "inputSchema": {"type": "object"}, "_meta": {"a b": 1}}]},
    )
    assert [(f.rule, f.path) for f in listed] == [("meta.key", "$.result.tools[0]._meta['a b']")]


def test_a_key_named_meta_in_someones_data_is_just_a_name() -> None:
    schema = {"type": "object", "properties": {"_meta": {"type": "object"}}}
    assert judged_result("tools/list", {"tools": [{"name": "t", "inputSchema": schema}]}) == []
    structured = {"content": [], "structuredContent": {"_meta": {"not a key!": 1}}}
    assert judged_result("tools/call", structured) == []


def judged_server_request(method: str, params: Any, version: str = "2025-11-25") -> list[str]:
    event = TraceEvent(
        kind=EventKind.MESSAGE,
        direction=Direction.IN,
        payload={"jsonrpc": "2.0", "id": "s1", "method": method, "params": params},
        message_type=MessageType.REQUEST,
        method=method,
        message_id="s1",
    )
    Judge().check(event, version)
    return [f"{f.rule} {f.path}" for f in event.findings if f.rule.startswith("content.")]


def test_the_messages_a_server_asks_a_model_to_sample_are_held_to_the_content_rules() -> None:
    image = {"type": "image", "data": "not base64!", "mimeType": "image/png"}
    nested = {"type": "tool_result", "toolUseId": "u1", "content": [image]}
    params = {
        "messages": [
            {"role": "user", "content": image},
            {"role": "user", "content": [{"type": "text", "text": "ok"}, nested]},
        ],
        "maxTokens": 10,
    }
    assert judged_server_request("sampling/createMessage", params) == [
        "content.base64 $.params.messages[0].content.data",
        "content.base64 $.params.messages[1].content[1].content[0].data",
    ]
    image["data"] = "iVBORw0KGgo="
    assert judged_server_request("sampling/createMessage", params) == []


def test_late_progress_for_a_request_we_gave_up_on_is_no_fault_of_the_server() -> None:
    judge = Judge()
    request = TraceEvent(
        kind=EventKind.MESSAGE,
        direction=Direction.OUT,
        payload={
            "jsonrpc": "2.0", "id": 7, "method": "tools/call",
            "params": {"name": "slow", "_meta": {"progressToken": "slow-1"}},
        },
        message_type=MessageType.REQUEST,
        method="tools/call",
        message_id=7,
    )  # fmt: skip
    judge.check(request, "2025-11-25")
    cancelled = TraceEvent(
        kind=EventKind.MESSAGE,
        direction=Direction.OUT,
        payload={"jsonrpc": "2.0", "method": "notifications/cancelled",
                 "params": {"requestId": 7, "reason": "timed out"}},
        message_type=MessageType.NOTIFICATION,
        method="notifications/cancelled",
    )  # fmt: skip
    judge.check(cancelled, "2025-11-25")
    progress = TraceEvent(
        kind=EventKind.MESSAGE,
        direction=Direction.IN,
        payload={"jsonrpc": "2.0", "method": "notifications/progress",
                 "params": {"progressToken": "slow-1", "progress": 2}},
        message_type=MessageType.NOTIFICATION,
        method="notifications/progress",
    )  # fmt: skip
    judge.check(progress, "2025-11-25")
    assert progress.findings == []
