"""Report cards (`DoctorReport`) on the Django ORM: kept when a check starts, finished or
stopped when it ends, read back as frozen `StoredReport` copies."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.db.models import Q, QuerySet

from inspector.models import DoctorReport
from inspector.storage.db import in_db_thread

# How many earlier reports a session or saved server lists.
LISTED = 5
# The newest reports read to fill the saved servers' lists: enough for any page of them.
SCANNED = 500


@dataclass(frozen=True, slots=True)
class StoredReport:
    id: str
    owner_id: int | None
    session_id: str
    source_session_id: str
    saved_server_id: int | None
    saved_server_name: str
    target: str
    transport: str
    created_at: datetime
    finished_at: datetime | None
    status: str
    verdict: str
    error: str
    document: dict[str, Any] | None

    @property
    def running(self) -> bool:
        return self.status == DoctorReport.Status.RUNNING

    @property
    def done(self) -> bool:
        return self.status == DoctorReport.Status.DONE


@dataclass(frozen=True, slots=True)
class NewReport:
    id: str
    owner_id: int | None
    session_id: str
    source_session_id: str
    saved_server_id: int | None
    target: str
    transport: str


async def create(new: NewReport) -> StoredReport:
    return await in_db_thread(_create)(new)


async def finish(report_id: str, document: dict[str, Any]) -> None:
    await in_db_thread(_finish)(report_id, document)


async def stop(report_id: str, reason: str) -> None:
    await in_db_thread(_stop)(report_id, reason)


async def get(report_id: str) -> StoredReport | None:
    return await in_db_thread(_get)(report_id)


async def previous(report: StoredReport) -> StoredReport | None:
    """The last finished report before this one on the same saved server, or, without
    one, on the same target and transport."""
    return await in_db_thread(_previous)(report)


async def for_session(session_id: str, owner_id: int | None) -> list[StoredReport]:
    """Reports started from the session, or run in it, newest first."""
    return await in_db_thread(_for_session)(session_id, owner_id)


async def for_servers(owner_id: int | None) -> dict[int, list[StoredReport]]:
    """Each saved server's latest reports, newest first."""
    return await in_db_thread(_for_servers)(owner_id)


def _create(new: NewReport) -> StoredReport:
    record = DoctorReport.objects.create(
        id=new.id,
        owner_id=new.owner_id,
        session_id=new.session_id,
        source_session_id=new.source_session_id,
        saved_server_id=new.saved_server_id,
        target=new.target,
        transport=new.transport,
        created_at=datetime.now(UTC),
    )
    return _stored(_with_server().get(pk=record.pk))


def _finish(report_id: str, document: dict[str, Any]) -> None:
    DoctorReport.objects.filter(pk=report_id).update(
        status=DoctorReport.Status.DONE,
        verdict=str(document.get("verdict", "")),
        report=document,
        finished_at=datetime.now(UTC),
    )


def _stop(report_id: str, reason: str) -> None:
    DoctorReport.objects.filter(pk=report_id, status=DoctorReport.Status.RUNNING).update(
        status=DoctorReport.Status.STOPPED, error=reason, finished_at=datetime.now(UTC)
    )


def _get(report_id: str) -> StoredReport | None:
    record = _with_server().filter(pk=report_id).first()
    return _stored(record) if record is not None else None


def _previous(report: StoredReport) -> StoredReport | None:
    earlier = _with_server().filter(
        owner_id=report.owner_id,
        status=DoctorReport.Status.DONE,
        created_at__lt=report.created_at,
    )
    if report.saved_server_id is not None:
        earlier = earlier.filter(saved_server_id=report.saved_server_id)
    else:
        earlier = earlier.filter(target=report.target, transport=report.transport)
    record = earlier.order_by("-created_at").first()
    return _stored(record) if record is not None else None


def _for_session(session_id: str, owner_id: int | None) -> list[StoredReport]:
    records = _with_server().filter(
        Q(source_session_id=session_id) | Q(session_id=session_id), owner_id=owner_id
    )
    newest = records.defer("report").order_by("-created_at")[:LISTED]
    return [_stored(record, with_document=False) for record in newest]


def _for_servers(owner_id: int | None) -> dict[int, list[StoredReport]]:
    listed: dict[int, list[StoredReport]] = {}
    records = _with_server().filter(owner_id=owner_id, saved_server__isnull=False)
    for record in records.defer("report").order_by("-created_at")[:SCANNED]:
        assert record.saved_server_id is not None
        kept = listed.setdefault(record.saved_server_id, [])
        if len(kept) < LISTED:
            kept.append(_stored(record, with_document=False))
    return listed


def _with_server() -> QuerySet[DoctorReport]:
    return DoctorReport.objects.select_related("saved_server")


def _stored(record: DoctorReport, *, with_document: bool = True) -> StoredReport:
    return StoredReport(
        id=record.id,
        owner_id=record.owner_id,
        session_id=record.session_id,
        source_session_id=record.source_session_id,
        saved_server_id=record.saved_server_id,
        saved_server_name=record.saved_server.name if record.saved_server else "",
        target=record.target,
        transport=record.transport,
        created_at=record.created_at,
        finished_at=record.finished_at,
        status=record.status,
        verdict=record.verdict,
        error=record.error,
        document=record.report if with_document else None,
    )
