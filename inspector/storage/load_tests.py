"""Load tests (`LoadTestRecord`) on the Django ORM: kept when one starts, finished or
stopped when it ends, read back as frozen `StoredLoadTest` copies."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from inspector.models import LoadTestRecord
from inspector.storage.db import in_db_thread

LISTED = 5


@dataclass(frozen=True, slots=True)
class StoredLoadTest:
    id: str
    owner_id: int | None
    source_session_id: str
    session_id: str
    tool: str
    options: dict[str, Any]
    created_at: datetime
    finished_at: datetime | None
    status: str
    error: str
    result: dict[str, Any] | None

    @property
    def running(self) -> bool:
        return self.status == LoadTestRecord.Status.RUNNING


async def create(
    *, load_id: str, owner_id: int | None, source_session_id: str, session_id: str,
    tool: str, options: dict[str, Any],
) -> StoredLoadTest:  # fmt: skip
    def insert() -> StoredLoadTest:
        record = LoadTestRecord.objects.create(
            id=load_id, owner_id=owner_id, source_session_id=source_session_id,
            session_id=session_id, tool=tool, options=options,
        )  # fmt: skip
        return _stored(record)

    return await in_db_thread(insert)()


async def finish(load_id: str, result: dict[str, Any]) -> None:
    await in_db_thread(_update)(load_id, LoadTestRecord.Status.DONE, "", result)


async def stop(load_id: str, error: str) -> None:
    await in_db_thread(_update)(load_id, LoadTestRecord.Status.STOPPED, error, None)


async def get(load_id: str, source_session_id: str) -> StoredLoadTest | None:
    """The load test, if it was started from that session."""

    def read() -> StoredLoadTest | None:
        record = LoadTestRecord.objects.filter(
            id=load_id, source_session_id=source_session_id
        ).first()
        return _stored(record) if record is not None else None

    return await in_db_thread(read)()


async def list_for_session(source_session_id: str) -> list[StoredLoadTest]:
    def read() -> list[StoredLoadTest]:
        records = LoadTestRecord.objects.filter(source_session_id=source_session_id)
        return [_stored(record) for record in records[:LISTED]]

    return await in_db_thread(read)()


def _update(load_id: str, status: str, error: str, result: dict[str, Any] | None) -> None:
    LoadTestRecord.objects.filter(id=load_id, status=LoadTestRecord.Status.RUNNING).update(
        status=status, error=error, result=result, finished_at=datetime.now(UTC)
    )


def _stored(record: LoadTestRecord) -> StoredLoadTest:
    return StoredLoadTest(
        id=record.id,
        owner_id=record.owner_id,
        source_session_id=record.source_session_id,
        session_id=record.session_id,
        tool=record.tool,
        options=record.options,
        created_at=record.created_at,
        finished_at=record.finished_at,
        status=record.status,
        error=record.error,
        result=record.result,
    )
