"""A live session against real servers: status, events, persistence, notices."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from collections.abc import AsyncIterator, Callable, Sequence

import httpx
import pytest

from inspector.mcp.errors import SessionExpired, TransportClosed
from inspector.mcp.trace import EventKind, TraceEvent
from inspector.mcp.transports.streamable_http import StreamableHttpTransport
from inspector.mcp.versions import EraChoice
from inspector.sessions.ports import ReadSeq
from inspector.sessions.registry import SessionRegistry, TooManySessions
from inspector.sessions.session import LiveSession
from inspector.sessions.spec import ConnectionSpec, TransportKind
from inspector.sessions.status import SessionStatus
from tests.conftest import REPO_ROOT, fixture_spec
from tests.servers.http_harness import RunningServer
from tests.sessions.memory_store import MemoryStore


class Notices:
    def __init__(self) -> None:
        self.seen: list[int] = []
        self.arrived = asyncio.Event()

    async def __call__(self, session_id: str, last_seq: int) -> None:
        self.seen.append(last_seq)
        self.arrived.set()


MakeSession = Callable[..., LiveSession]


@pytest.fixture
async def sessions() -> AsyncIterator[MakeSession]:
    made: list[LiveSession] = []

    def make(spec: ConnectionSpec, **options: object) -> LiveSession:
        session = LiveSession(spec, **options)  # type: ignore[arg-type]
        made.append(session)
        return session

    yield make
    for session in made:
        await session.close()


async def test_connects_and_records_the_handshake(sessions: MakeSession) -> None:
    store = MemoryStore()
    session = sessions(fixture_spec("everything_py"), store=store)
    await session.start()
    assert session.status is SessionStatus.CONNECTED
    assert session.server is not None
    assert session.server.name == "fixture-everything"
    await session.close()
    methods = [e.method for e in store.events[session.id] if e.kind is EventKind.MESSAGE]
    assert methods[:3] == ["initialize", "initialize", "notifications/initialized"]
    assert store.sessions[session.id] == ["connecting", "connected", "closed"]


async def test_a_failed_connection_keeps_its_events_and_says_why(sessions: MakeSession) -> None:
    session = sessions(fixture_spec("broken_stdio", "exit-early"), store=MemoryStore())
    await session.start()
    assert session.status is SessionStatus.FAILED
    assert session.error is not None
    assert session.error.layer.value == "process"
    stderr = [e.text for e in await session.log.after(0) if e.kind is EventKind.STDERR]
    assert stderr == ["fatal: missing configuration file"]


async def test_a_server_crash_marks_the_session_disconnected(sessions: MakeSession) -> None:
    session = sessions(fixture_spec("broken_stdio", "crash"))
    await session.start()
    with pytest.raises(TransportClosed):
        await session.request("tools/call", {"name": "x"})
    assert session.status is SessionStatus.DISCONNECTED
    with pytest.raises(TransportClosed, match="disconnected"):
        await session.request("tools/call", {"name": "x"})


async def test_reconnect_continues_the_same_log(sessions: MakeSession) -> None:
    session = sessions(fixture_spec("everything_py"))
    await session.start()
    first_last = session.log.last_seq
    await session.disconnect()
    assert session.status.value == "closed"
    await session.reconnect()
    assert session.status.value == "connected"
    seqs = [e.seq for e in await session.log.after(0, limit=10_000)]
    assert seqs == list(range(1, session.log.last_seq + 1))
    assert session.log.last_seq > first_last
    initializes = [e for e in await session.log.after(0) if e.method == "initialize"]
    assert len(initializes) == 4  # request and result, twice


async def test_watchers_hear_of_stored_events_coalesced(sessions: MakeSession) -> None:
    notices = Notices()
    store = MemoryStore()
    session = sessions(fixture_spec("broken_stdio", "flood=2000"), store=store, watchers=[notices])
    await session.start()
    await session.request("tools/call", {"name": "x"})
    await session.close()
    assert notices.seen[-1] == session.log.last_seq
    assert notices.seen == sorted(set(notices.seen)), "notices only move forward"
    assert len(notices.seen) < 100, "2000 messages must not mean 2000 notices"
    stored = store.events[session.id]
    assert [e.seq for e in stored] == list(range(1, session.log.last_seq + 1))


async def test_registry_limits_live_sessions() -> None:
    registry = SessionRegistry(max_sessions=1)
    first = await registry.create(fixture_spec("everything_py"))
    await first.start()
    try:
        with pytest.raises(TooManySessions):
            await registry.create(fixture_spec("everything_py"))
        await first.disconnect()
        second = await registry.create(fixture_spec("everything_py"))
        assert registry.get(second.id) is second
    finally:
        await registry.close_all()


async def test_registry_reaps_ended_sessions_and_stops_their_tasks() -> None:
    registry = SessionRegistry()
    session = await registry.create(fixture_spec("broken_stdio", "exit-early"))
    await session.start()
    assert await registry.reap(now=session.last_activity + 24 * 3600) == [session.id]
    assert registry.get(session.id) is None
    assert session.persistence.pump is not None
    assert session.persistence.pump.done()


async def test_an_expired_http_session_is_marked_and_reconnect_starts_afresh(
    sessions: MakeSession, mcp_http_server: RunningServer
) -> None:
    url = mcp_http_server.url("/stream/mcp")
    session = sessions(ConnectionSpec(TransportKind.HTTP, url=url, era=EraChoice.LEGACY))
    await session.start()
    transport = session.client.transport if session.client else None
    assert isinstance(transport, StreamableHttpTransport)
    old_id = transport.session_id
    assert old_id
    # The server forgets the session behind the client's back.
    async with httpx.AsyncClient() as other:
        await other.delete(url, headers={"Mcp-Session-Id": old_id})
    with pytest.raises(SessionExpired):
        await session.request("tools/list")
    assert session.status is SessionStatus.EXPIRED
    await session.reconnect()
    assert session.status.value == "connected"
    assert session.client is not None
    renewed = session.client.transport
    assert isinstance(renewed, StreamableHttpTransport)
    assert renewed.session_id not in (None, old_id)


class SlowStore(MemoryStore):
    """A store that takes its time, as a busy database does."""

    async def save_events(
        self, session_id: str, events: Sequence[TraceEvent], *, reading: ReadSeq | None = None
    ) -> None:
        await asyncio.sleep(0.05)
        await super().save_events(session_id, events, reading=reading)


async def test_a_flood_is_held_back_while_the_store_catches_up(sessions: MakeSession) -> None:
    store = SlowStore()
    session = sessions(fixture_spec("broken_stdio", "flood=5000"), store=store)
    session.log.max_events = 500
    await session.start()
    peak_unsaved = 0
    peak_window = 0

    async def watch() -> None:
        nonlocal peak_unsaved, peak_window
        while True:
            peak_unsaved = max(peak_unsaved, session.log.unsaved_count)
            peak_window = max(peak_window, session.log.last_seq - session.log.window_start() + 1)
            await asyncio.sleep(0.001)

    watcher = asyncio.create_task(watch())
    try:
        await session.request("tools/call", {"name": "flood"})
    finally:
        watcher.cancel()
    await session.close()
    # Reading stops before the unsaved events reach the window's bound: it never grows
    # past it while the store catches up.
    assert 0 < peak_unsaved < 500, peak_unsaved
    assert peak_window <= 500, peak_window
    assert [e.seq for e in store.events[session.id]] == list(range(1, session.log.last_seq + 1))


async def test_a_flood_of_large_messages_is_held_back_by_the_window_bytes(
    sessions: MakeSession,
) -> None:
    store = SlowStore()
    session = sessions(fixture_spec("broken_stdio", "flood=3000"), store=store)
    session.log.max_bytes = 64 * 1024
    await session.start()
    peak_bytes = 0

    async def watch() -> None:
        nonlocal peak_bytes
        while True:
            peak_bytes = max(peak_bytes, session.log.window_bytes)
            await asyncio.sleep(0.001)

    watcher = asyncio.create_task(watch())
    try:
        await session.request("tools/call", {"name": "flood"})
    finally:
        watcher.cancel()
    await session.close()
    # Reading stops once the window holds its bytes bound; the reader's slice in progress
    # (100 lines of about 100 bytes) may land on top of it, no more.
    assert peak_bytes < 64 * 1024 + 100 * (256 + 2 * 120), peak_bytes
    assert [e.seq for e in store.events[session.id]] == list(range(1, session.log.last_seq + 1))


async def test_concurrent_reconnects_leave_one_client(sessions: MakeSession) -> None:
    session = sessions(fixture_spec("everything_py"))
    await session.start()
    await asyncio.gather(session.reconnect(), session.reconnect())
    assert session.status is SessionStatus.CONNECTED
    started = [e for e in await session.log.after(0, 10_000) if e.text.startswith("Started ")]
    exited = [e for e in await session.log.after(0, 10_000) if "exited" in e.text]
    assert len(started) == 3
    assert len(exited) == 2, "every client but the current one was closed"


async def test_disconnect_during_the_handshake_aborts_it(sessions: MakeSession) -> None:
    # A server that never answers initialize: only Disconnect can end the attempt.
    session = sessions(fixture_spec("broken_stdio", "silent-init", connect_timeout=30))
    connecting = asyncio.create_task(session.start())
    await asyncio.sleep(0.5)
    assert session.status is SessionStatus.CONNECTING
    await asyncio.wait_for(session.disconnect(), 10)
    await asyncio.wait_for(connecting, 5)
    assert session.status.value == "closed"
    assert session.error is None


async def test_a_caller_that_goes_away_does_not_strand_the_session(sessions: MakeSession) -> None:
    session = sessions(fixture_spec("everything_py"))
    caller = asyncio.create_task(session.start())
    await asyncio.sleep(0.05)
    caller.cancel()  # as Django does when the browser drops the connect request
    with pytest.raises(asyncio.CancelledError):
        await caller
    for _ in range(200):
        if session.status is not SessionStatus.CONNECTING:
            break
        await asyncio.sleep(0.05)
    assert session.status is SessionStatus.CONNECTED


def test_session_layer_leaves_httpx_and_oauth_unloaded_for_stdio() -> None:
    """A stdio session never speaks HTTP: the session layer loads neither httpx nor the
    OAuth flow until a connection needs them, so that many stdio sessions stay light."""
    probe = (
        "import sys\n"
        "import inspector.sessions.registry, inspector.sessions.session\n"
        "heavy = ('httpx', 'inspector.mcp.auth.flow', 'inspector.mcp.auth.provider')\n"
        "print(','.join(name for name in heavy if name in sys.modules))\n"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=REPO_ROOT
    ).stdout.strip()
    assert loaded == ""


@pytest.mark.parametrize("behaviours", [("mute",), ("mute", "noise")])
async def test_the_connect_timeout_bounds_the_whole_auto_connect(
    sessions: MakeSession, behaviours: tuple[str, ...]
) -> None:
    # A server that answers nothing (or only prints junk) and outlives its closed input:
    # the era probe, the initialize fallback and stopping the process share one budget.
    budget = 3.0
    session = sessions(
        fixture_spec("broken_stdio", *behaviours, era=EraChoice.AUTO, connect_timeout=budget)
    )
    loop = asyncio.get_running_loop()
    started = loop.time()
    await session.start()
    took = loop.time() - started
    assert session.status is SessionStatus.FAILED
    assert session.error is not None
    assert session.error.layer.value == "timeout"
    assert "the connect timeout (3 s) ran out" in session.error.message
    # Before, each step waited the whole timeout: 3 s + 3 s + a 2 s grace to exit.
    assert took < budget + 1.5, f"the connect took {took:.1f} s"
