"""The websocket push: a batch of events rendered as out-of-band HTML fragments."""

from __future__ import annotations

from django.template.loader import render_to_string

from inspector.presenters.events import event_rows, log_rows, split_lanes
from inspector.presenters.push import PushDigest
from inspector.services import SessionSnapshot


def render_event_batch(snapshot: SessionSnapshot, digest: PushDigest) -> str:
    """The websocket push: the newest rows appended out of band, answered requests
    updated, and the header re-rendered when the session's status changed."""
    events = digest.rendered
    protocol, console = split_lanes(event_rows(events))
    return render_to_string(
        "inspector/session.html#event-batch",
        {
            "session": snapshot,
            "protocol_rows": protocol,
            "console_rows": console,
            "late_outcomes": digest.late_outcomes(),
            "status_changed": digest.status_changed,
            "log_rows": log_rows(events),
        },
    )
