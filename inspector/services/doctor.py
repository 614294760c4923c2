"""Report cards from the web: "Check this server" on a session or a saved server.

Each check runs the doctor (`inspector.doctor.engine`) in a session of its own, created
by the registry from the settings it examines (a saved server's, or a session's: that
session is never touched), so that its whole exchange is stored and each verdict links to
the events that prove it. It runs in the background, owned by `runtime.doctor_runs()`;
the report is kept in the database when it ends, and compared with the previous one of the
same saved server, or else of the same target.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from dataclasses import dataclass, replace

from inspector.doctor.engine import DoctorOptions, examine_session
from inspector.doctor.report import PreviousReportError
from inspector.doctor.report_json import report_from_json
from inspector.headless.doctor_formats import ReportFormat, render
from inspector.services.doctor_runs import Running
from inspector.services.policy import stdio_command_allowed
from inspector.services.runtime import doctor_runs, registry
from inspector.services.snapshots import SessionNotFound
from inspector.sessions.catalog import Listing
from inspector.sessions.session import LiveSession
from inspector.sessions.spec import ConnectionSpec, TransportKind
from inspector.storage import reports as rows
from inspector.storage import saved_servers
from inspector.storage.db import in_db_thread
from inspector.storage.reports import StoredReport
from inspector.storage.saved_servers import SavedServerNotFound

__all__ = [
    "ReportCannotRun",
    "ReportNotFound",
    "ReportState",
    "Running",
    "StoredReport",
    "report_again",
    "report_check_server",
    "report_check_session",
    "report_download",
    "report_get",
    "report_list_for_servers",
    "report_list_for_session",
    "report_owned",
    "report_owner",
]

# The doctor asks many small things: an answer slower than this is a finding, not
# something to wait a minute for (the CLI's default too).
REQUEST_TIMEOUT = 10.0
DOWNLOADS = {
    ReportFormat.JSON: ("json", "application/json"),
    ReportFormat.JUNIT: ("junit.xml", "application/xml"),
    ReportFormat.MARKDOWN: ("md", "text/markdown; charset=utf-8"),
}


class ReportNotFound(Exception):
    pass


class ReportCannotRun(Exception):
    """The check cannot start; the message says why and what to do."""


@dataclass(frozen=True, slots=True)
class ReportState:
    report: StoredReport
    # The last finished report before it on the same saved server or target.
    previous: StoredReport | None
    # Set while the check runs in this process.
    running: Running | None

    @property
    def interrupted(self) -> bool:
        """Recorded as running, but no process runs it: the inspector stopped under it."""
        return self.report.running and self.running is None


async def report_check_session(*, session_id: str, owner_id: int | None) -> StoredReport:
    """Check the server a live session is connected to, through a new session with the
    same settings; the person's session is left exactly as it is."""
    session = registry().get(session_id)
    if session is None or session.owner_id != owner_id:
        raise SessionNotFound(session_id)
    return await _start(session.spec, owner_id, source_session_id=session_id)


async def report_check_server(*, server_id: int, owner_id: int | None) -> StoredReport:
    """Check a saved server through a fresh connection with its settings."""
    named = await in_db_thread(saved_servers.named_servers)(owner_id, [server_id])
    if not named:
        raise SavedServerNotFound(server_id)
    return await _start(named[0].spec, owner_id, saved_server_id=server_id)


async def report_again(*, report_id: str, owner_id: int | None) -> StoredReport:
    """Run the same check again: the saved server's settings as they are now, or the
    settings of the session it came from, while this process still holds it."""
    earlier = await report_owned(report_id=report_id, owner_id=owner_id)
    if earlier.saved_server_id is not None:
        try:
            return await report_check_server(server_id=earlier.saved_server_id, owner_id=owner_id)
        except SavedServerNotFound:
            pass  # deleted since: the sessions may still hold the settings
    for session_id in (earlier.source_session_id, earlier.session_id):
        session = registry().get(session_id) if session_id else None
        if session is not None:
            return await _start(
                session.spec,
                owner_id,
                source_session_id=earlier.source_session_id,
            )
    raise ReportCannotRun(
        "The settings this report checked are gone from this inspector (its sessions ended "
        "and it was not a saved server): connect to the server again and check it from "
        "its session's page."
    )


async def report_owned(*, report_id: str, owner_id: int | None) -> StoredReport:
    """The report, if it belongs to `owner_id`; another owner's is not found, exactly as
    one that does not exist."""
    report = await rows.get(report_id)
    if report is None or report.owner_id != owner_id:
        raise ReportNotFound(report_id)
    return report


async def report_owner(*, report_id: str) -> int | None:
    """Which workspace the report belongs to: what a URL naming it acts in."""
    report = await rows.get(report_id)
    if report is None:
        raise ReportNotFound(report_id)
    return report.owner_id


async def report_get(*, report_id: str) -> ReportState:
    # Asked first: a check that ends between the two reads is then seen as finished.
    running = doctor_runs().running(report_id)
    report = await rows.get(report_id)
    if report is None:
        raise ReportNotFound(report_id)
    previous = await rows.previous(report) if report.done else None
    return ReportState(report=report, previous=previous, running=running)


async def report_list_for_session(*, session_id: str, owner_id: int | None) -> list[StoredReport]:
    return await rows.for_session(session_id, owner_id)


async def report_list_for_servers(*, owner_id: int | None) -> dict[int, list[StoredReport]]:
    return await rows.for_servers(owner_id)


async def report_download(*, report_id: str, output: ReportFormat) -> tuple[str, str, str]:
    """A finished report as a file: its name, media type and text."""
    report = await rows.get(report_id)
    if report is None or report.document is None:
        raise ReportNotFound(report_id)
    extension, media_type = DOWNLOADS[output]
    stamp = report.created_at.strftime("%Y%m%d-%H%M%S")
    filename = f"report-{stamp}-{report.id[:8]}.{extension}"
    if output is ReportFormat.JSON:  # as it was kept, to the last digit
        return filename, media_type, json.dumps(report.document, indent=2, ensure_ascii=False)
    try:
        parsed = report_from_json(report.document)
    except PreviousReportError as exc:
        raise ReportNotFound(report_id) from exc
    return filename, media_type, render(parsed, output)


async def _start(
    spec: ConnectionSpec,
    owner_id: int | None,
    *,
    source_session_id: str = "",
    saved_server_id: int | None = None,
) -> StoredReport:
    if spec.transport is TransportKind.STDIO and not stdio_command_allowed(command=spec.command):
        raise ReportCannotRun(
            f"This hosted inspector runs only the stdio commands its operator allowed, and "
            f"{spec.command!r} is not one of them."
        )
    examined = replace(spec, request_timeout=min(spec.request_timeout, REQUEST_TIMEOUT))
    session = await registry().create(examined, owner_id=owner_id)
    report = await rows.create(
        rows.NewReport(
            id=uuid.uuid4().hex,
            owner_id=owner_id,
            session_id=session.id,
            source_session_id=source_session_id,
            saved_server_id=saved_server_id,
            target=spec.target,
            transport=spec.transport.value,
        )
    )
    earlier = await rows.previous(report)
    tools = (earlier.document or {}).get("tools") if earlier is not None else None
    options = DoctorOptions(
        previous_tools=dict(tools) if isinstance(tools, dict) else None,
        other_servers=_other_servers(spec, owner_id, exclude=session.id),
    )
    doctor_runs().start(report.id, session, options.budget, _examine(report.id, session, options))
    return report


def _other_servers(
    spec: ConnectionSpec, owner_id: int | None, *, exclude: str
) -> dict[str, list[str]]:
    """The tool names of the owner's other live sessions, by server, for the shadowing
    check. Sessions of the same target (the examined server itself, its other checks)
    are left out: their tools are its own."""
    found: dict[str, list[str]] = {}
    for other in registry().all():
        if other.id == exclude or other.owner_id != owner_id or other.spec.target == spec.target:
            continue
        names = other.catalog.keys(Listing.TOOLS)
        if names:
            found.setdefault(_server_name(other), []).extend(names)
    return found


def _server_name(session: LiveSession) -> str:
    info = session.server.server_info if session.server is not None else {}
    return str(info.get("title") or info.get("name") or session.spec.target)


async def _examine(report_id: str, session: LiveSession, options: DoctorOptions) -> None:
    try:
        report = await examine_session(session, options)
        # The evidence's events are stored before the report that cites them.
        await session.log.flush()
    except asyncio.CancelledError:
        await rows.stop(report_id, "Stopped: the inspector shut down before the checks ended.")
        raise
    except Exception as exc:  # the engine never raises for what a server does
        await rows.stop(report_id, f"The checks stopped on an error of the inspector: {exc}")
        return
    await rows.finish(report_id, report.to_json())
