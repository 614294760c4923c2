"""Fixtures shared by every layer's tests: how to start the fixture servers, and the test
database's hygiene."""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import time
import uuid
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest
from asgiref.sync import SyncToAsync
from channels.layers import channel_layers
from django.db import connections
from pytest_django import DjangoDbBlocker

from inspector.mcp.transports import reaper
from inspector.mcp.transports.stdio import StdioParameters
from inspector.mcp.versions import EraChoice
from inspector.sessions.spec import ConnectionSpec, TransportKind
from inspector.storage.db import close_writer_connection
from tests.servers.http_harness import RunningServer, refused_port, run_server
from tests.servers.oauth_harness import OAuthServers, run_oauth_servers

REPO_ROOT = Path(__file__).resolve().parent.parent
# Closing connections queues behind whatever asgiref's thread-sensitive thread is doing;
# that should be nothing once a test is over.
THREAD_SENSITIVE_IDLE_SECONDS = 30.0
POSTGRESQL = "django.db.backends.postgresql"
LOCAL_HOSTS = {"", "localhost", "127.0.0.1", "::1"}
STRAY_GRACE_SECONDS = 3.0
STRAYS = pytest.StashKey[list[str]]()
WATCHER_SCRIPT = reaper.__file__


def fixture_server(module: str, *args: str) -> StdioParameters:
    """Parameters to run `tests/servers/<module>.py` over stdio."""
    return StdioParameters(
        sys.executable, ("-m", f"tests.servers.{module}", *args), cwd=str(REPO_ROOT)
    )


def fixture_spec(module: str, *args: str, **options: object) -> ConnectionSpec:
    """A connection to a fixture server; legacy unless `era` says otherwise, since the
    fixtures serve both eras and most tests are about the handshake era's features."""
    params = fixture_server(module, *args)
    options.setdefault("era", EraChoice.LEGACY)
    return ConnectionSpec(
        TransportKind.STDIO,
        command=params.command,
        args=tuple(params.args),
        cwd=params.cwd,
        **options,  # type: ignore[arg-type]
    )


def allow_extra_time(
    config: pytest.Config, items: list[pytest.Item], fixture: str, seconds: float
) -> None:
    """Give the tests that use `fixture` `seconds` more than the per-test timeout
    (pyproject.toml): for fixtures that may have to install from the npm registry."""
    limit = float(config.getini("timeout")) + seconds
    for item in items:
        if fixture in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.timeout(limit))


@pytest.fixture
def everything() -> StdioParameters:
    return fixture_server("everything_py")


@pytest.fixture
def repo_root() -> Path:
    return REPO_ROOT


@pytest.fixture
def closed_port() -> Iterator[int]:
    """A local port that refuses connections throughout the test."""
    with refused_port() as port:
        yield port


@pytest.fixture(scope="session")
def mcp_http_server() -> Iterator[RunningServer]:
    """Real `mcp` servers: /stream/mcp, /json/mcp, /resumable/mcp, /modern/mcp, /legacy/sse."""
    with run_server("http_mcp.py") as server:
        yield server


@pytest.fixture(scope="session")
def broken_http_server() -> Iterator[RunningServer]:
    """The hand-written misbehaving server; see `tests/servers/http_broken.py`."""
    with run_server("http_broken.py") as server:
        yield server


@pytest.fixture(scope="session")
def oauth_servers() -> Iterator[OAuthServers]:
    """A protected MCP server at `/api/mcp` and its OAuth authorization server (long-lived
    tokens); see `tests/servers/oauth_mcp.py`. Tests that need short-lived tokens or
    another issuer start their own pair with `run_oauth_servers(...)`."""
    with run_oauth_servers() as servers:
        yield servers


@pytest.fixture
def path_token() -> str:
    """A fresh path segment, so a test's state on the shared broken server is its own."""
    return uuid.uuid4().hex[:12]


@pytest.fixture(autouse=True)
def fresh_channel_layers() -> None:
    """Channel layers of the test's own, as it has an event loop of its own.

    A layer object lives as long as the process, and channels_redis keeps asyncio locks
    in it for every receive in the process. A test whose loop ended with a receive under
    way could leave one held, or bound to that loop: the next test's websocket then
    failed with "bound to a different event loop", or would have waited for ever for a
    release that could not come.
    """
    channel_layers.backends = {}


@pytest.fixture(autouse=True)
def thread_sensitive_connections_closed() -> Iterator[None]:
    """Close the database connections of asgiref's thread for thread-sensitive code,
    and the one the event writer keeps (`in_writer_thread`).

    Django's async ORM calls (`aget`, `acount`, `aforce_login`...) run in that one
    process-wide thread, and nothing closes what they open there: the connection
    outlived every test, so the test database could not be dropped at the end ("being
    accessed by other users") and stayed behind; the writer's SQLite connection, open
    as its file was deleted, left the file's write-ahead log behind. Django closes the
    main thread's connections after each test; this does the same for those threads.
    """
    yield
    closing = SyncToAsync.single_thread_executor.submit(connections.close_all)
    try:
        closing.result(timeout=THREAD_SENSITIVE_IDLE_SECONDS)
        close_writer_connection(timeout=THREAD_SENSITIVE_IDLE_SECONDS)
    except TimeoutError:
        pytest.fail(
            "A database thread is still busy after the test: something the test started "
            "there never finished."
        )


@pytest.fixture(scope="session")
def django_db_modify_db_settings(
    django_db_modify_db_settings: None, django_db_blocker: DjangoDbBlocker
) -> None:
    """On PostgreSQL, a test database of this run's own, named after its process.

    With one shared name (`test_test`), a run on the same machine that starts while
    another is under way drops the database under it (Django drops a test database it
    finds when it is idle for an instant), and both then run on one database; and a
    stray connection to a leftover database made the next run fail to set up. Databases
    of earlier runs whose process is gone are dropped here, connections and all.
    """
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"] != POSTGRESQL:
        return
    test = database.setdefault("TEST", {})
    base = test.get("NAME") or f"test_{database['NAME']}"
    test["NAME"] = f"{base}_{os.getpid()}"
    if database.get("HOST", "") in LOCAL_HOSTS:
        # Process ids say which runs are gone only for runs on this machine.
        with django_db_blocker.unblock():
            _drop_databases_of_ended_runs(base)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker: DjangoDbBlocker) -> Iterator[None]:
    """End the sessions still connected to this run's database, so that pytest-django
    can drop it; the database is this run's own, so they are this run's."""
    yield
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"] != POSTGRESQL:
        return
    # The pool's idle connections are this run's own, and no sign of anything left open.
    getattr(connections["default"], "close_pool", lambda: None)()
    with django_db_blocker.unblock(), connections["default"]._nodb_cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid), left(query, 200) FROM pg_stat_activity"
            " WHERE datname = %s AND pid <> pg_backend_pid()",
            [database["NAME"]],
        )
        for _, query in cursor.fetchall():
            # Still worth knowing: something in the run did not close its connection.
            warnings.warn(
                f"a connection to the test database was still open; its last query: {query}",
                stacklevel=1,
            )


def _drop_databases_of_ended_runs(base: str) -> None:
    connection = connections["default"]
    prefix = f"{base}_"
    # The maintenance database, as Django's own test database creation uses it.
    with connection._nodb_cursor() as cursor:
        cursor.execute("SELECT datname FROM pg_database WHERE starts_with(datname, %s)", [prefix])
        names = [name for (name,) in cursor.fetchall()]
        for name in names:
            pid = name.removeprefix(prefix)
            if pid.isdigit() and not _process_alive(int(pid)):
                # FORCE ends the sessions still connected to it (PostgreSQL 13 and later).
                cursor.execute(
                    f"DROP DATABASE IF EXISTS {connection.ops.quote_name(name)} WITH (FORCE)"
                )


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def pytest_sessionfinish(session: pytest.Session) -> None:
    """End, and name, any process a test started and left running.

    Every server a test starts must be stopped by the test; one that outlives the run
    holds ports, files and database connections that the next run (CI runs on the same
    machine) trips over. This is the net under that rule, not a replacement for it.
    """
    strays = {
        pid: found
        for pid, found in _descendants(os.getpid()).items()
        # The inspector's watcher of its servers' groups lives as long as the process
        # that started it, by design: it ends when the run does.
        if WATCHER_SCRIPT not in found[1]
    }
    session.config.stash[STRAYS] = [f"{pid}: {command}" for pid, (_, command) in strays.items()]
    if not strays:
        return
    _signal_all(strays, signal.SIGTERM)
    deadline = time.monotonic() + STRAY_GRACE_SECONDS
    while time.monotonic() < deadline and any(
        _running(pid, started) for pid, (started, _) in strays.items()
    ):
        time.sleep(0.05)
    _signal_all(strays, signal.SIGKILL)


def pytest_terminal_summary(
    terminalreporter: pytest.TerminalReporter, config: pytest.Config
) -> None:
    if strays := config.stash.get(STRAYS, []):
        terminalreporter.write_sep("=", "processes tests left running (now ended)", yellow=True)
        for stray in strays:
            terminalreporter.write_line(stray)


def _descendants(root: int) -> dict[int, tuple[str, str]]:
    """The processes below `root`: their start times and command lines (from Linux's
    `/proc`; none elsewhere)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").glob("[0-9]*"):
        fields = _stat_fields(int(entry.name))
        # A zombie has ended already; its parent just has not reaped it.
        if fields is not None and fields[0] != "Z":
            children.setdefault(int(fields[1]), []).append(int(entry.name))
    found: dict[int, tuple[str, str]] = {}
    pending = list(children.get(root, []))
    while pending:
        pid = pending.pop()
        started = _start_time(pid)
        try:
            command = (Path("/proc") / str(pid) / "cmdline").read_bytes()
        except OSError:  # ended meanwhile
            continue
        if started is not None:
            found[pid] = started, command.replace(b"\0", b" ").decode(errors="replace").strip()
        pending.extend(children.get(pid, []))
    return found


def _stat_fields(pid: int) -> list[str] | None:
    """The fields of `/proc/PID/stat` after the command name, from the state on."""
    try:
        stat = (Path("/proc") / str(pid) / "stat").read_text()
    except OSError:
        return None
    # The command name, in parentheses, may hold spaces and parentheses itself.
    return stat[stat.rfind(")") + 2 :].split()


def _start_time(pid: int) -> str | None:
    fields = _stat_fields(pid)
    return fields[19] if fields is not None else None


def _running(pid: int, started: str) -> bool:
    """Still running, and still the same process: an ended one's id may have been reused."""
    fields = _stat_fields(pid)
    return fields is not None and fields[0] != "Z" and fields[19] == started


def _signal_all(processes: dict[int, tuple[str, str]], sig: signal.Signals) -> None:
    for pid, (started, _) in processes.items():
        if _running(pid, started):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, sig)
