"""Load tests from the browser: one tool called from several workers at once, in a
session of its own made from a live session's settings (which is left alone), in the
background; the result kept under the session it was started from."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import asdict, dataclass

from inspector.doctor.load import LoadOptions, load_session
from inspector.services.doctor_runs import Running
from inspector.services.policy import stdio_command_allowed
from inspector.services.runtime import doctor_runs, registry
from inspector.services.snapshots import resident_session
from inspector.sessions.session import LiveSession
from inspector.sessions.spec import TransportKind
from inspector.sessions.status import SessionStatus
from inspector.storage import load_tests as rows
from inspector.storage.load_tests import StoredLoadTest

__all__ = [
    "LoadOptions",
    "LoadTestCannotRun",
    "LoadTestNotFound",
    "LoadTestState",
    "load_test_get",
    "load_test_list",
    "load_test_start",
]

# Beyond these a page is no place to start a load test from: the CLI has no such limits.
MAX_CONCURRENCY = 100
MAX_SECONDS = 120.0


class LoadTestNotFound(Exception):
    pass


class LoadTestCannotRun(Exception):
    """Why a load test cannot start, said to the person."""


@dataclass(frozen=True, slots=True)
class LoadTestState:
    stored: StoredLoadTest
    running: Running | None  # set while this process runs it


async def load_test_start(
    *, session_id: str, owner_id: int | None, options: LoadOptions
) -> StoredLoadTest:
    source = resident_session(session_id)
    spec = source.spec
    if spec.transport is TransportKind.STDIO and not stdio_command_allowed(command=spec.command):
        raise LoadTestCannotRun(f"{spec.command!r} is not a command this inspector may run.")
    if options.concurrency > MAX_CONCURRENCY or (options.duration or 0) > MAX_SECONDS:
        raise LoadTestCannotRun(
            f"From a page, at most {MAX_CONCURRENCY} workers for {MAX_SECONDS:g} s; "
            "the command line (inspector load) has no such limits."
        )
    session = await registry().create(spec, owner_id=owner_id)
    stored = await rows.create(
        load_id=uuid.uuid4().hex, owner_id=owner_id, source_session_id=session_id,
        session_id=session.id, tool=options.tool, options=asdict(options),
    )  # fmt: skip
    budget = (options.duration or MAX_SECONDS) + spec.connect_timeout
    doctor_runs().start(stored.id, session, budget, _run(stored.id, session, options))
    return stored


async def _run(load_id: str, session: LiveSession, options: LoadOptions) -> None:
    try:
        await session.start()
        if session.status is not SessionStatus.CONNECTED:
            error = session.error
            await rows.stop(load_id, error.message if error else "Could not connect.")
            return
        result = await load_session(session, options)
        await session.log.flush()
    except asyncio.CancelledError:
        await rows.stop(load_id, "Stopped: the inspector shut down before the test ended.")
        raise
    except Exception as exc:  # the engine counts what the server does; this is ours
        await rows.stop(load_id, f"The load test stopped on an error of the inspector: {exc}")
        return
    finally:
        await session.disconnect()
    await rows.finish(load_id, result.to_json())


async def load_test_get(*, session_id: str, load_id: str) -> LoadTestState:
    stored = await rows.get(load_id, session_id)
    if stored is None:
        raise LoadTestNotFound(load_id)
    return LoadTestState(stored, doctor_runs().running(load_id))


async def load_test_list(*, session_id: str) -> list[StoredLoadTest]:
    return await rows.list_for_session(session_id)
