"""Trace events: everything a transport or the client sees, in the order it saw it.

A trace event is the unit the whole inspector is built on: the session layer numbers and
stores them, the web layer renders them, the CLI writes them as JSON lines. An event is
complete when it is emitted: the session that receives it may add notes to its detail
as it records it, and nothing changes it after that.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from inspector.mcp.findings import Finding


class EventKind(StrEnum):
    MESSAGE = "message"  # a JSON-RPC frame, valid or not
    STDOUT = "stdout"  # a line on a stdio server's stdout that is not a protocol message
    STDERR = "stderr"  # a line on a stdio server's stderr
    HTTP = "http"  # one HTTP exchange: request line, status, headers, timing
    SSE = "sse"  # server-sent-events framing: stream opened/closed, ids, retry, reconnects
    PROCESS = "process"  # a stdio server process started or exited
    LIFECYCLE = "lifecycle"  # connected, negotiated, closing, closed, expired
    ERROR = "error"  # something failed on the client's side of the wire
    APPROVAL = "approval"  # the approvals inbox: a request waits for, or got, a person's answer
    AUTH = "auth"  # one step of an OAuth flow: its HTTP exchanges and what it learned
    APP = "app"  # a message between the page and an MCP App's View (the "app" lane)


class Direction(StrEnum):
    OUT = "out"  # client to server
    IN = "in"  # server to client
    LOCAL = "local"  # observed by the client, not carried by the protocol


class MessageType(StrEnum):
    REQUEST = "request"
    NOTIFICATION = "notification"
    RESULT = "result"
    ERROR = "error"
    BATCH = "batch"
    INVALID = "invalid"


RequestId = str | int

# The keys of the detail that ties every round of a multi round-trip request (requests,
# responses, embedded input requests and their answers) to the request that started it.
ORIGIN_DETAIL = "mrtr_origin_seq"
ROUND_DETAIL = "mrtr_round"


@dataclass(slots=True)
class TraceEvent:
    kind: EventKind
    direction: Direction
    text: str = ""
    payload: Any = None
    detail: dict[str, Any] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    timestamp: float = field(default_factory=time.time)
    message_type: MessageType | None = None
    method: str | None = None
    message_id: RequestId | None = None
    # Pairing, filled in on a response: the seq of the request it answers and how long it took.
    request_seq: int | None = None
    duration_ms: float | None = None
    # Assigned by the session's event log when the event is appended.
    seq: int | None = None

    @property
    def params(self) -> dict[str, Any] | None:
        """The message's `params` when they are an object, as the spec requires; None
        when they are absent or anything else (the message is recorded as sent)."""
        params = self.payload.get("params") if isinstance(self.payload, dict) else None
        return params if isinstance(params, dict) else None

    @property
    def is_inbound_frame(self) -> bool:
        return self.kind is EventKind.MESSAGE and self.direction is Direction.IN

    def approximate_size(self) -> int:
        """A cheap estimate of the memory the event holds, for bounding in-memory logs."""
        return 256 + len(self.text) * 2

    def to_dict(self) -> dict[str, Any]:
        # `_value_` rather than `value`: the property costs more than the rest of this
        # method, which runs for every event a session exports or a page asks for.
        data: dict[str, Any] = {
            "kind": self.kind._value_,
            "direction": self.direction._value_,
            "text": self.text,
            "timestamp": self.timestamp,
        }
        if self.seq is not None:
            data["seq"] = self.seq
        data.update(self.annotations())
        return data

    def annotations(self) -> dict[str, Any]:
        """The part of `to_dict` beyond what every event has (kind, direction, text, time
        and seq): what a store keeps beside the columns that hold those."""
        data: dict[str, Any] = {}
        if self.detail:
            data["detail"] = self.detail
        if self.findings:
            data["findings"] = [finding.to_dict() for finding in self.findings]
        if self.message_type is not None:
            data["message_type"] = self.message_type._value_
        if self.method is not None:
            data["method"] = self.method
        if self.message_id is not None:
            data["message_id"] = self.message_id
        if self.request_seq is not None:
            data["request_seq"] = self.request_seq
        if self.duration_ms is not None:
            data["duration_ms"] = self.duration_ms
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any], *, payload: Any = None) -> TraceEvent:
        """Rebuild an event; the payload is not stored (it is the parse of `text`)."""
        message_type = data.get("message_type")
        return cls(
            kind=EventKind(data["kind"]),
            direction=Direction(data["direction"]),
            text=data.get("text", ""),
            payload=payload,
            detail=dict(data.get("detail", {})),
            findings=[Finding.from_dict(item) for item in data.get("findings", [])],
            timestamp=float(data["timestamp"]),
            message_type=MessageType(message_type) if message_type else None,
            method=data.get("method"),
            message_id=data.get("message_id"),
            request_seq=data.get("request_seq"),
            duration_ms=data.get("duration_ms"),
            seq=data.get("seq"),
        )


def local_event(kind: EventKind, text: str, **detail: Any) -> TraceEvent:
    """An event the client observed itself (a process exit, a reconnect, an error)."""
    return TraceEvent(kind=kind, direction=Direction.LOCAL, text=text, detail=detail)
