"""Turning trace events into what a page shows: rows, pairs, truncated bodies."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from django.template.loader import render_to_string

from inspector.inflight_views import progress_text
from inspector.mcp.findings import Finding
from inspector.mcp.modern import ORIGIN_DETAIL, ROUND_DETAIL
from inspector.mcp.trace import Direction, EventKind, MessageType, TraceEvent
from inspector.sessions.tasks import RELATED_TASK

if TYPE_CHECKING:
    from inspector.services import SessionSnapshot

# Bodies larger than this are cut in the page; the raw event stays downloadable.
SHOWN_BODY_CHARS = 64 * 1024
CONSOLE_KINDS = frozenset({EventKind.STDOUT, EventKind.STDERR})
TRANSPORT_KINDS = frozenset(
    {EventKind.HTTP, EventKind.SSE, EventKind.PROCESS, EventKind.LIFECYCLE, EventKind.ERROR}
)
# Transport events may be hidden by a filter; the inbox's audit trail never is.
ARROWS = {Direction.OUT: "→", Direction.IN: "←", Direction.LOCAL: "•"}
DIRECTION_LABELS = {
    Direction.OUT: "client to server",
    Direction.IN: "server to client",
    Direction.LOCAL: "observed by the inspector",
}


LOG_LEVELS = ("debug", "info", "notice", "warning", "error", "critical", "alert", "emergency")
SHOWN_LOG_CHARS = 8 * 1024


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


def _summary(event: TraceEvent) -> str:
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
        return f"batch of {size} messages"
    return "invalid message"


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
        return json.dumps(event.payload, indent=2, ensure_ascii=False)
    if event.kind in (EventKind.HTTP, EventKind.SSE, EventKind.PROCESS) and event.detail:
        return json.dumps(event.detail, indent=2, ensure_ascii=False)
    return event.text


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
    duration = f"{response.duration_ms:.1f} ms" if response.duration_ms is not None else ""
    label = (
        f"{'error' if is_error else 'ok'} · {duration}"
        if duration
        else ("error" if is_error else "ok")
    )
    return Outcome(response.seq, response.duration_ms, is_error, label)


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
            summary=_summary(event),
            body=body[:SHOWN_BODY_CHARS],
            truncated=len(body) > SHOWN_BODY_CHARS,
            size=len(event.text),
            findings=event.findings,
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
        params = event.payload.get("params") if isinstance(event.payload, dict) else None
        params = params if isinstance(params, dict) else {}
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


def render_event_batch(snapshot: SessionSnapshot, events: list[TraceEvent]) -> str:
    """The websocket push: rows appended out of band, answered requests updated, and the
    header re-rendered when the session's status changed."""
    rows = event_rows(events)
    protocol, console = split_lanes(rows)
    in_batch = {row.seq for row in rows}
    late_outcomes = [
        (event.request_seq, outcome_of(event))
        for event in events
        if event.request_seq is not None and event.request_seq not in in_batch
    ]
    status_changed = any(event.kind is EventKind.LIFECYCLE for event in events)
    return render_to_string(
        "inspector/session.html#event-batch",
        {
            "session": snapshot,
            "protocol_rows": protocol,
            "console_rows": console,
            "late_outcomes": late_outcomes,
            "status_changed": status_changed,
            "log_rows": log_rows(events),
        },
    )


_LIST_CHANGED = {
    "notifications/tools/list_changed": ["tools"],
    "notifications/prompts/list_changed": ["prompts"],
    "notifications/resources/list_changed": ["resources", "templates"],
}


def event_signals(events: list[TraceEvent]) -> list[dict[str, Any]]:
    """What the page's script acts on besides new rows: progress of running calls, lists
    that changed, resources that were updated, requests that started or ended."""
    signals: list[dict[str, Any]] = []
    if any(event.kind is EventKind.APPROVAL and "change" in event.detail for event in events):
        # Something entered or left the inbox: every page watching loads it again.
        signals.append({"type": "inbox"})
    if any(_starts_or_ends_a_request(event) for event in events):
        # One per push, however many requests came and went: the page reloads its
        # In flight panel at most once for it.
        signals.append({"type": "inflight"})
    for event in events:
        if event.kind is EventKind.LIFECYCLE and event.detail.get("status") == "connected":
            # A new connection: what the page listed came from the old one.
            signals.append({"type": "connected"})
            continue
        task_id = _task_spoken_of(event)
        if task_id is not None:
            # Notifications carry the task's state: the page hands their seq back.
            noted = event.message_type is MessageType.NOTIFICATION
            signals.append(
                {"type": "task_status", "task": task_id, "seq": event.seq if noted else 0}
            )
            continue
        if (
            event.message_type is not MessageType.NOTIFICATION
            or event.direction is not Direction.IN
            or "stale_subscription" in event.detail
        ):
            continue
        params = event.payload.get("params") if isinstance(event.payload, dict) else None
        params = params if isinstance(params, dict) else {}
        if event.method == "notifications/progress":
            progress = _number(params.get("progress"))
            total = _number(params.get("total"))
            signals.append(
                {
                    "type": "progress",
                    "token": str(params.get("progressToken")),
                    "progress": progress,
                    "total": total,
                    # Worded here, as the In flight panel words it, never by the script.
                    "text": progress_text(progress, total, str(params.get("message") or "")),
                }
            )
        elif event.method in _LIST_CHANGED:
            signals.extend(
                {"type": "list_changed", "listing": name} for name in _LIST_CHANGED[event.method]
            )
        elif event.method == "notifications/resources/updated" and isinstance(
            params.get("uri"), str
        ):
            signals.append({"type": "resource_updated", "uri": params["uri"], "seq": event.seq})
    return signals


def _starts_or_ends_a_request(event: TraceEvent) -> bool:
    """A request of ours sent, answered, or given up on (timeout, cancel, lost link)."""
    if event.kind is EventKind.ERROR:
        return "outcome" in event.detail
    if event.kind is EventKind.LIFECYCLE:
        return True
    if event.direction is Direction.OUT:
        return event.message_type is MessageType.REQUEST
    return event.direction is Direction.IN and event.request_seq is not None


def _task_spoken_of(event: TraceEvent) -> str | None:
    """The task an inbound message reports on (2025-11-25): a status notification, or
    the answer to a task-creating tools/call, tasks/get, tasks/cancel or tasks/result."""
    if event.direction is not Direction.IN or not isinstance(event.payload, dict):
        return None
    found: Any = None
    if event.message_type is MessageType.NOTIFICATION:
        if event.method == "notifications/tasks/status":
            found = _field(event.payload, "params", "taskId")
    elif event.message_type is MessageType.RESULT:
        if event.method in ("tasks/get", "tasks/cancel"):
            found = _field(event.payload, "result", "taskId")
        elif event.method == "tools/call":
            found = _field(event.payload, "result", "task", "taskId")
        elif event.method == "tasks/result":
            found = _field(event.payload, "result", "_meta", RELATED_TASK, "taskId")
    return found if isinstance(found, str) else None


def _field(node: Any, *path: str) -> Any:
    for key in path:
        if not isinstance(node, dict):
            return None
        node = node.get(key)
    return node


def _number(value: Any) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return None
