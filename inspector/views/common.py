"""What the views share: owner ids and the JSON shape of a session."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails

from inspector.services import SessionSnapshot


class HtmxHttpRequest(HttpRequest):
    """A request that went through django-htmx's middleware."""

    htmx: HtmxDetails


async def owner_id(request: HttpRequest) -> int | None:
    user = await request.auser()
    return user.pk if user.is_authenticated else None


def snapshot_json(snapshot: SessionSnapshot) -> dict[str, Any]:
    return {
        "id": snapshot.id,
        "status": snapshot.status.value,
        "live": snapshot.live,
        "transport": snapshot.transport.value,
        "target": snapshot.target,
        "created_at": snapshot.created_at.isoformat(),
        "spec": snapshot.spec,
        "error": snapshot.error or None,
        "error_layer": snapshot.error_layer or None,
        "server": snapshot.server,
        "last_seq": snapshot.last_seq,
    }


def seq_param(value: str | None) -> int:
    """A seq from a query string: a non-negative integer, 0 when absent or malformed."""
    try:
        return max(0, int(value or 0))
    except ValueError:
        return 0
