"""A saved server's baseline surface: pinned by its owner, read back to compare later
connections with it. Every function takes the owner, as `storage.saved_servers` does."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from inspector.models import SavedServer


@dataclass(frozen=True, slots=True)
class StoredBaseline:
    server_id: int
    server_name: str
    document: dict[str, Any] | None  # a surface snapshot; None until one is pinned
    pinned_at: datetime | None


def baseline_of(server_id: int, owner_id: int | None) -> StoredBaseline | None:
    """The saved server's baseline, or None when the owner has no such saved server."""
    record = SavedServer.objects.filter(owner_id=owner_id, pk=server_id).first()
    if record is None:
        return None
    document = record.baseline if isinstance(record.baseline, dict) else None
    return StoredBaseline(record.pk, record.name, document, record.baseline_pinned_at)


def pin_baseline(
    server_id: int, owner_id: int | None, document: dict[str, Any]
) -> StoredBaseline | None:
    pinned_at = datetime.now(UTC)
    updated = SavedServer.objects.filter(owner_id=owner_id, pk=server_id).update(
        baseline=document, baseline_pinned_at=pinned_at
    )
    return baseline_of(server_id, owner_id) if updated else None
