"""Two members of one team workspace share a session, each on a web process of their own,
with two session hosts behind them (PostgreSQL and Redis, as deployed): member A connects
and calls through web process A; member B watches the session in Chromium on web process
B, sees A's traffic arrive live, answers the sampling request A's call raised, and A's
call returns B's answer. The accounts are made as people make them: the first admin with
`createadmin`, the teammates through invite links.

Playwright's sync API runs its own event loop in the thread that starts it. This pass
also runs async tests, so the browser is started in this test, not shared, and stopped
before it returns (tests/browser/conftest.py's fixtures belong to the browser pass).
"""

from __future__ import annotations

import html
import re
import secrets
import sys
import time
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
import pytest
from playwright.sync_api import Locator, Page, expect, sync_playwright

from tests.chromium import CHROMIUM, CHROMIUM_ARGS
from tests.conftest import REPO_ROOT
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

# Generous: two web processes, two hosts and Chromium share a small machine here.
EXPECT_MS = 20_000
CALL_SECONDS = 60.0

ADMIN, MEMBER_A, MEMBER_B = "admin", "ada", "bea"
TEAM = "Platform"
CONSENT_SERVER = REPO_ROOT / "tests" / "servers" / "consent_server.py"
QUESTION = "Which member answers this?"
ANSWER, MODEL = "Bea answered from web process B.", "typed-by-bea"
WORKSPACE_OPTION = re.compile(r'<option value="(\d+)"[^>]*>([^<·]+?) ·')
INVITE_LINK = re.compile(r'id="new-invite-link"[^>]*value="([^"]+)"')


@pytest.fixture
def database_url() -> Iterator[str]:
    with own_database("inspector_shared") as url:
        yield url


@pytest.fixture
def stack(database_url: str, tmp_path: Path) -> Iterator[tuple[Deployment, str]]:
    """A migrated deployment whose first admin (`createadmin`) administers the team
    workspace; nothing is running yet."""
    environment = hosted_environment(
        database_url, tmp_path / "data", INSPECTOR_STDIO_ALLOWLIST=sys.executable
    )
    manage(environment, "migrate", "--noinput")
    manage(environment, "collectstatic", "--noinput")
    password = secrets.token_urlsafe(16)
    manage(
        environment | {"ADMIN_PASSWORD": password},
        "createadmin",
        "--username",
        ADMIN,
        "--email",
        "admin@example.com",
        "--workspace",
        TEAM,
        "--password-from-env",
        "ADMIN_PASSWORD",
    )
    with deployment(environment, tmp_path) as deployed:
        yield deployed, password


def invite_paths(admin: Browser, count: int) -> list[str]:
    """One-time member invite links made by the admin on the team's members page, as
    paths: each teammate opens theirs on the web process they use."""
    home = admin.get("/")
    teams = {name.strip(): value for value, name in WORKSPACE_OPTION.findall(home.text)}
    assert TEAM in teams, home.text
    switched = admin.post("/workspace", {"workspace": teams[TEAM]}, form_page="/")
    assert switched.status_code == 302, switched.text
    paths = []
    for _ in range(count):
        made = admin.post(
            "/workspace/invitations/link",
            {"role": "member", "expires_in": "1h"},
            form_page="/workspace/members/",
        )
        assert made.status_code == 200, made.text
        link = INVITE_LINK.search(made.text)
        assert link is not None, "the members page shows no invite link"
        paths.append(urlsplit(html.unescape(link[1])).path)
    return paths


def join_over_http(base_url: str, invite_path: str, username: str, password: str) -> Browser:
    """A teammate with no account makes one on the invitation's page and joins."""
    teammate = Browser(base_url, {})
    joined = teammate.post(
        f"{invite_path}join",
        {"username": username, "password1": password, "password2": password},
        form_page=invite_path,
    )
    assert joined.status_code == 302, joined.text
    assert joined.headers["location"] == "/workspace/members/"
    return teammate


def join_in_chromium(page: Page, base_url: str, invite_path: str, password: str) -> None:
    page.goto(f"{base_url}{invite_path}")
    expect(page.get_by_role("heading", name=f"Join {TEAM}")).to_be_visible()
    join = page.get_by_role("form", name="Create an account and join")
    join.get_by_label("Username").fill(MEMBER_B)
    join.get_by_label("Password", exact=True).fill(password)
    join.get_by_label("Password again").fill(password)
    join.get_by_role("button", name="Create account and join").click()
    expect(page.get_by_role("heading", name=f"Members of {TEAM}")).to_be_visible()
    for name, shown in ((f"{MEMBER_B} (you)", MEMBER_B), (MEMBER_A, MEMBER_A)):
        row = page.get_by_role("row", name=re.compile(rf"^{re.escape(name)} "))
        expect(row, f"{shown}'s row").to_contain_text("Member")


def connect_form() -> dict[str, str]:
    """The connect form as a person leaves it, for the consent fixture over stdio."""
    return stdio_connect_form(str(CONSENT_SERVER))


def holding_host(database_url: str, session_id: str) -> str | None:
    with psycopg.connect(database_url, autocommit=True) as database:
        row = database.execute(
            "SELECT h.name FROM inspector_sessionrecord s"
            " LEFT JOIN inspector_sessionhost h ON h.id = s.host_id WHERE s.id = %s",
            (session_id,),
        ).fetchone()
    assert row is not None
    name: str | None = row[0]
    return name


def words(markup: str) -> str:
    """HTML as read on screen: tags dropped, entities read, spaces collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", markup)).split())


def page_text(browser: Browser, url: str) -> str:
    response = browser.get(url)
    assert response.status_code == 200, response.text
    return words(response.text)


def ask_llm(browser: Browser, session_id: str) -> str:
    """Member A runs the tool that asks the client's model; it returns once the sampling
    request it raises is answered. The result's text, as the page shows it."""
    answer = browser.post(
        f"/sessions/{session_id}/tools/call",
        {"tool": "ask_llm", "arg/question": QUESTION},
        form_page=f"/sessions/{session_id}/",
    )
    assert answer.status_code == 200, answer.text
    return words(answer.text)


def inbox_button(page: Page) -> Locator:
    """The button, always in view, that shows how many requests wait and opens the inbox."""
    return page.get_by_role("button", name=re.compile(r"^Inbox \d+ waiting$"))


def test_a_member_on_the_other_web_process_watches_live_and_answers_the_inbox(
    stack: tuple[Deployment, str], database_url: str
) -> None:
    deployed, admin_password = stack
    # Host B first: of two idle hosts, the longest running takes a new session.
    deployed.start_host("host-b")
    deployed.start_host("host-a")
    web_a = deployed.start_web("web-a")
    web_b = deployed.start_web("web-b")
    password_a, password_b = secrets.token_urlsafe(16), secrets.token_urlsafe(16)

    admin = Browser.sign_in(web_a, ADMIN, admin_password)
    try:
        invite_a, invite_b = invite_paths(admin, 2)
    finally:
        admin.close()
    member_a = join_over_http(web_a, invite_a, MEMBER_A, password_a)
    calls = ThreadPoolExecutor(max_workers=1)
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
            )
            context = chromium.new_context(viewport={"width": 1400, "height": 1000})
            context.set_default_timeout(EXPECT_MS)
            expect.set_options(timeout=EXPECT_MS)
            try:
                page = context.new_page()
                join_in_chromium(page, web_b, invite_b, password_b)
                watch_and_answer(page, web_b, member_a, calls, database_url)
            finally:
                context.close()
                chromium.close()
    finally:
        calls.shutdown(wait=True, cancel_futures=True)
        member_a.close()


def watch_and_answer(
    page: Page,
    web_b: str,
    member_a: Browser,
    calls: ThreadPoolExecutor,
    database_url: str,
) -> None:
    # Member A connects in the team workspace, through web A; host B holds the session.
    connected = member_a.post("/connect", connect_form(), form_page="/")
    assert connected.status_code == 302, connected.text
    session_id = connected.headers["location"].strip("/").split("/")[-1]
    assert holding_host(database_url, session_id) == "host-b"

    # Member B opens it on web B: live, nothing waiting.
    sockets: list[str] = []
    page.on("websocket", lambda socket: sockets.append(socket.url))
    page.goto(f"{web_b}/sessions/{session_id}/")
    expect(page.get_by_role("status", name="Session status")).to_have_text("connected")
    expect(page.locator("#live-status")).to_have_text("Live")
    button = inbox_button(page)
    expect(button).to_have_accessible_name("Inbox 0 waiting")
    # Whatever shows from here on must come over web B's websocket, not a reload: a
    # reload would drop this mark.
    page.evaluate("window.notReloaded = true")
    page.get_by_role("tab", name="Protocol").click()
    pings = page.get_by_role("list", name="Protocol messages").locator(":scope > li")
    pings = pings.filter(has_text=re.compile(r"\bping\b"))
    expect(pings).to_have_count(0)

    # A pings through web A; B sees the request and its answer arrive.
    pinged = member_a.post(f"/sessions/{session_id}/ping", {}, form_page=f"/sessions/{session_id}/")
    assert pinged.status_code == 200, pinged.text
    expect(pings).to_have_count(2)

    # A's call waits for a person to answer the model's part, so it runs meanwhile.
    call: Future[str] = calls.submit(ask_llm, member_a, session_id)
    expect(button).to_have_accessible_name("Inbox 1 waiting")
    if button.get_attribute("aria-expanded") != "true":
        button.click()
    inbox = page.get_by_role("region", name=re.compile(r"^Inbox\b"))
    sampling = inbox.get_by_role("article", name="Sampling request", exact=True)
    expect(sampling).to_have_count(1)
    expect(sampling.get_by_role("list", name="Messages")).to_contain_text(QUESTION)
    assert not call.done(), "the call returned before anyone answered"
    sampling.get_by_label("Model", exact=True).fill(MODEL)
    sampling.get_by_label("Response text", exact=True).fill(ANSWER)
    sampling.get_by_role("button", name="Approve").click()
    # (The card's own "Approved by user bea." shows for seconds only, too short to wait
    # on here; the history below keeps it.)
    expect(button).to_have_accessible_name("Inbox 0 waiting")

    # A's call comes back through web A with B's answer.
    result = call.result(timeout=CALL_SECONDS)
    assert f"assistant said '{ANSWER}' (model {MODEL}, stop endTurn)" in result, result

    # The history says who answered: on B's page as it happened, and on A's page.
    answered = f"Sampling request approved by user {MEMBER_B}"
    expect(page.get_by_text(answered)).not_to_have_count(0)
    assert page.evaluate("window.notReloaded === true"), "B's page was reloaded"
    web_b_socket = f"ws://{urlsplit(web_b).netloc}/"
    assert sockets, "B's page opened no websocket"
    assert all(url.startswith(web_b_socket) for url in sockets), sockets
    deadline = time.monotonic() + EXPECT_MS / 1000
    while answered not in (seen_by_a := page_text(member_a, f"/sessions/{session_id}/")):
        assert time.monotonic() < deadline, seen_by_a
        time.sleep(0.5)
