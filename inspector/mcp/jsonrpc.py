"""JSON-RPC 2.0 framing as MCP uses it: encoding, decoding and classifying frames.

Decoding never raises. Whatever a server sends is turned into trace events, and anything
wrong with it becomes a finding on the event, so the session can go on.
"""

from __future__ import annotations

import json
import json.scanner
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, cast

from inspector.mcp.findings import Finding, Severity
from inspector.mcp.trace import Direction, EventKind, MessageType, RequestId, TraceEvent

INVALID_REQUEST = -32600
METHOD_NOT_FOUND = -32601
INVALID_PARAMS = -32602
INTERNAL_ERROR = -32603
URL_ELICITATION_REQUIRED = -32042
# The modern era's own errors (2026-07-28): only a modern server sends them.
HEADER_MISMATCH = -32020
MISSING_REQUIRED_CLIENT_CAPABILITY = -32021
UNSUPPORTED_PROTOCOL_VERSION = -32022


def encode(message: dict[str, Any] | list[Any]) -> str:
    """Compact JSON on one line: json escapes newlines inside strings, so none can appear."""
    return json.dumps(message, ensure_ascii=False, separators=(",", ":"))


def request(request_id: RequestId, method: str, params: dict[str, Any] | None) -> dict[str, Any]:
    message: dict[str, Any] = {"jsonrpc": "2.0", "id": request_id, "method": method}
    if params is not None:
        message["params"] = params
    return message


def notification(method: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
    message: dict[str, Any] = {"jsonrpc": "2.0", "method": method}
    if params is not None:
        message["params"] = params
    return message


def result(request_id: RequestId, value: dict[str, Any]) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "id": request_id, "result": value}


def error(
    request_id: RequestId | None, code: int, message: str, data: Any = None
) -> dict[str, Any]:
    body: dict[str, Any] = {"code": code, "message": message}
    if data is not None:
        body["data"] = data
    return {"jsonrpc": "2.0", "id": request_id, "error": body}


@dataclass(slots=True)
class Classification:
    message_type: MessageType
    method: str | None = None
    message_id: RequestId | None = None
    findings: list[Finding] = field(default_factory=list)


def _valid_id(value: Any) -> bool:
    # bool is an int subclass in Python but never a JSON-RPC id.
    return isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool))


def classify(message: Any, path: str = "$") -> Classification:
    """Say what kind of JSON-RPC message this is, and every way it breaks the rules."""
    if type(message) is dict and _plain_notification(message):
        return Classification(MessageType.NOTIFICATION, message["method"])
    if not isinstance(message, dict):
        return Classification(
            MessageType.INVALID,
            findings=[Finding("jsonrpc.not-object", "A JSON-RPC message must be an object.", path)],
        )
    findings: list[Finding] = []
    if message.get("jsonrpc") != "2.0":
        findings.append(
            Finding(
                "jsonrpc.version", 'The "jsonrpc" member must be exactly "2.0".', f"{path}.jsonrpc"
            )
        )
    method = message.get("method")
    has_id = "id" in message
    raw_id = message.get("id")
    message_id: RequestId | None = raw_id if _valid_id(raw_id) else None
    if has_id and message_id is None:
        findings.append(
            Finding(
                "jsonrpc.id-type",
                f"An id must be a string or an integer, not {json.dumps(raw_id)}.",
                f"{path}.id",
            )
        )

    if method is not None:
        if not isinstance(method, str):
            findings.append(
                Finding("jsonrpc.method-type", "The method must be a string.", f"{path}.method")
            )
            return Classification(MessageType.INVALID, findings=findings)
        if "params" in message and not isinstance(message["params"], dict):
            findings.append(
                Finding("jsonrpc.params-type", "MCP params must be an object.", f"{path}.params")
            )
        if "result" in message or "error" in message:
            findings.append(
                Finding(
                    "jsonrpc.mixed", "A request or notification cannot carry result or error.", path
                )
            )
        kind = MessageType.REQUEST if has_id else MessageType.NOTIFICATION
        return Classification(kind, method, message_id, findings)

    has_result = "result" in message
    has_error = "error" in message
    if has_result == has_error:
        findings.append(
            Finding(
                "jsonrpc.response-shape",
                "A response must carry exactly one of result and error.",
                path,
            )
        )
        return Classification(MessageType.INVALID, message_id=message_id, findings=findings)
    if not has_id:
        findings.append(
            Finding("jsonrpc.response-id", "A response must carry the request's id.", path)
        )
    if has_result:
        if not isinstance(message["result"], dict):
            findings.append(
                Finding("jsonrpc.result-type", "An MCP result must be an object.", f"{path}.result")
            )
        return Classification(MessageType.RESULT, message_id=message_id, findings=findings)
    findings.extend(_error_findings(message["error"], f"{path}.error"))
    return Classification(MessageType.ERROR, message_id=message_id, findings=findings)


_NOTIFICATION_KEYS = frozenset(("jsonrpc", "method", "params"))


def _plain_notification(message: dict[str, Any]) -> bool:
    """A notification that breaks none of the rules `classify` checks: floods are made of
    them, so they are recognised with a few look-ups before anything else."""
    params = message.get("params", _NO_PARAMS)
    return (
        message.keys() <= _NOTIFICATION_KEYS
        and message.get("jsonrpc") == "2.0"
        and type(message.get("method")) is str
        and (params is _NO_PARAMS or type(params) is dict)
    )


_NO_PARAMS: dict[str, Any] = {}


def _error_findings(body: Any, path: str) -> list[Finding]:
    if not isinstance(body, dict):
        return [Finding("jsonrpc.error-type", "An error must be an object.", path)]
    findings = []
    code = body.get("code")
    if not isinstance(code, int) or isinstance(code, bool):
        findings.append(
            Finding("jsonrpc.error-code", "An error code must be an integer.", f"{path}.code")
        )
    if not isinstance(body.get("message"), str):
        findings.append(
            Finding(
                "jsonrpc.error-message", "An error message must be a string.", f"{path}.message"
            )
        )
    return findings


# The decoder's own scanner (C when available), which typeshed does not declare.
_scan_once: Callable[[str, int], tuple[Any, int]] = json.scanner.make_scanner(
    cast(Any, json.JSONDecoder())
)


def _loads(text: str) -> Any:
    """`json.loads`, without its wrapping on the common path: a frame that starts with its
    value and ends with it (or with whitespace) goes straight to the C scanner. Anything
    else, errors included, is left to `json.loads`, which says what is wrong."""
    try:
        value, end = _scan_once(text, 0)
    except (StopIteration, json.JSONDecodeError):
        return json.loads(text)
    if end != len(text) and text[end:].strip(" \t\n\r"):
        return json.loads(text)  # raises "Extra data"
    return value


def decode_frame(frame: TraceEvent, *, batches_allowed: bool) -> list[TraceEvent]:
    """Parse an inbound frame in place and return the messages it carries.

    The frame event itself gets the payload, classification and findings. A batch frame
    also yields one event per element, so that each can be paired and shown on its own.
    """
    try:
        payload = _loads(frame.text)
    except (json.JSONDecodeError, RecursionError) as exc:
        frame.message_type = MessageType.INVALID
        frame.findings.append(Finding("jsonrpc.parse-error", f"Not valid JSON: {exc}"))
        return [frame]
    frame.payload = payload
    if isinstance(payload, list):
        frame.message_type = MessageType.BATCH
        if not payload:
            frame.findings.append(Finding("jsonrpc.empty-batch", "An empty batch is invalid."))
        if not batches_allowed:
            frame.findings.append(
                Finding(
                    "jsonrpc.batch-not-allowed",
                    "Batches exist only in protocol version 2025-03-26.",
                    severity=Severity.WARNING,
                )
            )
        elements = []
        for index, element in enumerate(payload):
            element_event = TraceEvent(
                kind=EventKind.MESSAGE,
                direction=frame.direction,
                text=encode(element),
                payload=element,
                detail={**frame.detail, "batch_index": index},
            )
            _apply(element_event, classify(element, f"$[{index}]"))
            elements.append(element_event)
        return [frame, *elements]
    _apply(frame, classify(payload))
    return [frame]


def _apply(event: TraceEvent, classification: Classification) -> None:
    event.message_type = classification.message_type
    event.method = classification.method
    event.message_id = classification.message_id
    event.findings.extend(classification.findings)


def outbound_event(message: dict[str, Any]) -> TraceEvent:
    """The trace event for a message the client is about to send."""
    event = TraceEvent(
        kind=EventKind.MESSAGE, direction=Direction.OUT, text=encode(message), payload=message
    )
    _apply(event, classify(message))
    return event
