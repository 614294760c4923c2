"""Turning trace events into what a page shows: rows, pairs, truncated bodies."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from inspector.mcp.apps import FROM_APP
from inspector.mcp.apps import ORIGIN_DETAIL as APP_ORIGIN_DETAIL
from inspector.mcp.findings import Finding
from inspector.mcp.log_levels import LOG_LEVELS
from inspector.mcp.trace import (
    ORIGIN_DETAIL,
    ROUND_DETAIL,
    Direction,
    EventKind,
    MessageType,
    TraceEvent,
)
from inspector.presenters.findings import FindingsBadge, findings_badge
from inspector.presenters.json_marks import JsonLine, marked_json
from inspector.presenters.wire import indented_json
from inspector.sessions.apps import LANE_DETAIL
from inspector.sessions.apps import LANES as APP_LANES
from inspector.sessions.compose import COMPOSED_DETAIL

# Bodies larger than this are cut in the page; the raw event stays downloadable.
SHOWN_BODY_CHARS = 64 * 1024
CONSOLE_KINDS = frozenset({EventKind.STDOUT, EventKind.STDERR})
# Transport events may be hidden by a filter; the inbox's audit trail never is.
TRANSPORT_KINDS = frozenset(
    {EventKind.HTTP, EventKind.SSE, EventKind.PROCESS, EventKind.LIFECYCLE, EventKind.ERROR}
)
ARROWS = {Direction.OUT: "→", Direction.IN: "←", Direction.LOCAL: "•"}
DIRECTION_LABELS = {
    Direction.OUT: "client to server",
    Direction.IN: "server to client",
    Direction.LOCAL: "observed by the inspector",
}


SHOWN_LOG_CHARS = 8 * 1024
# Sent by the lifecycle itself: sending one again by hand would break the connection.
_LIFECYCLE_METHODS = frozenset({"initialize", "notifications/initialized"})


@dataclass(slots=True)
class LogRow:
    """A `notifications/message` from the server, in the server log."""

    seq: int
    time: str
    level: str
    rank: int
    logger: str
    text: str


@dataclass(slots=True)
class Outcome:
    """How a request ended, shown on the request's row."""

    response_seq: int
    duration_ms: float | None
    is_error: bool
    label: str
    # A result that reports a failure of the tool itself (`isError: true`): an answer, not
    # a protocol error, and not a success either.
    is_tool_error: bool = False

    @property
    def tone(self) -> str:
        if self.is_error:
            return "error"
        return "tool-error" if self.is_tool_error else "ok"


@dataclass(slots=True)
class EventRow:
    event: TraceEvent
    seq: int
    time: str
    arrow: str
    direction_label: str
    summary: str
    body: str
    truncated: bool
    size: int
    findings: list[Finding]
    outcome: Outcome | None = None
    # The body line by line with each finding's value marked; empty when the body is shown
    # as it is (no finding, not a parsed message, or cut short).
    marked_body: list[JsonLine] = field(default_factory=list)

    @property
    def findings_badge(self) -> FindingsBadge | None:
        return findings_badge(self.findings)

    @property
    def kind(self) -> str:
        return self.event.kind.value

    @property
    def direction(self) -> str:
        return self.event.direction.value

    @property
    def method(self) -> str:
        return self.event.method or ""

    @property
    def message_type(self) -> str:
        return self.event.message_type.value if self.event.message_type else ""

    @property
    def is_request(self) -> bool:
        return self.event.message_type is MessageType.REQUEST

    @property
    def composed(self) -> dict[str, Any] | None:
        """Set on a send composed by hand: {"advertised": bool}."""
        composed = self.event.detail.get(COMPOSED_DETAIL)
        return composed if isinstance(composed, dict) else None

    @property
    def from_app(self) -> bool:
        """A request an MCP App's View sent through the inspector."""
        return self.event.detail.get(APP_ORIGIN_DETAIL) == FROM_APP

    @property
    def app_lane(self) -> str:
        """For a bridge message (the "app" lane): which way it went, in words."""
        if self.event.kind is not EventKind.APP:
            return ""
        lane = self.event.detail.get(LANE_DETAIL)
        return APP_LANES.get(lane, "refused") if isinstance(lane, str) else ""

    @property
    def resendable(self) -> bool:
        """A request or notification of ours that the composer can send again."""
        return (
            self.event.direction is Direction.OUT
            and self.event.message_type in (MessageType.REQUEST, MessageType.NOTIFICATION)
            and self.event.method not in _LIFECYCLE_METHODS
        )

    @property
    def is_transport(self) -> bool:
        return self.event.kind in TRANSPORT_KINDS

    @property
    def origin_seq(self) -> int | None:
        """For a later round of a multi round-trip request (its request, its response, the
        input requests it carried and their answers): the request that started it."""
        origin = self.event.detail.get(ORIGIN_DETAIL)
        return origin if isinstance(origin, int) else None

    @property
    def round(self) -> int | None:
        number = self.event.detail.get(ROUND_DETAIL)
        return number if isinstance(number, int) else None

    @property
    def input_key(self) -> str:
        """The key of an input request (or of its answer) within its round."""
        key = self.event.detail.get("input_key")
        return key if isinstance(key, str) else ""


def event_summary(event: TraceEvent) -> str:
    """One line naming the event: a message by its method and id, anything else by its text."""
    if event.kind is EventKind.APP and event.method is not None:
        return event.method
    if event.kind is EventKind.APP and event.text.startswith("{"):
        return _app_summary(event.text)
    if event.kind is not EventKind.MESSAGE:
        return event.text.splitlines()[0] if event.text else event.kind.value
    kind = event.message_type
    method = event.method or ""
    if kind is MessageType.REQUEST:
        return f"{method} (id {event.message_id})"
    if kind is MessageType.NOTIFICATION:
        return method
    if kind is MessageType.RESULT:
        return f"result of {method or 'unknown request'} (id {event.message_id}){_late(event)}"
    if kind is MessageType.ERROR:
        error = event.payload.get("error") if isinstance(event.payload, dict) else None
        code = error.get("code") if isinstance(error, dict) else "?"
        message = error.get("message") if isinstance(error, dict) else ""
        return f"error {code} {message} (id {event.message_id}){_late(event)}".strip()
    if kind is MessageType.BATCH:
        size = len(event.payload) if isinstance(event.payload, list) else 0
        return f"batch of {size} message{'' if size == 1 else 's'}"
    return "invalid message"


def _app_summary(text: str) -> str:
    """A bridge message without a method: a response, by its id."""
    try:
        message = json.loads(text)
    except ValueError:
        return "bridge message"
    if not isinstance(message, dict):
        return "bridge message"
    answer = "error" if "error" in message else "result"
    return f"{answer} (id {message.get('id')})"


def _late(event: TraceEvent) -> str:
    """A response that came after its request was given up on says so in its summary."""
    because = event.detail.get("late_because")
    if not because:
        return ""
    request = event.detail.get("late_for_seq")
    of = f" #{request}" if request else ""
    return f", late: ignored, the request{of} was already {because}"


def _body(event: TraceEvent) -> str:
    if len(event.text) > SHOWN_BODY_CHARS:
        # Re-indenting megabytes only to cut them takes the event loop's time: show the
        # raw beginning instead (the whole event stays downloadable).
        return event.text
    if event.kind is EventKind.MESSAGE and event.payload is not None:
        return indented_json(event.payload)
    if event.kind is EventKind.APP and event.text.startswith("{"):
        try:
            return indented_json(json.loads(event.text))
        except ValueError:
            return event.text
    if event.kind in (EventKind.HTTP, EventKind.SSE, EventKind.PROCESS) and event.detail:
        return indented_json(event.detail)
    return event.text


def _marked_body(event: TraceEvent, body: str) -> list[JsonLine]:
    if not event.findings or event.kind is not EventKind.MESSAGE or event.payload is None:
        return []
    if len(body) > SHOWN_BODY_CHARS or len(event.text) > SHOWN_BODY_CHARS:
        return []
    return marked_json(event.payload, event.findings)


def _time(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, tz=UTC).strftime("%H:%M:%S.%f")[:-3]


def outcome_of(response: TraceEvent) -> Outcome:
    """How a request ended: its response, or the client giving up on it."""
    assert response.seq is not None
    if response.kind is not EventKind.MESSAGE:
        ended = str(response.detail.get("outcome", "failed"))
        duration = f" · {response.duration_ms:.1f} ms" if response.duration_ms is not None else ""
        return Outcome(response.seq, response.duration_ms, True, f"{ended}{duration}")
    is_error = response.message_type is MessageType.ERROR
    is_tool_error = not is_error and _reports_tool_error(response)
    word = "error" if is_error else ("tool error" if is_tool_error else "ok")
    duration = f"{response.duration_ms:.1f} ms" if response.duration_ms is not None else ""
    label = f"{word} · {duration}" if duration else word
    return Outcome(response.seq, response.duration_ms, is_error, label, is_tool_error)


def _reports_tool_error(response: TraceEvent) -> bool:
    message = response.payload if isinstance(response.payload, dict) else {}
    result = message.get("result")
    return isinstance(result, dict) and result.get("isError") is True


def event_rows(events: list[TraceEvent]) -> list[EventRow]:
    rows: list[EventRow] = []
    requests: dict[int, EventRow] = {}
    for event in events:
        assert event.seq is not None
        body = _body(event)
        row = EventRow(
            event=event,
            seq=event.seq,
            time=_time(event.timestamp),
            arrow=ARROWS[event.direction],
            direction_label=DIRECTION_LABELS[event.direction],
            summary=event_summary(event),
            body=body[:SHOWN_BODY_CHARS],
            truncated=len(body) > SHOWN_BODY_CHARS,
            size=len(event.text),
            findings=event.findings,
            marked_body=_marked_body(event, body),
        )
        if row.is_request:
            requests[row.seq] = row
        if event.request_seq is not None and event.request_seq in requests:
            requests[event.request_seq].outcome = outcome_of(event)
        rows.append(row)
    return rows


def log_rows(events: list[TraceEvent]) -> list[LogRow]:
    rows = []
    for event in events:
        if event.method != "notifications/message" or event.direction is not Direction.IN:
            continue
        if event.message_type is not MessageType.NOTIFICATION or event.seq is None:
            continue
        params = event.params or {}
        level = params.get("level")
        level = level if isinstance(level, str) and level in LOG_LEVELS else "info"
        data = params.get("data")
        text = data if isinstance(data, str) else json.dumps(data, ensure_ascii=False)
        logger = params.get("logger")
        rows.append(
            LogRow(
                seq=event.seq,
                time=_time(event.timestamp),
                level=level,
                rank=LOG_LEVELS.index(level),
                logger=logger if isinstance(logger, str) else "",
                text=text[:SHOWN_LOG_CHARS],
            )
        )
    return rows


def split_lanes(rows: list[EventRow]) -> tuple[list[EventRow], list[EventRow]]:
    """Protocol rows, and the console lane (stderr and non-protocol stdout)."""
    protocol = [row for row in rows if row.event.kind not in CONSOLE_KINDS]
    console = [row for row in rows if row.event.kind in CONSOLE_KINDS]
    return protocol, console
