"""An inspector killed with SIGKILL in the middle of a flood, and started again on the same
data directory: the real `inspector` command, its SQLite database, its pages over HTTP.

What was stored survives whole (numbered 1..N, no gap, nothing twice); the session is shown
as ended by the restart; and the page says how many events, at least, had been read from the
server but were still on their way to the database (the seq read, stored with each batch,
beyond the last seq stored).
"""

from __future__ import annotations

import contextlib
import html
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

from tests.conftest import REPO_ROOT
from tests.servers.http_harness import free_port

READY_LINE = re.compile(r"MCP Inspector is running\. Open (http://127\.0\.0\.1:\d+/\?token=\S+)")
START_TIMEOUT_SECONDS = 90.0
FLOOD_TIMEOUT_SECONDS = 60.0
# Enough to be sure the kill lands in the middle: the flood is far longer than this.
STORED_BEFORE_KILL = 20_000
FLOOD = 5_000_000


@contextlib.contextmanager
def inspector(data_dir: Path, log: Path) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    """The `inspector` command on a free port with `data_dir`; yields it and its URL."""
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("INSPECTOR_", "DJANGO_", "DATABASE_URL", "REDIS_URL"))
    }
    env.update(INSPECTOR_DATA_DIR=str(data_dir), PYTHONUNBUFFERED="1")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
    with log.open("wb") as out:
        process = subprocess.Popen(
            ["inspector", "--port", str(free_port())],
            cwd=REPO_ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        yield process, _announced_url(process, log)
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _announced_url(process: subprocess.Popen[bytes], log: Path) -> str:
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        match = READY_LINE.search(log.read_text(errors="replace"))
        if match:
            return match.group(1)
        assert process.poll() is None, log.read_text(errors="replace")
        time.sleep(0.05)
    raise AssertionError(f"No URL announced:\n{log.read_text(errors='replace')}")


def browser(url: str) -> httpx.Client:
    """A client holding the access cookie (traded for the start-up URL's token)."""
    client = httpx.Client(base_url=url.split("/?")[0], timeout=30)
    assert client.get(url).status_code == 302
    return client


def connect_form(client: httpx.Client, arguments: str) -> str:
    """Submit the home page's connect form; return the new session's id."""
    home = client.get("/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', home.text)
    assert token, home.text[:2000]
    response = client.post(
        "/connect",
        data={
            "csrfmiddlewaretoken": token[1],
            "transport": "stdio",
            "command": sys.executable,
            "arguments": arguments,
            "cwd": str(REPO_ROOT),
            "era": "legacy",
            "protocol_version": "2025-11-25",
            "connect_timeout": "30",
            "request_timeout": "60",
        },
    )
    assert response.status_code == 302, response.text[:2000]
    match = re.fullmatch(r"/sessions/([0-9a-f]{32})/", response.headers["location"])
    assert match, response.headers["location"]
    return match[1]


def stored_seqs(database: Path, session_id: str) -> list[int]:
    with contextlib.closing(sqlite3.connect(database, timeout=20)) as db:
        rows = db.execute(
            "SELECT seq FROM inspector_eventrecord WHERE session_id = ? ORDER BY seq",
            (session_id,),
        )
        return [seq for (seq,) in rows]


def stored_count(database: Path, session_id: str) -> int:
    with contextlib.closing(sqlite3.connect(database, timeout=20)) as db:
        query = "SELECT COUNT(*) FROM inspector_eventrecord WHERE session_id = ?"
        (count,) = db.execute(query, (session_id,)).fetchone()
        return int(count)


def session_row(database: Path, session_id: str) -> tuple[str, int]:
    with contextlib.closing(sqlite3.connect(database, timeout=20)) as db:
        query = "SELECT status, read_seq FROM inspector_sessionrecord WHERE id = ?"
        status, read_seq = db.execute(query, (session_id,)).fetchone()
        return str(status), int(read_seq)


def server_group(database: Path, session_id: str) -> int | None:
    """The flood server's pid (its process group), from the event that started it."""
    with contextlib.closing(sqlite3.connect(database, timeout=20)) as db:
        query = (
            "SELECT data FROM inspector_eventrecord WHERE session_id = ? AND kind = 'process' "
            "ORDER BY seq LIMIT 1"
        )
        row = db.execute(query, (session_id,)).fetchone()
    found = re.search(r'"pid": (\d+)', row[0]) if row else None
    return int(found[1]) if found else None


def visible_text(page: str) -> str:
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def test_a_session_killed_mid_flood_is_whole_and_says_what_was_in_flight(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    database = data_dir / "inspector.sqlite3"
    group = None
    try:
        with inspector(data_dir, tmp_path / "first.log") as (process, url):
            client = browser(url)
            session_id = connect_form(
                client, f"-m tests.servers.broken_stdio flood-on-start={FLOOD}"
            )
            deadline = time.monotonic() + FLOOD_TIMEOUT_SECONDS
            while stored_count(database, session_id) < STORED_BEFORE_KILL:
                assert time.monotonic() < deadline, "the flood was not being stored"
                time.sleep(0.05)
            group = server_group(database, session_id)
            process.send_signal(signal.SIGKILL)
            process.wait()

        seqs = stored_seqs(database, session_id)
        stored = len(seqs)
        assert stored >= STORED_BEFORE_KILL
        assert seqs == list(range(1, stored + 1)), "a gap or a duplicate among the stored events"
        status, read_seq = session_row(database, session_id)
        assert status == "connected", "the killed inspector never recorded an end"
        # How far reading had gone as the last batch was committed: at least that batch.
        assert read_seq >= stored
        in_flight = read_seq - stored

        with inspector(data_dir, tmp_path / "second.log") as (_, url):
            client = browser(url)
            page = client.get(f"/sessions/{session_id}/")
            assert page.status_code == 200
            text = visible_text(page.text)
            assert "disconnected" in text
            assert "Ended: the inspector restarted while this session was live." in text
            assert (
                f"{stored} events had been stored (numbered 1 to {stored}), and are all here."
                in text
            )
            assert (
                "In flight when it stopped (read from the server but not yet stored, so lost): "
                f"at least {in_flight} event{'' if in_flight == 1 else 's'}, as far as the last "
                "stored batch knew." in text
            )
            # The newest stored events are there to read, the last one included.
            events = client.get(f"/sessions/{session_id}/events/{stored}/raw")
            assert events.status_code == 200
    finally:
        if group is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(group, signal.SIGKILL)
