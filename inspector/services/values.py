"""The plain values that cross the services' door, named where callers can reach them:
what a form builds a connection from, what a view passes back (a listing, an answer to
an approval), and the errors a service lets through for its caller to handle."""

from __future__ import annotations

from inspector.mcp.auth.config import AUTHORIZATION_CODE, CLIENT_CREDENTIALS, OAuthSettings
from inspector.mcp.errors import AuthError
from inspector.mcp.log_levels import LOG_LEVELS
from inspector.mcp.masking import MASK
from inspector.mcp.trace import EventKind, MessageType, TraceEvent
from inspector.mcp.versions import DEFAULT_VERSION, KNOWN_VERSIONS, Era, EraChoice, era_of
from inspector.sessions.approvals import ApprovalKind, Decision, UnknownApproval
from inspector.sessions.catalog import Listing
from inspector.sessions.compose import COMPOSED_DETAIL, Composed
from inspector.sessions.consent import REFUSED_CODE
from inspector.sessions.registry import TooManySessions
from inspector.sessions.roots import InvalidRoot
from inspector.sessions.spec import ConnectionSpec, TransportKind
from inspector.sessions.status import SessionStatus
from inspector.sessions.tracked_task import TaskMode

__all__ = [
    "AUTHORIZATION_CODE",
    "CLIENT_CREDENTIALS",
    "COMPOSED_DETAIL",
    "DEFAULT_VERSION",
    "KNOWN_VERSIONS",
    "LOG_LEVELS",
    "MASK",
    "REFUSED_CODE",
    "ApprovalKind",
    "AuthError",
    "Composed",
    "ConnectionSpec",
    "Decision",
    "Era",
    "EraChoice",
    "EventKind",
    "InvalidRoot",
    "Listing",
    "MessageType",
    "OAuthSettings",
    "SessionStatus",
    "TaskMode",
    "TooManySessions",
    "TraceEvent",
    "TransportKind",
    "UnknownApproval",
    "era_of",
]
