"""Connection checks, read from the events of the main connection: for stdio, start-up
time and what the process wrote besides protocol messages; for HTTP, the initialize
exchange, the session id and the standalone GET stream (name resolution, TCP and TLS are
probed apart, in `layers`)."""

from __future__ import annotations

from typing import Any

from inspector.doctor.examination import Examination
from inspector.doctor.layers import PLANNED as LAYERS_PLANNED
from inspector.doctor.report import Section, Status, seqs
from inspector.mcp.trace import EventKind, MessageType, TraceEvent
from inspector.sessions.spec import TransportKind
from inspector.sessions.status import SessionStatus

SLOW_STARTUP_SECONDS = 5.0
# stderr is the server's log; this many lines in one short examination is a flood.
NOISY_STDERR_LINES = 50
STDIO_PLANNED = (
    "connection.connect",
    "connection.stdio.startup",
    "connection.stdio.stdout",
    "connection.stdio.stderr",
    "connection.stayed-up",
    *LAYERS_PLANNED,
)
HTTP_PLANNED = (
    "connection.connect",
    "connection.http.initialize",
    "connection.http.session-id",
    "connection.http.get-stream",
    "connection.http.resumable",
    "connection.stayed-up",
    *LAYERS_PLANNED,
)


def planned(transport: TransportKind) -> tuple[str, ...]:
    return STDIO_PLANNED if transport is TransportKind.STDIO else HTTP_PLANNED


def connect_check(exam: Examination, events: list[TraceEvent]) -> bool:
    """Whether the first connection succeeded, said as a check."""
    session = exam.session
    server = session.server
    if server is not None and session.status is SessionStatus.CONNECTED:
        result = _initialize_result(events)
        exam.add(
            "connection.connect",
            Section.CONNECTION,
            Status.PASS,
            f"Connected: {server.describe()}.",
            seqs(result.seq if result else None),
            era_reason=server.era_reason,
        )
        return True
    error = session.error
    message = error.message if error is not None else f"The session is {session.status.value}."
    exam.report.connect_error = {
        "layer": error.layer.value if error is not None else "",
        "status": error.status if error is not None else None,
        "message": message,
    }
    exam.add(
        "connection.connect",
        Section.CONNECTION,
        Status.FAIL,
        f"Could not connect: {message}",
        seqs(event.seq for event in events[-5:]),
        layer=exam.report.connect_error["layer"],
    )
    return False


def connection_checks(exam: Examination, events: list[TraceEvent]) -> None:
    if exam.session.spec.transport is TransportKind.STDIO:
        _stdio(exam, events)
    else:
        _http(exam, events)
    lost = [
        event
        for event in events
        if event.kind is EventKind.LIFECYCLE
        and event.detail.get("status") in (SessionStatus.DISCONNECTED, SessionStatus.EXPIRED)
    ]
    if lost:
        exam.add(
            "connection.stayed-up",
            Section.CONNECTION,
            Status.FAIL,
            f"The connection ended during the checks: {lost[0].text.rstrip('.')}. A server "
            "must stay up "
            "while its client is connected.",
            seqs(event.seq for event in lost[:3]),
        )
    else:
        exam.add(
            "connection.stayed-up",
            Section.CONNECTION,
            Status.PASS,
            "The connection stayed up through the checks.",
        )


def _initialize_result(events: list[TraceEvent]) -> TraceEvent | None:
    return next(
        (
            event
            for event in events
            if event.is_inbound_frame
            and event.method in ("initialize", "server/discover")
            and event.message_type is MessageType.RESULT
        ),
        None,
    )


def _stdio(exam: Examination, events: list[TraceEvent]) -> None:
    started = next(
        (e for e in events if e.kind is EventKind.PROCESS and "command" in e.detail), None
    )
    answered = _initialize_result(events)
    if started is not None and answered is not None:
        seconds = answered.timestamp - started.timestamp
        slow = seconds > SLOW_STARTUP_SECONDS
        exam.add(
            "connection.stdio.startup",
            Section.CONNECTION,
            Status.WARNING if slow else Status.PASS,
            f"{seconds * 1000:.0f} ms from starting the process to the {answered.method} result"
            + (
                f": over {SLOW_STARTUP_SECONDS:g} s, hosts may give up; defer slow set-up."
                if slow
                else "."
            ),
            seqs(started.seq, answered.seq),
            duration_ms=round(seconds * 1000, 1),
        )
    else:
        exam.add(
            "connection.stdio.startup",
            Section.CONNECTION,
            Status.SKIPPED,
            "The process start or the handshake result is not in the log.",
        )
    noise = [event for event in events if event.kind is EventKind.STDOUT]
    if noise:
        sample = noise[0].text[:80]
        exam.add(
            "connection.stdio.stdout",
            Section.CONNECTION,
            Status.FAIL,
            f"{len(noise)} line(s) on stdout that are not protocol messages (first: {sample!r}): "
            "stdout is the protocol channel; write logs to stderr.",
            seqs(event.seq for event in noise[:20]),
            lines=len(noise),
        )
    else:
        exam.add(
            "connection.stdio.stdout",
            Section.CONNECTION,
            Status.PASS,
            "Nothing but protocol messages on stdout.",
        )
    stderr = [event for event in events if event.kind is EventKind.STDERR]
    exam.add(
        "connection.stdio.stderr",
        Section.CONNECTION,
        Status.WARNING if len(stderr) > NOISY_STDERR_LINES else Status.PASS,
        f"{len(stderr)} line(s) on stderr"
        + (
            f": over {NOISY_STDERR_LINES} in one short examination; log less by default."
            if len(stderr) > NOISY_STDERR_LINES
            else " (the server's log; allowed)."
        ),
        seqs(event.seq for event in stderr[:20]),
        lines=len(stderr),
    )


def _header(event: TraceEvent, name: str) -> Any:
    headers = event.detail.get("response_headers") or {}
    return next((value for key, value in headers.items() if key.lower() == name), None)


def _http(exam: Examination, events: list[TraceEvent]) -> None:
    exchanges = [event for event in events if event.kind is EventKind.HTTP and event.detail]
    posts = [event for event in exchanges if event.detail.get("method") == "POST"]
    first = posts[0] if posts else None
    if first is None:
        exam.add(
            "connection.http.initialize",
            Section.CONNECTION,
            Status.SKIPPED,
            "No HTTP exchange of the handshake is in the log.",
        )
    else:
        status = first.detail.get("status")
        kind = first.detail.get("content_type") or "no content type"
        ok = status in (200, 202)
        exam.add(
            "connection.http.initialize",
            Section.CONNECTION,
            Status.PASS if ok else Status.FAIL,
            f"The first POST was answered {status} ({kind}) in {first.detail.get('duration_ms')} ms"
            + ("." if ok else ": the handshake must be answered 200."),
            seqs(first.seq),
            status=status,
            content_type=kind,
            duration_ms=first.detail.get("duration_ms"),
        )
    modern = exam.session.server is not None and exam.session.server.era.value == "modern"
    if first is None or modern or exam.session.spec.transport is TransportKind.SSE:
        exam.add(
            "connection.http.session-id",
            Section.CONNECTION,
            Status.SKIPPED,
            "Session ids belong to the Streamable HTTP transport of the legacy era.",
        )
    else:
        session_id = _header(first, "mcp-session-id")
        exam.add(
            "connection.http.session-id",
            Section.CONNECTION,
            Status.PASS,
            "The server keeps sessions (Mcp-Session-Id given)."
            if session_id
            else "The server gives no Mcp-Session-Id: it is stateless, which the spec allows.",
            seqs(first.seq),
            stateful=bool(session_id),
        )
    _get_stream(exam, exchanges)
    _resumable(exam, events, modern)


def _get_stream(exam: Examination, exchanges: list[TraceEvent]) -> None:
    gets = [
        event
        for event in exchanges
        if event.detail.get("method") == "GET" and "last-event-id" not in str(event.detail)
    ]
    if exam.session.spec.transport is TransportKind.SSE or not gets:
        exam.add(
            "connection.http.get-stream",
            Section.CONNECTION,
            Status.SKIPPED,
            "No standalone GET stream was opened (the era or transport has none).",
        )
        return
    get = gets[0]
    status = get.detail.get("status")
    if status == 405:
        status_word, sentence = Status.PASS, "GET answered 405: the server offers no stream."
    elif status == 200:
        status_word, sentence = Status.PASS, "GET opened the standalone SSE stream."
    else:
        status_word = Status.WARNING
        sentence = f"GET answered {status}: answer 405 when there is no standalone stream."
    exam.add(
        "connection.http.get-stream",
        Section.CONNECTION,
        status_word,
        sentence,
        seqs(get.seq),
        status=status,
        duration_ms=get.detail.get("duration_ms"),
    )


def _resumable(exam: Examination, events: list[TraceEvent], modern: bool) -> None:
    """Whether the server's SSE events carry ids, so that a dropped stream can be resumed
    with Last-Event-ID (a priming event, empty but with an id, counts: SEP-1699)."""
    check_id = "connection.http.resumable"
    if exam.session.spec.transport is not TransportKind.HTTP or modern:
        exam.add(
            check_id,
            Section.CONNECTION,
            Status.SKIPPED,
            "Resuming a stream belongs to the Streamable HTTP transport of the legacy era.",
        )
        return
    frames = [e for e in events if e.is_inbound_frame and e.detail.get("via") == "sse"]
    if not frames:
        exam.add(
            check_id,
            Section.CONNECTION,
            Status.SKIPPED,
            "The server answered everything as JSON: no SSE stream to resume.",
        )
        return
    with_ids = [e for e in frames if e.detail.get("sse_event_id")]
    primed = [e for e in events if e.kind is EventKind.SSE and e.detail.get("sse_event_id")]
    if not with_ids and not primed:
        exam.add(
            check_id,
            Section.CONNECTION,
            Status.WARNING,
            f"None of the {len(frames)} message(s) sent over SSE carried an event id: a "
            "dropped stream loses what was in flight (a client cannot resume it with "
            "Last-Event-ID; give events ids from an event store).",
            seqs(event.seq for event in frames[:20]),
            messages=len(frames),
            with_ids=0,
        )
        return
    exam.add(
        check_id,
        Section.CONNECTION,
        Status.PASS,
        f"{len(with_ids)} of the {len(frames)} message(s) sent over SSE carried an event id"
        + (f", and {len(primed)} priming event(s)" if primed else "")
        + ": a client can resume a dropped stream with Last-Event-ID.",
        seqs(event.seq for event in (primed + with_ids)[:20]),
        messages=len(frames),
        with_ids=len(with_ids),
        primed=len(primed),
    )
