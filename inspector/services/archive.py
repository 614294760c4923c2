"""Sessions as files: export (JSON Lines, and HAR for the HTTP exchanges) and import."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from inspector.services.runtime import registry
from inspector.services.sessions import session_get
from inspector.services.snapshots import SessionSnapshot
from inspector.sessions import archive, har
from inspector.sessions.archive import ArchiveError, ArchiveReader
from inspector.storage.archive import (
    count_events,
    import_archive,
    stored_event_data,
    stored_event_lines,
)

__all__ = ["ArchiveError", "Export", "session_export", "session_har", "session_import"]


@dataclass(frozen=True, slots=True)
class Export:
    filename: str
    media_type: str
    chunks: AsyncIterator[bytes]


def inspector_version() -> str:
    try:
        return version("inspector")
    except PackageNotFoundError:  # run from a source tree that was never installed
        return "unknown"


async def session_export(*, session_id: str, include_secrets: bool = False) -> Export:
    """The session's file: a header line, then every event stored so far."""
    snapshot, last_seq = await _stored(session_id)
    described = _described(snapshot)
    live = registry().get(session_id)
    if include_secrets and live is not None:
        described["spec"] = live.spec.to_dict()
    header = archive.header_line(
        inspector=inspector_version(),
        exported_at=datetime.now(UTC).isoformat(),
        events=await count_events(session_id, last_seq),
        session=described,
        include_secrets=include_secrets and live is not None,
    )

    async def chunks() -> AsyncIterator[bytes]:
        yield header.encode()
        lines: list[str] = []
        async for text in stored_event_lines(session_id, last_seq):
            lines.append(text)
            if len(lines) >= 500:
                yield ("\n".join(lines) + "\n").encode()
                lines = []
        if lines:
            yield ("\n".join(lines) + "\n").encode()

    return Export(f"{_stem(snapshot)}.jsonl", archive.MEDIA_TYPE, chunks())


async def session_har(*, session_id: str) -> Export:
    """The session's HTTP exchanges (transport and OAuth) as a HAR 1.2 document."""
    snapshot, last_seq = await _stored(session_id)

    async def chunks() -> AsyncIterator[bytes]:
        pieces: list[str] = []
        async for data in stored_event_data(session_id, last_seq, har.EVENT_KINDS):
            pieces.extend(har.har_entries_json(data))
            if len(pieces) >= 200:
                yield har.join_entries(pieces).encode()
                pieces = []
        yield har.join_entries(pieces).encode()

    return Export(f"{_stem(snapshot)}.har", har.MEDIA_TYPE, _har_document(chunks()))


async def _har_document(entries: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
    opening, closing = har.document_ends(creator_version=inspector_version())
    yield opening.encode()
    first = True
    async for chunk in entries:
        if chunk:
            yield (b"" if first else b",\n") + chunk
            first = False
    yield closing.encode()


async def session_import(
    *, lines: Iterable[bytes], filename: str, owner_id: int | None
) -> SessionSnapshot:
    """A recorded session read from a file; `ArchiveError` (nothing kept) if it cannot be."""
    reader = ArchiveReader(lines)
    session_id = await import_archive(reader, owner_id=owner_id, filename=filename)
    return await session_get(session_id=session_id)


async def _stored(session_id: str) -> tuple[SessionSnapshot, int]:
    """The session and the seq of its last stored event (a live one's log flushed first)."""
    live = registry().get(session_id)
    if live is not None:
        await live.log.flush()
        return await session_get(session_id=session_id), live.log.saved_seq
    snapshot = await session_get(session_id=session_id)
    return snapshot, snapshot.last_seq


def _described(snapshot: SessionSnapshot) -> dict[str, Any]:
    return {
        "id": snapshot.id,
        "created_at": snapshot.created_at.isoformat(),
        "transport": snapshot.transport.value,
        "target": snapshot.target,
        "spec": snapshot.spec,
        "status": snapshot.status.value,
        "error": snapshot.error,
        "error_layer": snapshot.error_layer,
        "server": snapshot.server,
        "client_capabilities": snapshot.client_capabilities,
    }


def _stem(snapshot: SessionSnapshot) -> str:
    name = "".join(ch if ch.isalnum() or ch in "-_." else "-" for ch in snapshot.display_name)
    return f"{name.strip('-')[:60] or 'session'}-{snapshot.id[:8]}"
