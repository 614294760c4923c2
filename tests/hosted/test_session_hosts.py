"""Several processes for real: two web processes (daphne) and two session hosts on the
machine's PostgreSQL and Redis. A page served by one web process calls a tool on a
session held by a host; the other web process serves the same session; the host is
killed and the session shows as ended, its history kept, and is taken up again by the
other host; a host that does not answer is named."""

from __future__ import annotations

import re
import secrets
import signal
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from tests.hosted.processes import (
    Browser,
    Deployment,
    deployment,
    hosted_environment,
    manage,
    own_database,
    stdio_connect_form,
)

pytestmark = pytest.mark.hosted

MEMBER = "member"
# How soon a killed host's sessions must show as ended.
NOTICE_SECONDS = 15.0
# How long a web process waits for a host's answer here (the default is 10 s).
ANSWER_SECONDS = 2
# How long a report card of the everything fixture may take here.
REPORT_SECONDS = 90.0


@pytest.fixture
def database_url() -> Iterator[str]:
    with own_database("inspector_hosts") as url:
        yield url


@pytest.fixture
def stack(database_url: str, tmp_path: Path) -> Iterator[tuple[Deployment, str]]:
    environment = hosted_environment(
        database_url,
        tmp_path / "data",
        INSPECTOR_STDIO_ALLOWLIST=sys.executable,
        INSPECTOR_SESSION_HOST_TIMEOUT=str(ANSWER_SECONDS),
    )
    manage(environment, "migrate", "--noinput")
    manage(environment, "collectstatic", "--noinput")
    password = secrets.token_urlsafe(16)
    manage(
        environment | {"DJANGO_SUPERUSER_PASSWORD": password},
        "createsuperuser",
        "--noinput",
        "--username",
        MEMBER,
        "--email",
        "member@example.com",
    )
    with deployment(environment, tmp_path) as deployed:
        yield deployed, password


def connect_form() -> dict[str, str]:
    """The connect form as a person leaves it, for the everything fixture over stdio."""
    return stdio_connect_form("-m tests.servers.everything_py")


def holder(database_url: str, session_id: str) -> tuple[str | None, int]:
    """The name of the host holding the session, and how many events are stored."""
    with psycopg.connect(database_url, autocommit=True) as database:
        row = database.execute(
            "SELECT h.name FROM inspector_sessionrecord s"
            " LEFT JOIN inspector_sessionhost h ON h.id = s.host_id WHERE s.id = %s",
            (session_id,),
        ).fetchone()
        count = database.execute(
            "SELECT count(*) FROM inspector_eventrecord WHERE session_id = %s", (session_id,)
        ).fetchone()
    assert row is not None
    assert count is not None
    return row[0], int(count[0])


def call_echo(browser: Browser, session_id: str, message: str) -> str:
    session_page = f"/sessions/{session_id}/"
    assert browser.get(f"/sessions/{session_id}/list/tools").status_code == 200
    answer = browser.post(
        f"/sessions/{session_id}/tools/call",
        {"tool": "echo", "arg/message": message},
        form_page=session_page,
    )
    assert answer.status_code == 200, answer.text
    return answer.text


def settled_event_count(database_url: str, session_id: str) -> int:
    """The stored events once no more arrive (a batch is written shortly after)."""
    last = -1
    while True:
        _, count = holder(database_url, session_id)
        if count == last:
            return count
        last = count
        time.sleep(0.5)


def test_a_session_on_one_host_served_by_both_web_processes_survives_its_host(
    stack: tuple[Deployment, str], database_url: str
) -> None:
    deployed, password = stack
    # Host B first: of two idle hosts, the longest running takes a new session.
    host_b = deployed.start_host("host-b")
    deployed.start_host("host-a")
    web_a = deployed.start_web("web-a")
    web_b = deployed.start_web("web-b")
    on_a = Browser.sign_in(web_a, MEMBER, password)
    on_b = on_a.with_cookies_on(web_b)
    try:
        connected = on_a.post("/connect", connect_form(), form_page="/")
        assert connected.status_code == 302, connected.text
        session_id = connected.headers["location"].strip("/").split("/")[-1]
        assert holder(database_url, session_id)[0] == "host-b"

        # Web A asks, host B holds: the answer comes back through the channel layer.
        assert "hello through host b" in call_echo(on_a, session_id, "hello through host b")

        # Web B serves the same session, its events read from PostgreSQL.
        page_b = on_b.get(f"/sessions/{session_id}/")
        assert page_b.status_code == 200
        assert "Disconnect" in page_b.text, "web B does not see the session as live"
        assert "tools/call" in page_b.text, "web B does not show the call's events"
        stored = settled_event_count(database_url, session_id)
        assert stored >= 4  # initialize, its answer, initialized, tools/list, tools/call...

        host_b.signal_group(signal.SIGKILL)
        killed_at = time.monotonic()
        while "Ended: its host stopped" not in (page := on_b.get(f"/sessions/{session_id}/")).text:
            assert time.monotonic() - killed_at < NOTICE_SECONDS, page.text
            time.sleep(0.5)
        noticed = time.monotonic() - killed_at
        assert noticed < NOTICE_SECONDS
        assert holder(database_url, session_id)[1] == stored, "events were lost"
        assert f"{stored} event" in re.sub(r"\s+", " ", page.text)

        # Reconnected through web A, it lands on the host that is left, and works.
        reconnected = on_a.post(
            f"/sessions/{session_id}/reconnect", {}, form_page=f"/sessions/{session_id}/"
        )
        assert reconnected.status_code in (200, 302), reconnected.text
        assert holder(database_url, session_id)[0] == "host-a"
        assert "again through host a" in call_echo(on_a, session_id, "again through host a")
        assert holder(database_url, session_id)[1] > stored, "the history was not continued"

        # A host that does not answer (stopped, its lease not yet run out) is named.
        host_a = deployed.hosts["host-a"]
        host_a.signal_group(signal.SIGSTOP)
        try:
            asked_at = time.monotonic()
            silent = on_b.get(f"/sessions/{session_id}/")
            waited = time.monotonic() - asked_at
        finally:
            host_a.signal_group(signal.SIGCONT)
        assert silent.status_code == 503
        assert f"session host 'host-a' (pid {host_a.pid} on " in silent.text
        assert f"did not answer within {ANSWER_SECONDS} s" in silent.text
        assert waited < ANSWER_SECONDS + 3
    finally:
        on_a.close()
        on_b.close()


def test_a_saved_server_connects_on_a_session_host(
    stack: tuple[Deployment, str], database_url: str
) -> None:
    deployed, password = stack
    deployed.start_host("host-a")
    web_a = deployed.start_web("web-a")
    web_b = deployed.start_web("web-b")
    on_a = Browser.sign_in(web_a, MEMBER, password)
    on_b = on_a.with_cookies_on(web_b)
    try:
        saved = on_a.post(
            "/servers/save", connect_form() | {"save_as": "everything"}, form_page="/"
        )
        assert saved.status_code == 302, saved.text
        servers = on_a.get("/servers.json").json()["servers"]
        server_id = next(server["id"] for server in servers if server["name"] == "everything")

        connected = on_a.post(f"/servers/{server_id}/connect", {}, form_page="/")
        assert connected.status_code == 302, connected.text
        session_id = connected.headers["location"].strip("/").split("/")[-1]
        # Held by the host, not by web A: web B serves it live.
        assert holder(database_url, session_id)[0] == "host-a"
        page_b = on_b.get(f"/sessions/{session_id}/")
        assert "Disconnect" in page_b.text, "web B does not see the session as live"
        assert "hello from a saved server" in call_echo(
            on_b, session_id, "hello from a saved server"
        )

        # A report card of the saved server runs on the host too: web B shows its
        # progress while it runs (not "did not finish"), then its verdict.
        checked = on_a.post(f"/servers/{server_id}/check", {}, form_page="/")
        assert checked.status_code == 302, checked.text
        report_page = checked.headers["location"]
        started = time.monotonic()
        while "Verdict:" not in (shown := on_b.get(report_page)).text:
            assert "did not finish" not in shown.text, shown.text
            assert time.monotonic() - started < REPORT_SECONDS, shown.text
            time.sleep(0.3)

        # A replay runs through its target session, here on the other host; web B
        # follows it to the end.
        deployed.start_host("host-b")
        again = on_a.post("/connect", connect_form(), form_page="/")
        target_id = again.headers["location"].strip("/").split("/")[-1]
        assert holder(database_url, target_id)[0] == "host-b"
        replay = on_a.post(
            f"/sessions/{session_id}/replay/",
            {"target": target_id},
            form_page=f"/sessions/{session_id}/replay/",
        )
        assert replay.status_code == 302, replay.text
        results = replay.headers["location"]
        started = time.monotonic()
        while "Done:" not in (shown := on_b.get(results)).text:
            assert time.monotonic() - started < REPORT_SECONDS, shown.text
            time.sleep(0.3)
    finally:
        on_a.close()
        on_b.close()
