"""Reading a session file: the header, the events, a CLI trace, and every way a file can
be refused (with its line and reason)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from inspector.mcp.findings import Finding, Severity
from inspector.mcp.trace import Direction, EventKind, MessageType, TraceEvent
from inspector.sessions.archive import (
    FORMAT_VERSION,
    ArchiveError,
    ArchiveReader,
    event_line,
    header_line,
)


def events(count: int) -> list[dict[str, Any]]:
    made = []
    for seq in range(1, count + 1):
        event = TraceEvent(
            kind=EventKind.MESSAGE,
            direction=Direction.IN,
            text='{"jsonrpc": "2.0", "id": 1, "result": {}}',
            message_type=MessageType.RESULT,
            method="ping",
            message_id=1,
            request_seq=seq - 1 if seq > 1 else None,
            duration_ms=1.5,
            seq=seq,
            findings=[Finding("tools.name", "bad", "$.x", Severity.WARNING)] if seq == 2 else [],
        )
        made.append(event.to_dict())
    return made


def archive(items: list[dict[str, Any]], *, promised: int | None = None) -> list[bytes]:
    header = header_line(
        inspector="0.1.0",
        exported_at="2026-12-06T08:00:00+00:00",
        events=len(items) if promised is None else promised,
        session={"id": "abc", "target": "python server.py"},
        include_secrets=False,
    )
    return [line.encode() for line in [header, *map(event_line, items)]]


def read(lines: list[bytes]) -> tuple[ArchiveReader, list[dict[str, Any]]]:
    reader = ArchiveReader(lines)
    read = list(reader.events())
    assert all(json.loads(text) == data for data, text in read), "each with its line's text"
    return reader, [data for data, _ in read]


def refusal(lines: list[bytes]) -> ArchiveError:
    with pytest.raises(ArchiveError) as caught:
        read(lines)
    return caught.value


def test_an_archive_gives_back_its_header_and_every_event_as_written() -> None:
    written = events(3)
    reader, found = read(archive(written))
    assert reader.header.version == FORMAT_VERSION
    assert reader.header.session["target"] == "python server.py"
    assert reader.header.secrets == "masked"
    assert not reader.header.is_trace
    assert found == written
    assert TraceEvent.from_dict(found[1]).findings[0].rule == "tools.name"


def test_a_cli_trace_reads_as_an_archive_without_a_header() -> None:
    written = events(2)
    reader, found = read([event_line(data).encode() for data in written])
    assert reader.header.is_trace
    assert found == written


@pytest.mark.parametrize(
    ("lines", "line", "reason"),
    [
        ([], 1, "the file is empty"),
        ([b'{"format": "something-else"}\n'], 1, "this is not a session file"),
        (
            [b'{"format": "mcp-inspector-session", "version": 2}\n'],
            1,
            "format version 2 by a newer inspector; this one reads up to version 1",
        ),
        ([b"[1, 2]\n"], 1, "not a JSON object"),
    ],
)
def test_a_file_that_is_not_a_session_is_refused_at_its_first_line(
    lines: list[bytes], line: int, reason: str
) -> None:
    error = refusal(lines)
    assert error.line == line
    assert reason in error.reason


def test_a_corrupt_line_is_named() -> None:
    lines = archive(events(4))
    lines[2] = b'{"seq": 2, "kind": "message", oops}\n'
    error = refusal(lines)
    assert (error.line, error.reason.split(" (")[0]) == (3, "not JSON")


def test_a_file_cut_in_the_middle_of_a_line_says_so() -> None:
    lines = archive(events(4))
    lines[-1] = lines[-1][:20]
    error = refusal(lines)
    assert error.line == 5
    assert "cut short" in error.reason


def test_a_file_cut_at_a_line_boundary_is_caught_by_the_headers_count() -> None:
    error = refusal(archive(events(3), promised=5))
    assert "its header promises 5 events, it holds 3" in error.reason


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"seq": 1}, "event #1 comes after #1: seqs must increase"),
        ({"seq": "2"}, "an event needs a positive integer seq"),
        ({"kind": "telepathy"}, "has no known kind ('telepathy')"),
        ({"direction": None}, "has no known direction (None)"),
        ({"text": 5}, "text is not a string"),
        ({"method": 5}, "method is not a string"),
        ({"method": ["tools/call"]}, "method is not a string"),
        ({"timestamp": "noon"}, "is not an event"),
        ({"findings": [{"rule": "x"}]}, "is not an event"),
        ({"detail": []}, "detail is not an object"),
    ],
)
def test_an_event_that_cannot_be_one_is_refused_with_its_line(
    change: dict[str, Any], reason: str
) -> None:
    items = events(3)
    items[1].update(change)
    error = refusal(archive(items))
    assert error.line == 3
    assert reason in error.reason


def test_an_event_line_is_the_cli_trace_line() -> None:
    data = events(1)[0]
    assert json.loads(event_line(data)) == data
    assert event_line(data).endswith("\n")
