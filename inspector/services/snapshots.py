"""What callers see of a session, live in this process or only recorded: one
`SessionSnapshot` either way; and the reach into the live ones that every service shares."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.conf import settings

from inspector.mcp.eras.tasks import offers_tasks
from inspector.mcp.versions import Era
from inspector.models import SessionRecord
from inspector.services.policy import check_stdio_allowed
from inspector.services.runtime import registry
from inspector.sessions.session import LiveSession
from inspector.sessions.spec import ConnectionSpec, TransportKind
from inspector.sessions.status import SessionStatus
from inspector.storage.session_hosts import live_session_ids


class SessionNotFound(Exception):
    pass


@dataclass(frozen=True, slots=True)
class SessionSnapshot:
    id: str
    status: SessionStatus
    transport: TransportKind
    target: str
    spec: dict[str, Any]
    created_at: datetime
    # Held by this process (its registry has it), so commands can reach it; a session
    # that ended, or outlived a restart, is only recorded.
    resident: bool
    error: str = ""
    error_layer: str = ""
    server: dict[str, Any] | None = None
    last_seq: int = 0
    client_capabilities: dict[str, Any] = field(default_factory=dict)
    owner_id: int | None = None
    # Why the server refuses the session's requests for want of authorization, while it does.
    authorization: str = ""
    # Where a session read from a file came from (`storage.archive`); None for the others.
    origin: dict[str, Any] | None = None
    # Recorded as live, but no process holds it: the inspector stopped (or was killed)
    # under it, and was started again.
    ended_by_restart: bool = False
    # Of such a session, how many events at least had been read from the server but not
    # yet stored when the inspector stopped: the highest seq read, as stored with the
    # last batch, beyond the last seq stored. Those events are lost.
    lost_in_flight: int = 0
    # Of such a session, whether it was held by a session host that stopped (hosted mode
    # with session hosts) rather than by an inspector that was restarted.
    host_stopped: bool = False
    # Of such a session, whether another host can take it up: it kept the settings it was
    # started with, secrets included (sessions connected by a person do; a report card's
    # or a load test's do not).
    revivable: bool = False

    @property
    def imported(self) -> bool:
        return self.origin is not None

    @property
    def is_http(self) -> bool:
        return self.transport is not TransportKind.STDIO

    @property
    def needs_authorization(self) -> bool:
        return self.resident and bool(self.authorization)

    @property
    def server_info(self) -> dict[str, Any]:
        info = (self.server or {}).get("server_info")
        return info if isinstance(info, dict) else {}

    @property
    def display_name(self) -> str:
        """What the server calls itself: its title, else its name, else the target."""
        info = self.server_info
        return str(info.get("title") or info.get("name") or self.target)

    @property
    def capabilities(self) -> dict[str, Any]:
        caps = (self.server or {}).get("capabilities")
        return caps if isinstance(caps, dict) else {}

    @property
    def protocol_version(self) -> str:
        return str((self.server or {}).get("protocol_version", ""))

    @property
    def connected(self) -> bool:
        return self.resident and self.status is SessionStatus.CONNECTED

    @property
    def offers_tasks(self) -> bool:
        """Tasks: a capability in 2025-11-25, the `io.modelcontextprotocol/tasks`
        extension in the modern era."""
        return self.offers("tasks") or (self.modern and offers_tasks(self.capabilities))

    @property
    def modern(self) -> bool:
        """Whether the connection settled on the 2026-07-28 era (no ping, no setLevel,
        no resources/subscribe: `subscriptions/listen` and per-request `_meta` instead)."""
        return (self.server or {}).get("era") == Era.MODERN.value

    def offers(self, capability: str) -> bool:
        """Whether the server declared a capability (`tools`, `resources.subscribe`...)."""
        node: Any = self.capabilities
        for part in capability.split("."):
            if not isinstance(node, dict) or part not in node:
                return False
            node = node[part]
        return node is not None and node is not False

    @property
    def can_reconnect(self) -> bool:
        return self.resident and not self.status.is_active

    @property
    def can_disconnect(self) -> bool:
        return self.resident and self.status.is_active


def from_live(session: LiveSession) -> SessionSnapshot:
    described = session.describe()
    return SessionSnapshot(
        id=described.id,
        status=described.status,
        transport=described.transport,
        target=described.target,
        spec=described.spec,
        created_at=described.created_at,
        resident=True,
        error=described.error,
        error_layer=described.error_layer,
        server=described.server,
        last_seq=described.last_seq,
        client_capabilities=described.client_capabilities,
        owner_id=described.owner_id,
        authorization=described.authorization,
    )


def from_record(
    record: SessionRecord, last_seq: int = 0, *, held_by_host: bool = False
) -> SessionSnapshot:
    """`held_by_host`: live on a session host whose lease holds (hosted mode with session
    hosts), so commands reach it through its host."""
    status = SessionStatus(record.status)
    ended_by_restart = status.is_active and not held_by_host
    if ended_by_restart:
        # Recorded as live but not in this process: the inspector was restarted under it.
        status = SessionStatus.DISCONNECTED
    # Known only with the last stored seq (the session page's own look-up).
    lost = max(0, record.read_seq - last_seq) if ended_by_restart and last_seq else 0
    return SessionSnapshot(
        id=record.id,
        status=status,
        transport=TransportKind(record.transport),
        target=record.target,
        spec=record.spec,
        created_at=record.created_at,
        resident=held_by_host,
        error=record.error,
        error_layer=record.error_layer,
        server=record.server,
        origin=record.origin,
        last_seq=last_seq,
        owner_id=record.owner_id,
        ended_by_restart=ended_by_restart,
        lost_in_flight=lost,
        host_stopped=ended_by_restart and record.host_id is not None,
        revivable=ended_by_restart and record.host_id is not None and bool(record.sealed_spec),
    )


def resident_session(session_id: str) -> LiveSession:
    """The live session held by this process, which every command needs."""
    session = registry().get(session_id)
    if session is None:
        raise SessionNotFound(session_id)
    return session


async def open_session(spec: ConnectionSpec, owner_id: int | None) -> SessionSnapshot:
    """Create a session and connect it; a failed connection still returns its snapshot."""
    check_stdio_allowed(spec)
    session = await registry().create(spec, owner_id=owner_id)
    await session.start()
    return from_live(session)


async def held_by_hosts(owner_id: int | None) -> set[str]:
    """The owner's sessions live on session hosts whose lease holds (none unless sessions
    live on hosts): lists show them live, as the host would."""
    if settings.SESSION_HOSTS != "remote":
        return set()
    return set(await live_session_ids(owner_id))
