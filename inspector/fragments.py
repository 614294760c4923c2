"""The websocket push: a batch of events rendered as out-of-band HTML fragments."""

from __future__ import annotations

from django.template.loader import render_to_string

from inspector.presenters.events import event_rows, log_rows, outcome_of, split_lanes
from inspector.services import EventKind, SessionSnapshot, TraceEvent


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
