"""Session-host processes in the database: their leases, and which one holds a session.

A host renews its lease (`heartbeat_at`) every few seconds. One whose lease ran out is
dead: whichever process notices first (another host's sweep, or a web process asking
about a session it held) marks it stopped. Its sessions keep their records and events;
their pages say they ended because their host stopped.
"""

from __future__ import annotations

import os
import socket
import uuid
from datetime import timedelta
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone

from inspector.models import DoctorReport, SessionHost, SessionRecord
from inspector.sessions.status import SessionStatus
from inspector.storage.db import in_db_thread

ACTIVE = [status.value for status in SessionStatus if status.is_active]


def describe_host(host: SessionHost) -> str:
    """How an error names a host: enough to find the process on its machine."""
    return f"session host {host.name!r} (pid {host.pid} on {host.hostname})"


def _register(name: str, channel: str) -> SessionHost:
    now = timezone.now()
    return SessionHost.objects.create(
        id=uuid.uuid4().hex,
        name=name,
        hostname=socket.gethostname(),
        pid=os.getpid(),
        channel=channel,
        started_at=now,
        heartbeat_at=now,
    )


def _renew(host_id: str) -> bool:
    """Renew the lease; False if the host was already taken for dead (it must stop: its
    sessions were shown as ended)."""
    return bool(
        SessionHost.objects.filter(id=host_id, stopped_at__isnull=True).update(
            heartbeat_at=timezone.now()
        )
    )


def _stop(host_id: str) -> None:
    SessionHost.objects.filter(id=host_id, stopped_at__isnull=True).update(
        stopped_at=timezone.now()
    )


def _expired(lease_seconds: float) -> Q:
    return Q(
        stopped_at__isnull=True, heartbeat_at__lt=timezone.now() - timedelta(seconds=lease_seconds)
    )


def _sweep(lease_seconds: float) -> list[str]:
    """Mark stopped every host whose lease ran out; their ids."""
    dead = list(SessionHost.objects.filter(_expired(lease_seconds)).values_list("id", flat=True))
    if dead:
        SessionHost.objects.filter(id__in=dead, stopped_at__isnull=True).update(
            stopped_at=timezone.now()
        )
    return dead


def _live_holder(
    session_id: str, lease_seconds: float
) -> tuple[SessionHost, dict[str, Any]] | None:
    """The live host holding the session (live, or ended but maybe still in its memory,
    where Reconnect finds it), with the session's recorded settings; None if no live host
    does (never held by one, or its host died: then the host is marked stopped here and
    now)."""
    record = SessionRecord.objects.filter(id=session_id).select_related("host").first()
    if record is None or record.host is None or record.host.stopped_at is not None:
        return None
    host = record.host
    if host.heartbeat_at < timezone.now() - timedelta(seconds=lease_seconds):
        _sweep(lease_seconds)
        return None
    return host, record.spec


def _host_of(session_id: str) -> SessionHost | None:
    """The host that holds, or last held, the session."""
    record = SessionRecord.objects.filter(id=session_id).select_related("host").first()
    return record.host if record is not None else None


def _least_busy(lease_seconds: float) -> SessionHost | None:
    """The live host holding the fewest live sessions, for a new one."""
    _sweep(lease_seconds)
    return (
        SessionHost.objects.filter(stopped_at__isnull=True)
        .annotate(live=Count("sessions", filter=Q(sessions__status__in=ACTIVE)))
        .order_by("live", "started_at")
        .first()
    )


def _assign(session_id: str, host_id: str, sealed_spec: str = "") -> None:
    changes: dict[str, Any] = {"host_id": host_id}
    if sealed_spec:
        changes["sealed_spec"] = sealed_spec
    SessionRecord.objects.filter(id=session_id).update(**changes)


def _claim(session_id: str, holder_id: str, host_id: str) -> bool:
    """Take a session over from the host that held it, if that host has stopped (or is
    this one); False when another host took it first: two Reconnects at once, or one
    arriving after another host took it up, start it once.

    The swap compares the record's own column only. Filtered through the holder's row
    too, Django's UPDATE selects the record in a subquery, which PostgreSQL does not
    look at again once a concurrent claim commits: both claims went through, and the
    session was started twice, its events numbered twice from the same seq.
    """
    if (
        holder_id != host_id
        and not SessionHost.objects.filter(id=holder_id, stopped_at__isnull=False).exists()
    ):
        return False  # a stopped host stays stopped: this holds until the swap
    return bool(
        SessionRecord.objects.filter(id=session_id, host_id=holder_id).update(host_id=host_id)
    )


def _assign_report(report_id: str, host_id: str) -> None:
    DoctorReport.objects.filter(id=report_id).update(host_id=host_id)


def _live_report_host(report_id: str, lease_seconds: float) -> SessionHost | None:
    """The live host running (or that ran) the report's examination, if any."""
    report = DoctorReport.objects.filter(id=report_id).select_related("host").first()
    if report is None or report.host is None or report.host.stopped_at is not None:
        return None
    if report.host.heartbeat_at < timezone.now() - timedelta(seconds=lease_seconds):
        _sweep(lease_seconds)
        return None
    return report.host


def _live_session_ids(owner_id: int | None) -> list[str]:
    """The owner's sessions recorded as live on a host whose lease holds."""
    return list(
        SessionRecord.objects.filter(
            owner_id=owner_id, status__in=ACTIVE, host__stopped_at__isnull=True
        ).values_list("id", flat=True)
    )


register_host = in_db_thread(_register)
renew_lease = in_db_thread(_renew)
stop_host = in_db_thread(_stop)
sweep_hosts = in_db_thread(_sweep)
live_holder = in_db_thread(_live_holder)
host_of = in_db_thread(_host_of)
least_busy_host = in_db_thread(_least_busy)
assign_host = in_db_thread(_assign)
claim_session = in_db_thread(_claim)
assign_report = in_db_thread(_assign_report)
live_report_host = in_db_thread(_live_report_host)
live_session_ids = in_db_thread(_live_session_ids)
