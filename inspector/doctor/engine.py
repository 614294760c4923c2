"""The doctor's run: connect through a live session, run each section of checks within the
time budget, and finish the report whatever the server does.

Order: connect; sweep the catalog (everything later needs it); lint tools and texts;
probe; measure; then the versions, which reconnect and so come last; then the checks read
from the event log (connection, the judge's findings). A section stopped by the budget or
by the server going away leaves each of its checks that did not run as skipped, with why.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from inspector.doctor import catalog as catalog_checks
from inspector.doctor import connection, layers, probes, speed, text_lint, tool_quality, versions
from inspector.doctor.auth_posture import check_authorization
from inspector.doctor.catalog import Catalog
from inspector.doctor.examination import BudgetSpent, Examination, StopExamination
from inspector.doctor.report import Report, Section, Status
from inspector.doctor.shadowing import check_shadowing
from inspector.mcp.client.types import CLIENT_INFO
from inspector.sessions.session import LiveSession
from inspector.sessions.spec import ConnectionSpec

CLOSE_SECONDS = 10.0
DEFAULT_REPEAT = 10
DEFAULT_BUDGET = 60.0


@dataclass(frozen=True, slots=True)
class DoctorOptions:
    repeat: int = DEFAULT_REPEAT
    budget: float = DEFAULT_BUDGET
    # Tools the person allows to be called (never any by default).
    call_tools: tuple[str, ...] = ()
    # The tool fingerprints of an earlier report, for the rug-pull check.
    previous_tools: dict[str, str] | None = None
    versions: bool = True
    # Each other server the person has connected (display name → its tool names), for
    # the shadowing check; None when there are none to compare with (the command line).
    other_servers: dict[str, list[str]] | None = None


async def examine(spec: ConnectionSpec, options: DoctorOptions | None = None) -> Report:
    """Examine the server `spec` describes; never raises for what the server does."""
    session = LiveSession(spec)
    try:
        return await examine_session(session, options)
    finally:
        with contextlib.suppress(Exception):
            async with asyncio.timeout(CLOSE_SECONDS):
                await session.close()


async def examine_session(session: LiveSession, options: DoctorOptions | None = None) -> Report:
    """Examine through `session`, not yet started: the caller may give it a store, so
    that the exchange is kept, and closes it. Its spec is the connection examined."""
    options = options or DoctorOptions()
    spec = session.spec
    report = Report(
        target=spec.target,
        transport=spec.transport.value,
        started_at=time.time(),
        inspector_version=str(CLIENT_INFO["version"]),
    )
    exam = Examination(session, report, budget=options.budget)
    try:
        await _run(exam, spec, options)
    finally:
        # Disconnected, not closed: the caller still reads the log, and closes it.
        with contextlib.suppress(Exception):
            async with asyncio.timeout(CLOSE_SECONDS):
                await session.disconnect()
        report.ended_at = time.time()
    return report


async def _run(exam: Examination, spec: ConnectionSpec, options: DoctorOptions) -> None:
    report = exam.report
    try:
        async with asyncio.timeout(max(exam.remaining(), 0.0)):
            await exam.session.start()
    except TimeoutError:
        pass  # the session says how far it got; closing it ends the attempt
    first = await exam.events()
    # Before the rest: a server that refuses an unauthorized client is examined here only.
    await check_authorization(exam, first)
    # Layer by layer, whether or not the connection succeeded: a failed one most needs it.
    await layers.check_layers(exam)
    if not connection.connect_check(exam, first):
        _skip_all(exam, spec, "Not run: the server could not be reached.")
        return
    server = exam.session.server
    assert server is not None
    report.server = {
        key: server.server_info.get(key)
        for key in ("name", "version", "title")
        if key in server.server_info
    }
    report.protocol_version = server.protocol_version
    report.era = server.era.value
    instructions_seq = next(
        (e.seq or 0 for e in first if e.is_inbound_frame and e.method == "initialize"), 0
    )

    found = Catalog()

    async def sweep() -> None:
        await catalog_checks.sweep(exam, found)

    async def lint() -> None:
        tools = found.lists.get("tools")
        tool_quality.lint_tools(exam, tools)
        text_lint.lint_texts(exam, found, instructions_seq)
        check_shadowing(exam, found.get("tools"), options.other_servers)
        report.tools = catalog_checks.fingerprints(found.get("tools").of())
        page_seqs = tuple(sorted({seq for _, seq in found.get("tools").items}))
        text_lint.compare_tools(exam, report.tools, options.previous_tools, page_seqs)

    async def probe() -> None:
        await probes.probe(exam, found)
        await probes.call_tools(exam, options.call_tools, found)

    async def measure() -> None:
        await speed.measure(exam, options.repeat)

    stopped = await _steps(exam, [(catalog_checks.PLANNED, Section.CATALOG, sweep)])
    # The lint reads what the sweep gathered, however far it got: it needs no server.
    await lint()
    steps: list[tuple[tuple[str, ...], Section, Callable[[], Awaitable[None]]]] = [
        (probes.PLANNED, Section.PROBES, probe),
        (speed.PLANNED, Section.SPEED, measure),
    ]
    if stopped is None:
        stopped = await _steps(exam, steps)
    else:
        for planned, section, _ in steps:
            _skip_planned(exam, planned, section, stopped.reason)
    main_until = exam.session.log.last_seq
    main_events = await exam.events(until=main_until)
    connection.connection_checks(exam, main_events)
    if options.versions:

        async def check_versions() -> None:
            await versions.check_versions(exam, spec)

        version_step = [(versions.PLANNED, Section.VERSIONS, check_versions)]
        # A server that went away may start again; the budget is the only stop here.
        if isinstance(stopped, BudgetSpent):
            _skip_planned(exam, versions.PLANNED, Section.VERSIONS, stopped.reason)
        else:
            await _steps(exam, version_step)
    else:
        _skip_planned(exam, versions.PLANNED, Section.VERSIONS, "Not asked for (--no-versions).")
    catalog_checks.judge_checks(exam, await exam.events(), main_until)
    _note_evicted(exam)


async def _steps(
    exam: Examination,
    steps: Sequence[tuple[tuple[str, ...], Section, Callable[[], Awaitable[None]]]],
) -> StopExamination | None:
    """Run the steps in order; once one stops, the rest are skipped with its reason."""
    stopped: StopExamination | None = None
    for planned, section, step in steps:
        if stopped is None:
            try:
                await step()
            except StopExamination as stop:
                stopped = stop
        if stopped is not None:
            _skip_planned(exam, planned, section, stopped.reason)
    return stopped


def _skip_planned(
    exam: Examination, planned: tuple[str, ...], section: Section, reason: str
) -> None:
    for check_id in planned:
        if not exam.report.has(check_id):
            owner = _section_of(check_id, section)
            exam.add(check_id, owner, Status.SKIPPED, reason)


def _section_of(check_id: str, default: Section) -> Section:
    prefix = check_id.split(".", 1)[0]
    return {"security": Section.SECURITY, "tools": Section.TOOLS}.get(prefix, default)


def _skip_all(exam: Examination, spec: ConnectionSpec, reason: str) -> None:
    planned = (
        (connection.planned(spec.transport), Section.CONNECTION),
        (versions.PLANNED, Section.VERSIONS),
        (catalog_checks.PLANNED, Section.CATALOG),
        (probes.PLANNED, Section.PROBES),
        (tool_quality.PLANNED, Section.TOOLS),
        (text_lint.PLANNED, Section.SECURITY),
        (speed.PLANNED, Section.SPEED),
    )
    for ids, section in planned:
        _skip_planned(exam, ids, section, reason)


def _note_evicted(exam: Examination) -> None:
    evicted = exam.session.log.evicted
    if evicted:
        exam.add(
            "catalog.flood",
            Section.CATALOG,
            Status.WARNING,
            f"The server sent so much that {evicted} early events were not kept for the "
            "report; their findings are not counted.",
            evicted=evicted,
        )
