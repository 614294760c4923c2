"""What the views share: owner ids and the JSON shape of a session."""

from __future__ import annotations

import re
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.http import Http404, HttpRequest
from django_htmx.middleware import HtmxDetails

from inspector.mcp.errors import JsonRpcError, McpError
from inspector.services import SessionNotFound, SessionSnapshot, new_call_key, session_get


class HtmxHttpRequest(HttpRequest):
    """A request that went through django-htmx's middleware."""

    htmx: HtmxDetails


async def owner_id(request: HttpRequest) -> int | None:
    return owner_of(await request.auser())


def owner_of(user: AbstractBaseUser | AnonymousUser) -> int | None:
    """Who owns what a user opens: their account, or None for local mode's one person."""
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


_CALL_KEY = re.compile(r"^[A-Za-z0-9_-]{8,64}$")


def call_key(request: HttpRequest) -> str:
    """The key a page gave its call (its progress token), or a fresh one. A read is a
    GET, so the key may come in the query string."""
    key = request.POST.get("call_key") or request.GET.get("call_key") or ""
    return key if _CALL_KEY.match(key) else new_call_key()


def failure_text(error: McpError) -> str:
    """A failed request in one line, as a person reads it."""
    if isinstance(error, JsonRpcError):
        return f"JSON-RPC error {error.code}: {error.message}"
    return str(error) or type(error).__name__


async def live_snapshot(session_id: str) -> SessionSnapshot:
    """The session, which must be live in this process for a command to reach it."""
    try:
        snapshot = await session_get(session_id)
    except SessionNotFound as exc:
        raise Http404("No such session.") from exc
    if not snapshot.live:
        raise Http404("The session is not live in this inspector.")
    return snapshot
