"""Where a surface comes from: a snapshot file, a session file (an export or a CLI
trace), or, when neither, a live server that the caller describes."""

from __future__ import annotations

import json
from pathlib import Path

from inspector.sessions.archive import ArchiveError, ArchiveReader
from inspector.surface.from_events import surface_of_events
from inspector.surface.model import FORMAT, Surface, SurfaceError


def read_surface_file(path: Path) -> Surface:
    """A snapshot, or the surface a session file's events show; `SurfaceError` says why
    the file is neither."""
    try:
        with path.open("rb") as lines:
            first = lines.readline()
            try:
                opening = json.loads(first)
            except ValueError:
                opening = None
            if isinstance(opening, dict) and opening.get("format") == FORMAT:
                return Surface.from_json(opening)  # a snapshot written on one line
            lines.seek(0)
            if opening is None:
                try:
                    return Surface.from_json(json.load(lines))  # an indented snapshot
                except ValueError as exc:
                    raise SurfaceError(f"not JSON, nor JSON Lines: {exc}") from None
            lines.seek(0)
            reader = ArchiveReader(lines)
            session = reader.header.session
            server = session.get("server")
            return surface_of_events(
                (data for data, _ in reader.events()),
                server=server if isinstance(server, dict) else None,
                target=str(session.get("target") or path.name),
            )
    except ArchiveError as exc:
        raise SurfaceError(f"not a session file: {exc}") from None
    except OSError as exc:
        raise SurfaceError(f"cannot be read: {exc.strerror}") from None
