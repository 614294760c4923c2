"""The doctor's engine against real servers: planted faults are found with the right check
and status, every verdict cites the events that prove it, and a server that dies, hangs or
cannot start still gets a finished report."""

from __future__ import annotations

from dataclasses import replace

from inspector.doctor.catalog import fingerprints
from inspector.doctor.engine import CLOSE_SECONDS, DoctorOptions, examine, examine_session
from inspector.doctor.report import Check, Report, Status
from inspector.mcp.trace import Direction, EventKind, MessageType, TraceEvent
from inspector.sessions.session import LiveSession
from inspector.sessions.spec import ConnectionSpec
from tests.conftest import fixture_spec

QUICK = DoctorOptions(repeat=2, budget=40.0)


async def run(
    spec: ConnectionSpec, options: DoctorOptions = QUICK
) -> tuple[Report, dict[int, TraceEvent]]:
    """The report, and the session's events by seq (what the evidence points at)."""
    session = LiveSession(spec)
    try:
        report = await examine_session(session, options)
        events = await session.log.after(0, 100_000)
    finally:
        await session.close()
    return report, {event.seq or 0: event for event in events}


def status_of(report: Report) -> dict[str, Status]:
    return {check.id: check.status for check in report.checks}


def check(report: Report, check_id: str) -> Check:
    return next(item for item in report.checks if item.id == check_id)


async def test_each_planted_fault_is_found_with_its_evidence() -> None:
    report, events = await run(fixture_spec("doctor_faults", "faults"))
    statuses = status_of(report)
    expected = {
        "connection.stdio.stdout": Status.FAIL,
        "versions.unknown": Status.FAIL,
        "catalog.tools": Status.FAIL,
        "judge.pagination.cursor-loop": Status.FAIL,
        "probe.unknown-method": Status.WARNING,
        "tools.schema.root-object": Status.FAIL,
        "security.invisible-unicode": Status.FAIL,
        "security.injection": Status.FAIL,
    }
    assert {key: statuses.get(key) for key in expected} == expected
    assert report.verdict is Status.FAIL

    noise = check(report, "connection.stdio.stdout")
    assert [events[seq].kind for seq in noise.evidence] == [EventKind.STDOUT]
    assert events[noise.evidence[0]].text == "doctor-faults v0 ready"
    # The poisoned description is pointed at on the page that listed it.
    for check_id in ("security.injection", "security.invisible-unicode"):
        cited = [events[seq] for seq in check(report, check_id).evidence]
        assert cited, check_id
        assert all(e.method == "tools/list" and e.message_type is MessageType.RESULT for e in cited)
        assert "Ignore previous instructions" in cited[0].text
    unknown = check(report, "probe.unknown-method")
    assert "-32600" in unknown.sentence
    assert "-32601" in unknown.sentence
    answered = [events[seq] for seq in unknown.evidence if events[seq].direction is Direction.IN]
    assert [e.message_type for e in answered] == [MessageType.ERROR]
    loop = check(report, "judge.pagination.cursor-loop")
    assert all(events[seq].method == "tools/list" for seq in loop.evidence)
    # The echoed version that does not exist is cited by its initialize answer.
    echoed = [events[seq] for seq in check(report, "versions.unknown").evidence]
    assert any('"1999-01-01"' in e.text and e.direction is Direction.IN for e in echoed)


async def test_tools_are_never_called_unless_named() -> None:
    spec = fixture_spec("doctor_faults", "plain")
    report, events = await run(spec)
    named_calls = [
        e
        for e in events.values()
        if e.method == "tools/call"
        and e.direction is Direction.OUT
        and (e.params or {}).get("name")
    ]
    assert named_calls == []
    assert "add" in check(report, "tools.read-only").sentence  # offered as a candidate

    report, events = await run(spec, replace(QUICK, call_tools=("add", "missing")))
    called = check(report, "probe.call-tool.add")
    assert called.status is Status.PASS
    assert any((events[seq].params or {}).get("name") == "add" for seq in called.evidence)
    assert check(report, "probe.call-tool.missing").status is Status.SKIPPED


async def test_a_server_that_dies_mid_sweep_still_gets_a_report() -> None:
    report, events = await run(fixture_spec("doctor_faults", "die"))
    gone = check(report, "connection.stayed-up")
    assert gone.status is Status.FAIL
    assert "exited with code 7" in gone.sentence
    assert any(events[seq].kind is EventKind.LIFECYCLE for seq in gone.evidence)
    skipped = [c for c in report.checks if c.id.startswith("probe.")]
    assert skipped
    assert all(c.status is Status.SKIPPED for c in skipped)
    assert all("connection ended" in c.sentence for c in skipped)
    # What was read before the end is still examined, and later versions reconnect.
    assert check(report, "catalog.tools").status is Status.PASS
    assert check(report, "tools.schema.root-object").status is Status.PASS
    assert check(report, "versions.2025-11-25").status is Status.PASS


async def test_a_server_that_hangs_is_reported_within_the_budget() -> None:
    budget = 6.0
    spec = fixture_spec("doctor_faults", "hang", request_timeout=1.0, max_total_timeout=1.0)
    report = await examine(spec, DoctorOptions(repeat=2, budget=budget))
    assert report.duration_ms < (budget + CLOSE_SECONDS) * 1000
    ping = check(report, "probe.ping")
    assert ping.status in (Status.FAIL, Status.SKIPPED)
    out_of_time = [c for c in report.checks if "time budget of 6 s ran out" in c.sentence]
    assert out_of_time, [c.sentence for c in report.checks]
    assert all(c.status is Status.SKIPPED for c in out_of_time)
    assert check(report, "catalog.tools").status is Status.FAIL  # the list never came


async def test_a_server_that_cannot_start_fails_connect_and_skips_the_rest() -> None:
    report = await examine(fixture_spec("broken_stdio", "exit-early"), QUICK)
    connect = check(report, "connection.connect")
    assert connect.status is Status.FAIL
    assert report.connect_error is not None
    assert report.connect_error["layer"] == "process"
    others = [c for c in report.checks if c.id != "connection.connect"]
    assert others
    assert all(c.status is Status.SKIPPED for c in others)


async def test_a_changed_tool_definition_is_flagged_against_the_previous_report() -> None:
    spec = fixture_spec("doctor_faults", "plain")
    first = await examine(spec, replace(QUICK, versions=False))
    assert check(first, "security.rug-pull").status is Status.SKIPPED
    same = await examine(spec, replace(QUICK, versions=False, previous_tools=first.tools))
    assert check(same, "security.rug-pull").status is Status.PASS
    altered = {"add": fingerprints([{"name": "add", "description": "Adds, quietly."}])["add"]}
    changed = await examine(spec, replace(QUICK, versions=False, previous_tools=altered))
    rug = check(changed, "security.rug-pull")
    assert rug.status is Status.WARNING
    assert rug.detail["changed"] == ["add"]


async def test_the_judges_findings_become_checks_by_rule() -> None:
    report, events = await run(fixture_spec("rule_breaker", "tools.schema-type"))
    judged = check(report, "judge.tools.schema-type")
    assert judged.status is Status.FAIL
    assert judged.detail["rule"] == "tools.schema-type"
    assert all(
        any(f.rule == "tools.schema-type" for f in events[seq].findings) for seq in judged.evidence
    )
    assert not report.has("catalog.messages")  # said only when every message is clean


async def test_a_flooding_server_is_examined_and_its_flood_judged() -> None:
    report, _ = await run(fixture_spec("doctor_faults", "flood"), replace(QUICK, versions=False))
    assert check(report, "catalog.tools").status is Status.PASS
    flood = check(report, "judge.capabilities.logging")
    assert flood.status is Status.FAIL
    # One listing and two timed ones, each behind 20,000 undeclared log messages.
    assert flood.detail["count"] == 3 * 20_000
    assert check(report, "speed.tools/list").status is Status.PASS


async def test_a_tool_named_like_another_servers_tool_is_shadowing() -> None:
    others = {"Calculator": ["add", "subtract"], "Weather": ["forecast"]}
    options = DoctorOptions(repeat=1, budget=40.0, versions=False, other_servers=others)
    report, events = await run(fixture_spec("doctor_faults", "plain"), options)
    shadowing = check(report, "security.shadowing")
    assert shadowing.status is Status.FAIL
    assert "add (also on Calculator)" in shadowing.sentence
    assert shadowing.detail["clashes"] == {"add": ["Calculator"]}
    assert events[shadowing.evidence[0]].method == "tools/list"


async def test_shadowing_passes_without_a_clash_and_is_skipped_without_other_servers() -> None:
    spec = fixture_spec("doctor_faults", "plain")
    apart = DoctorOptions(repeat=1, budget=40.0, versions=False, other_servers={"W": ["forecast"]})
    report, _ = await run(spec, apart)
    assert check(report, "security.shadowing").status is Status.PASS
    alone, _ = await run(spec, replace(apart, other_servers=None))
    skipped = check(alone, "security.shadowing")
    assert skipped.status is Status.SKIPPED
    assert "the command line examines one server" in skipped.sentence
