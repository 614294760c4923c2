"""Sessions into and out of files (`inspector.sessions.archive`), on the ORM: export
streams the stored events a page at a time; import stores a file's events as it reads
them, in one transaction, so a file refused half-way leaves nothing behind."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Collection
from datetime import UTC, datetime
from typing import Any

from django.db import connection, transaction
from django.db.models import TextField
from django.db.models.functions import Cast

from inspector.models import EventRecord, SessionRecord
from inspector.sessions.archive import ArchiveReader, stored_message
from inspector.sessions.spec import TransportKind
from inspector.sessions.status import SessionStatus
from inspector.storage.db import in_db_thread
from inspector.storage.events import (
    STORED_FIELDS,
    insert_sql,
    stored_event,
    stored_event_line,
    stored_row,
)

EXPORT_PAGE = 2000
IMPORT_BATCH = 1000


async def count_events(session_id: str, up_to_seq: int) -> int:
    return await in_db_thread(_count)(session_id, up_to_seq)


async def stored_event_lines(session_id: str, up_to_seq: int) -> AsyncIterator[str]:
    """Every stored event up to `up_to_seq`, oldest first, as a file's line (without its
    newline), a page at a time."""
    after = 0
    while True:
        page = await in_db_thread(_text_page)(session_id, after, up_to_seq, EXPORT_PAGE)
        for _, text in page:
            yield text
        if len(page) < EXPORT_PAGE:
            return
        after = page[-1][0]


async def stored_event_data(
    session_id: str, up_to_seq: int, kinds: Collection[str]
) -> AsyncIterator[dict[str, Any]]:
    """The stored events of these kinds up to `up_to_seq`, oldest first, a page at a time."""
    after = 0
    while True:
        page = await in_db_thread(_page)(session_id, after, up_to_seq, list(kinds), EXPORT_PAGE)
        for data in page:
            yield data
        if len(page) < EXPORT_PAGE:
            return
        after = int(page[-1]["seq"])


def _count(session_id: str, up_to_seq: int) -> int:
    return EventRecord.objects.filter(session_id=session_id, seq__lte=up_to_seq).count()


def _text_page(session_id: str, after: int, up_to_seq: int, limit: int) -> list[tuple[int, str]]:
    rows = EventRecord.objects.filter(session_id=session_id, seq__gt=after, seq__lte=up_to_seq)
    # `data` as the database's text: parsing each event only to write it out again would
    # cost several times the rest.
    texts = rows.order_by("seq").annotate(data_text=Cast("data", TextField()))
    fields = (*STORED_FIELDS[:-1], "data_text")
    return [(row[0], stored_event_line(row)) for row in texts.values_list(*fields)[:limit]]


def _page(
    session_id: str, after: int, up_to_seq: int, kinds: list[str], limit: int
) -> list[dict[str, Any]]:
    rows = EventRecord.objects.filter(
        session_id=session_id, seq__gt=after, seq__lte=up_to_seq, kind__in=kinds
    )
    return [stored_event(row) for row in rows.order_by("seq").values_list(*STORED_FIELDS)[:limit]]


async def import_archive(reader: ArchiveReader, *, owner_id: int | None, filename: str) -> str:
    """Store the file's session and events under a new id; raise `ArchiveError` (and keep
    nothing) at the first line that cannot be taken."""
    return await in_db_thread(_import)(reader, owner_id, filename)


def _import(reader: ArchiveReader, owner_id: int | None, filename: str) -> str:
    session_id = uuid.uuid4().hex
    header = reader.header
    described = header.session
    with transaction.atomic():
        record = SessionRecord.objects.create(
            id=session_id,
            owner_id=owner_id,
            created_at=_created_at(described.get("created_at")),
            transport=_transport(described.get("transport")),
            target=str(described.get("target") or filename),
            spec=_spec(described.get("spec")),
            status=_status(described.get("status")),
            error=str(described.get("error") or ""),
            error_layer=str(described.get("error_layer") or ""),
            server=described.get("server") if isinstance(described.get("server"), dict) else None,
            origin={
                "file": filename,
                "imported_at": datetime.now(UTC).isoformat(),
                "exported_at": header.exported_at,
                "inspector": header.inspector,
                "format_version": header.version,
                "original_id": str(described.get("id") or ""),
            },
        )
        batch: list[tuple[Any, ...]] = []
        server: dict[str, Any] | None = record.server
        for data, _ in reader.events():
            batch.append(stored_row(session_id, data))
            if server is None and header.is_trace:
                server = _server_of_trace(data)
            if len(batch) >= IMPORT_BATCH:
                _insert(batch)
                batch = []
        _insert(batch)
        if server is not None and record.server is None:
            record.server = server
            record.save(update_fields=["server"])
    return session_id


def _insert(rows: list[tuple[Any, ...]]) -> None:
    """Rows straight into the events table, as a session stores them: the ORM would
    prepare each field again, at several times the cost (a 100,000-event file imports
    in seconds, not half a minute)."""
    if not rows:
        return
    with connection.cursor() as cursor:
        cursor.executemany(insert_sql(), rows)


def _server_of_trace(data: dict[str, Any]) -> dict[str, Any] | None:
    """What a CLI trace, which has no header, says of its server: its initialize result."""
    if data.get("method") != "initialize" or data.get("message_type") != "result":
        return None
    result = stored_message(data).get("result")
    if not isinstance(result, dict):
        return None
    return {
        "server_info": result.get("serverInfo") or {},
        "capabilities": result.get("capabilities") or {},
        "protocol_version": result.get("protocolVersion", ""),
        "instructions": result.get("instructions") or "",
        "era": "legacy",
    }


def _spec(value: Any) -> dict[str, Any]:
    """The file's connection settings, without the saved server they came from: that id
    names a row of the inspector that wrote the file, not of this one."""
    if not isinstance(value, dict):
        return {}
    return {key: each for key, each in value.items() if key != "saved_server"}


def _created_at(value: Any) -> datetime:
    try:
        created = datetime.fromisoformat(str(value))
    except ValueError:
        return datetime.now(UTC)
    return created if created.tzinfo else created.replace(tzinfo=UTC)


def _transport(value: Any) -> str:
    known = {kind.value for kind in TransportKind}
    return str(value) if value in known else TransportKind.STDIO.value


def _status(value: Any) -> str:
    """A file's session is over, whatever it was when it was written."""
    known = {status.value for status in SessionStatus}
    if value in known and not SessionStatus(value).is_active:
        return str(value)
    return SessionStatus.CLOSED.value
