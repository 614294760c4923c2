"""Which protocol versions the server accepts: a short connection per version.

Each legacy version is offered in an `initialize` of its own; the modern era is asked with
`server/discover`; and a version that does not exist is offered last. The session
reconnects for each, so every handshake is in the one event log, with its seqs. A server
that does not speak an offered version must answer with one it does speak (a counter-offer
is right, not a fault); refusing outright, or echoing a version that does not exist, is not.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from typing import Any

from inspector.doctor.examination import BudgetSpent, Examination
from inspector.doctor.report import Section, Status, seqs
from inspector.mcp.trace import MessageType, TraceEvent
from inspector.mcp.versions import LATEST_MODERN_VERSION, LEGACY_VERSIONS, EraChoice
from inspector.sessions.spec import ConnectionSpec
from inspector.sessions.status import SessionStatus

UNKNOWN_VERSION = "1999-01-01"
PLANNED = (
    *(f"versions.{version}" for version in LEGACY_VERSIONS),
    f"versions.{LATEST_MODERN_VERSION}",
    "versions.unknown",
    "versions.accepted",
)


async def _attempt(exam: Examination, spec: ConnectionSpec) -> tuple[bool, list[TraceEvent]]:
    """Reconnect with `spec`; whether it connected, and the events of the attempt."""
    exam.ensure_time()
    mark = exam.session.log.last_seq
    exam.session.spec = spec
    try:
        async with asyncio.timeout(max(exam.remaining(), 0.0)):
            await exam.session.reconnect()
    except TimeoutError:
        raise BudgetSpent(
            f"The time budget of {exam.budget:g} s ran out (during a version handshake) "
            "before this check could run."
        ) from None
    events = await exam.events(mark)
    return exam.session.status is SessionStatus.CONNECTED, events


def _answer(events: list[TraceEvent], method: str) -> TraceEvent | None:
    return next(
        (
            event
            for event in events
            if event.is_inbound_frame
            and event.method == method
            and event.message_type in (MessageType.RESULT, MessageType.ERROR)
        ),
        None,
    )


def _answered_version(answer: TraceEvent | None) -> Any:
    payload = answer.payload if answer is not None else None
    result = payload.get("result") if isinstance(payload, dict) else None
    return result.get("protocolVersion") if isinstance(result, dict) else None


def _failure(exam: Examination) -> str:
    error = exam.session.error
    return error.message if error is not None else exam.session.status.value


async def check_versions(exam: Examination, base: ConnectionSpec) -> None:
    accepted: list[str] = []
    for version in LEGACY_VERSIONS:
        spec = replace(base, protocol_version=version, era=EraChoice.LEGACY)
        connected, events = await _attempt(exam, spec)
        answer = _answer(events, "initialize")
        answered = _answered_version(answer)
        evidence = seqs(event.seq for event in events if event.kind.value == "message")
        check_id = f"versions.{version}"
        if connected and answered == version:
            accepted.append(version)
            exam.add(check_id, Section.VERSIONS, Status.PASS, f"Accepts {version}.", evidence)
        elif connected:
            exam.add(
                check_id,
                Section.VERSIONS,
                Status.PASS,
                f"Does not speak {version}; answered with {answered} instead, as the spec asks.",
                evidence,
                answered=answered,
            )
        elif answer is not None and answer.message_type is MessageType.ERROR:
            exam.add(
                check_id,
                Section.VERSIONS,
                Status.WARNING,
                f"Refused initialize for {version} with an error: answer with a version the "
                "server supports instead, so the client can decide.",
                evidence,
            )
        else:
            exam.add(
                check_id,
                Section.VERSIONS,
                Status.FAIL,
                f"initialize offering {version} failed: {_failure(exam)}",
                evidence,
            )
    await _modern(exam, base, accepted)
    await _unknown(exam, base)
    exam.add(
        "versions.accepted",
        Section.VERSIONS,
        Status.PASS,
        f"Accepted: {', '.join(accepted) or 'none of the legacy versions as offered'}.",
        accepted=accepted,
    )


async def _modern(exam: Examination, base: ConnectionSpec, accepted: list[str]) -> None:
    version = LATEST_MODERN_VERSION
    spec = replace(base, protocol_version=version, era=EraChoice.MODERN)
    connected, events = await _attempt(exam, spec)
    evidence = seqs(event.seq for event in events if event.kind.value == "message")
    server = exam.session.server
    check_id = f"versions.{version}"
    answer = _answer(events, "server/discover")
    described = answer is not None and answer.message_type is MessageType.RESULT
    if connected and described and server is not None and server.protocol_version == version:
        accepted.append(version)
        exam.add(
            check_id,
            Section.VERSIONS,
            Status.PASS,
            f"Speaks the modern era: server/discover lists "
            f"{', '.join(server.supported_versions) or version}.",
            evidence,
        )
        return
    if answer is not None:
        exam.add(
            check_id,
            Section.VERSIONS,
            Status.PASS,
            f"Does not speak {version}: server/discover was answered with an error, as a "
            "legacy server should.",
            evidence,
        )
        return
    exam.add(
        check_id,
        Section.VERSIONS,
        Status.WARNING,
        f"server/discover got no answer ({_failure(exam)}): a server that does not speak "
        f"{version} should answer it with -32601.",
        evidence,
    )


async def _unknown(exam: Examination, base: ConnectionSpec) -> None:
    spec = replace(base, protocol_version=UNKNOWN_VERSION, era=EraChoice.LEGACY)
    connected, events = await _attempt(exam, spec)
    answer = _answer(events, "initialize")
    answered = _answered_version(answer)
    evidence = seqs(event.seq for event in events if event.kind.value == "message")
    if answered == UNKNOWN_VERSION:
        status, sentence = (
            Status.FAIL,
            f"Accepted {UNKNOWN_VERSION}, a version that does not exist: answer with a "
            "version the server supports.",
        )
    elif connected:
        status, sentence = (
            Status.PASS,
            f"Offered {UNKNOWN_VERSION}, answered with {answered}: a proper counter-offer.",
        )
    elif answer is not None and answer.message_type is MessageType.ERROR:
        status, sentence = (
            Status.WARNING,
            f"Refused {UNKNOWN_VERSION} with an error; the spec asks for a counter-offer of a "
            "supported version.",
        )
    else:
        status, sentence = (
            Status.FAIL,
            f"initialize offering {UNKNOWN_VERSION} failed: {_failure(exam)}",
        )
    exam.add("versions.unknown", Section.VERSIONS, status, sentence, evidence, answered=answered)
