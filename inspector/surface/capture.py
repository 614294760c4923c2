"""A surface captured from a live server: connect through the session layer, list every
declared list to its last page, disconnect."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import UTC, datetime
from typing import Any

from inspector.mcp.errors import McpError
from inspector.sessions.session import LiveSession
from inspector.sessions.spec import ConnectionSpec
from inspector.sessions.status import SessionStatus
from inspector.surface.model import LISTS, Surface, server_summary

MAX_PAGES = 1000
CLOSE_SECONDS = 5.0


class CaptureError(Exception):
    """The server could not be reached, or refused: `status` is the HTTP status, if any."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


async def capture(spec: ConnectionSpec) -> Surface:
    session = LiveSession(spec)
    try:
        await session.start()
        server = session.server
        if server is None or session.status is not SessionStatus.CONNECTED:
            error = session.error
            message = error.message if error is not None else f"the session is {session.status}"
            raise CaptureError(message, error.status if error is not None else None)
        return await listed_surface(session, target=spec.target)
    finally:
        with contextlib.suppress(Exception):
            async with asyncio.timeout(CLOSE_SECONDS):
                await session.close()


async def listed_surface(session: LiveSession, *, target: str) -> Surface:
    """The surface of a connected session: each declared list asked for again, to its last
    page, through the session (so its log shows the requests)."""
    server = session.server
    if server is None:
        raise CaptureError("the session is not connected")
    surface = Surface(
        server=server_summary(
            server.server_info,
            server.protocol_version,
            server.capabilities,
            server.instructions,
        ),
        target=target,
        captured_at=datetime.now(UTC).isoformat(),
    )
    for key, method, capability, *_ in LISTS:
        if capability not in server.capabilities:
            continue
        items, whole = await _list_all(session, method, key)
        surface.lists[key] = items
        if not whole:
            surface.incomplete.append(key)
    return surface


async def _list_all(
    session: LiveSession, method: str, key: str
) -> tuple[list[dict[str, Any]], bool]:
    """Every page's items, and whether the listing ended (not cut by an error or a loop)."""
    items: list[dict[str, Any]] = []
    seen: set[str] = set()
    cursor: str | None = None
    for _ in range(MAX_PAGES):
        try:
            result = await session.request(method, {"cursor": cursor} if cursor else {})
        except (McpError, TimeoutError):
            return items, False
        page = result.get(key)
        if isinstance(page, list):
            items.extend(item for item in page if isinstance(item, dict))
        next_cursor = result.get("nextCursor")
        if not isinstance(next_cursor, str) or not next_cursor:
            return items, True
        if next_cursor in seen:
            return items, False
        seen.add(next_cursor)
        cursor = next_cursor
    return items, False
