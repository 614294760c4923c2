"""What a page's script acts on besides new rows, read from a batch of trace events."""

from __future__ import annotations

from typing import Any

from inspector.mcp.eras.tasks import RELATED_TASK
from inspector.mcp.trace import Direction, EventKind, MessageType, TraceEvent
from inspector.presenters.inflight import progress_text
from inspector.presenters.wire import at_path, number

_LIST_CHANGED = {
    "notifications/tools/list_changed": ["tools"],
    "notifications/prompts/list_changed": ["prompts"],
    "notifications/resources/list_changed": ["resources", "templates"],
}


def event_signals(events: list[TraceEvent]) -> list[dict[str, Any]]:
    """What the page's script acts on besides new rows: progress of running calls, lists
    that changed, resources that were updated, requests that started or ended, findings drawn."""
    signals: list[dict[str, Any]] = []
    if any(event.kind is EventKind.APPROVAL and "change" in event.detail for event in events):
        # Something entered or left the inbox: every page watching loads it again.
        signals.append({"type": "inbox"})
    if any(event.findings for event in events):
        # The session's totals of findings changed: the header counts them again.
        signals.append({"type": "findings"})
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
        params = event.params or {}
        if event.method == "notifications/progress":
            progress = number(params.get("progress"))
            total = number(params.get("total"))
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
            found = at_path(event.payload, "params", "taskId")
    elif event.message_type is MessageType.RESULT:
        if event.method in ("tasks/get", "tasks/cancel"):
            found = at_path(event.payload, "result", "taskId")
        elif event.method == "tools/call":
            found = at_path(event.payload, "result", "task", "taskId")
        elif event.method == "tasks/result":
            found = at_path(event.payload, "result", "_meta", RELATED_TASK, "taskId")
    return found if isinstance(found, str) else None
