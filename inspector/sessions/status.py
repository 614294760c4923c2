"""Where a session stands: the status every page shows and the store records."""

from __future__ import annotations

from enum import StrEnum


class SessionStatus(StrEnum):
    CONNECTING = "connecting"
    CONNECTED = "connected"
    FAILED = "failed"  # could not connect
    DISCONNECTED = "disconnected"  # the server went away
    EXPIRED = "expired"  # the server forgot the session (HTTP 404)
    CLOSED = "closed"  # the user disconnected

    @property
    def is_active(self) -> bool:
        """Connecting or connected: a connection is, or is about to be, open."""
        return self in (SessionStatus.CONNECTING, SessionStatus.CONNECTED)
