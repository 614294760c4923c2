"""A session as a file: JSON Lines, one header line, then one line per event.

    {"format": "mcp-inspector-session", "version": 1, "inspector": "0.1.0",
     "exported_at": "...", "events": 1234, "session": {...}, "secrets": "masked"}
    {"seq": 1, "kind": "process", "direction": "local", "text": "...", "timestamp": ...}
    ...

Each event line is exactly what `inspector --cli --trace FILE` writes for an event (its
raw text, timing, pairing and findings), so a CLI trace reads as an archive without a
header. The header's `events` count lets a reader tell a file cut short at a line
boundary from a whole one.

The reader streams: it holds one line at a time and raises `ArchiveError` with the line
number and the reason at the first thing it cannot take, so that a caller storing events
as they come can roll back and keep nothing of a bad file.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from inspector.mcp.trace import Direction, EventKind, TraceEvent

FORMAT = "mcp-inspector-session"
FORMAT_VERSION = 1
MEDIA_TYPE = "application/x-ndjson"
# One event line longer than this is not an event this inspector wrote: the in-memory
# log bounds what it keeps of a message far below it.
MAX_LINE_BYTES = 64 * 1024 * 1024


class ArchiveError(Exception):
    """The file cannot be read as a session: `line` (1-based) says where."""

    def __init__(self, line: int, reason: str) -> None:
        super().__init__(f"line {line}: {reason}")
        self.line = line
        self.reason = reason


@dataclass(frozen=True, slots=True)
class ArchiveHeader:
    """What the file says of itself; empty for a CLI trace, which has no header."""

    version: int = 0
    inspector: str = ""
    exported_at: str = ""
    events: int | None = None
    session: dict[str, Any] = field(default_factory=dict)
    secrets: str = "masked"

    @property
    def is_trace(self) -> bool:
        return self.version == 0


def header_line(
    *,
    inspector: str,
    exported_at: str,
    events: int,
    session: dict[str, Any],
    include_secrets: bool,
) -> str:
    header = {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "inspector": inspector,
        "exported_at": exported_at,
        "events": events,
        "session": session,
        "secrets": "included" if include_secrets else "masked",
    }
    return json.dumps(header, ensure_ascii=False) + "\n"


def stored_message(data: dict[str, Any]) -> dict[str, Any]:
    """The JSON-RPC message a stored message event holds (its `text` parsed); empty when
    the text is not a JSON object (the event recorded a malformed frame)."""
    try:
        message = json.loads(data.get("text", ""))
    except ValueError:
        return {}
    return message if isinstance(message, dict) else {}


def event_line(data: dict[str, Any]) -> str:
    """One stored event (`TraceEvent.to_dict()`), as the line the file holds."""
    return json.dumps(data, ensure_ascii=False) + "\n"


class ArchiveReader:
    """Reads an archive's lines: `header` once the first line is read, then `events()`."""

    def __init__(self, lines: Iterable[bytes]) -> None:
        self._lines = iter(lines)
        self._number = 0
        self._first: tuple[dict[str, Any], str] | None = None
        self._first_line = 0
        self.header = self._read_header()

    def events(self) -> Iterator[tuple[dict[str, Any], str]]:
        """Each event's stored form, checked, with its line's text (which holds the same
        JSON); raises `ArchiveError` at the first bad line."""
        last_seq = 0
        count = 0
        for line, data, text in self._numbered():
            seq = _checked_event(data, line)
            if seq <= last_seq:
                raise ArchiveError(
                    line, f"event #{seq} comes after #{last_seq}: seqs must increase"
                )
            last_seq = seq
            count += 1
            yield data, text
        expected = self.header.events
        if expected is not None and count != expected:
            raise ArchiveError(
                self._number,
                f"the file is cut short: its header promises {expected} events, it holds {count}",
            )

    def _numbered(self) -> Iterator[tuple[int, dict[str, Any], str]]:
        if self._first is not None:
            (first, text), self._first = self._first, None
            yield self._first_line, first, text
        for data, text in self._objects():
            yield self._number, data, text

    def _read_header(self) -> ArchiveHeader:
        read = next(self._objects(), None)
        if read is None:
            raise ArchiveError(1, "the file is empty")
        first = read[0]
        if "format" not in first:
            self._first, self._first_line = read, self._number  # a CLI trace's first event
            return ArchiveHeader()
        if first.get("format") != FORMAT:
            raise ArchiveError(1, f"this is not a session file (format {first.get('format')!r})")
        version = first.get("version")
        if not isinstance(version, int) or isinstance(version, bool) or version < 1:
            raise ArchiveError(1, f"the format version {version!r} is not a version")
        if version > FORMAT_VERSION:
            raise ArchiveError(
                1,
                f"the file was written in format version {version} by a newer inspector; "
                f"this one reads up to version {FORMAT_VERSION}",
            )
        events = first.get("events")
        session = first.get("session")
        return ArchiveHeader(
            version=version,
            inspector=str(first.get("inspector", "")),
            exported_at=str(first.get("exported_at", "")),
            events=events if isinstance(events, int) and not isinstance(events, bool) else None,
            session=session if isinstance(session, dict) else {},
            secrets="included" if first.get("secrets") == "included" else "masked",
        )

    def _objects(self) -> Iterator[tuple[dict[str, Any], str]]:
        for raw in self._lines:
            self._number += 1
            if len(raw) > MAX_LINE_BYTES:
                raise ArchiveError(self._number, "the line is too long to be an event")
            if not raw.strip():
                continue
            try:
                text = raw.decode().strip()
                value = json.loads(text)
            except ValueError as exc:
                cut = not raw.endswith(b"\n")
                reason = (
                    "the file ends in the middle of this line: it is cut short"
                    if cut
                    else f"not JSON ({exc})"
                )
                raise ArchiveError(self._number, reason) from None
            if not isinstance(value, dict):
                raise ArchiveError(self._number, "not a JSON object")
            yield value, text


def _checked_event(data: dict[str, Any], line: int) -> int:
    """The event's seq, once it is known to rebuild as an event."""
    seq = data.get("seq")
    if not isinstance(seq, int) or isinstance(seq, bool) or seq < 1:
        raise ArchiveError(line, "an event needs a positive integer seq")
    for name, kinds in (("kind", _KINDS), ("direction", _DIRECTIONS)):
        if data.get(name) not in kinds:
            raise ArchiveError(line, f"event #{seq} has no known {name} ({data.get(name)!r})")
    if not isinstance(data.get("text", ""), str):
        raise ArchiveError(line, f"event #{seq}'s text is not a string")
    if not isinstance(data.get("method", ""), str | None):
        raise ArchiveError(line, f"event #{seq}'s method is not a string")
    if not isinstance(data.get("detail", {}), dict):
        raise ArchiveError(line, f"event #{seq}'s detail is not an object")
    try:
        TraceEvent.from_dict(data)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise ArchiveError(line, f"event #{seq} is not an event ({exc!r})") from None
    return seq


_KINDS = frozenset(kind.value for kind in EventKind)
_DIRECTIONS = frozenset(direction.value for direction in Direction)
