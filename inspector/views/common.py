"""What the views share: the request type, call keys, the JSON shape of a session, and
the 404s of a session or catalog item that is not there."""

from __future__ import annotations

import re
import uuid
from typing import Any

from django.http import Http404, HttpRequest
from django_htmx.middleware import HtmxDetails

from inspector import services


class HtmxHttpRequest(HttpRequest):
    """A request that went through django-htmx's middleware."""

    htmx: HtmxDetails
    # What the request acts as (`inspector.middleware.SessionOwnerMiddleware` sets it).
    access: services.Access


def snapshot_json(snapshot: services.SessionSnapshot) -> dict[str, Any]:
    return {
        "id": snapshot.id,
        "status": snapshot.status.value,
        # Held by this process: the JSON twin keeps the name its readers know.
        "live": snapshot.resident,
        "transport": snapshot.transport.value,
        "target": snapshot.target,
        "created_at": snapshot.created_at.isoformat(),
        "spec": snapshot.spec,
        "error": snapshot.error or None,
        "error_layer": snapshot.error_layer or None,
        "server": snapshot.server,
        "last_seq": snapshot.last_seq,
    }


_CALL_KEY = re.compile(r"^[A-Za-z0-9_-]{8,64}$")


def fresh_call_key() -> str:
    return uuid.uuid4().hex


def call_key(request: HttpRequest) -> str:
    """The key a page gave its call (its progress token), or a fresh one. A read is a
    GET, so the key may come in the query string."""
    key = request.POST.get("call_key") or request.GET.get("call_key") or ""
    return key if _CALL_KEY.match(key) else fresh_call_key()


async def resident_snapshot(session_id: str) -> services.SessionSnapshot:
    """The session, which must be held by this process for a command to reach it."""
    try:
        snapshot = await services.session_get(session_id=session_id)
    except services.SessionNotFound as exc:
        raise Http404("No such session.") from exc
    if not snapshot.resident:
        raise Http404("The session is not live in this inspector.")
    return snapshot


async def catalog_item_or_404(
    session_id: str, listing: services.Listing, key: str, what: str
) -> dict[str, Any]:
    """A tool, prompt, resource or template of the server's last listing; `what` names it
    in the 404 a stale page gets."""
    try:
        return await services.catalog_item_get(session_id=session_id, listing=listing, key=key)
    except services.CatalogItemNotFound as exc:
        raise Http404(f"This {what} is not in the server's last listing; reload the list.") from exc
