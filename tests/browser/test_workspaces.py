"""A hosted inspector in Chromium: the first admin, made with `inspector createadmin`,
signs in, makes a team workspace and an invite link; a teammate with no account opens
the link, makes one there and joins; the admin changes the teammate's role, then removes
them. Each page is checked with axe-core in both themes.

Hosted mode runs on SQLite here (its start-up needs a database URL, not PostgreSQL) and
on the machine's Redis, which `scripts/test` starts before any pass.
"""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.browser.axe import assert_clean, audit, axe_script
from tests.browser.conftest import EXPECT_TIMEOUT_MS
from tests.conftest import REPO_ROOT
from tests.deploy.serving import serving
from tests.servers.http_harness import free_port

ADMIN_PASSWORD = secrets.token_urlsafe(16)
STEP_TIMEOUT_SECONDS = 120


def hosted_environment(root: Path) -> dict[str, str]:
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("INSPECTOR_", "DJANGO_")) and name not in ("DATABASE_URL",)
    }
    env.update(
        INSPECTOR_MODE="hosted",
        INSPECTOR_ALLOWED_HOSTS="127.0.0.1",
        INSPECTOR_SECRET_KEY=secrets.token_urlsafe(50),
        INSPECTOR_ENCRYPTION_KEY=Fernet.generate_key().decode(),
        INSPECTOR_DATA_DIR=str(root / "data"),
        INSPECTOR_STATIC_ROOT=str(root / "static"),
        DATABASE_URL=f"sqlite:///{root / 'inspector.sqlite3'}",
        REDIS_URL=os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0",
        PYTHONPATH=os.pathsep.join(filter(None, [str(REPO_ROOT), os.environ.get("PYTHONPATH")])),
    )
    return env


def step(words: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(
        words,
        cwd=REPO_ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=STEP_TIMEOUT_SECONDS,
        check=False,
    )
    assert done.returncode == 0, f"{words}:\n{done.stdout}\n{done.stderr}"


@pytest.fixture(scope="module")
def hosted_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A hosted web process, deployed as the README says: collected static files, and the
    first admin made with `inspector createadmin` (which migrates first)."""
    root = tmp_path_factory.mktemp("hosted")
    env = hosted_environment(root)
    step([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], env)
    createadmin = ["createadmin", "--username", "alice", "--email", "alice@example.com"]
    createadmin += ["--password-from-env", "ADMIN_PASSWORD"]
    step(
        [sys.executable, "-m", "inspector.cli", *createadmin],
        env | {"ADMIN_PASSWORD": ADMIN_PASSWORD},
    )
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    daphne = [sys.executable, "-m", "daphne", "--bind", "127.0.0.1", "--port", str(port)]
    with serving(
        [*daphne, "inspector.asgi:application"],
        env=env,
        cwd=REPO_ROOT,
        ready_url=f"{base}/accounts/login/",
        log_path=root / "web.log",
    ):
        yield base


@pytest.fixture(scope="module")
def axe() -> Path:
    return axe_script()


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    # axe is injected as a script tag, which the pages' strict CSP would refuse.
    context = browser.new_context(viewport={"width": 1280, "height": 800}, bypass_csp=True)
    context.set_default_timeout(EXPECT_TIMEOUT_MS)
    yield context
    context.close()


def sign_in(page: Page, base: str, username: str, password: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{base}/")


def role_of(page: Page, username: str) -> str:
    return page.get_by_label(f"Role of {username}", exact=True).input_value()


def test_a_teammate_joins_by_link_is_given_a_role_and_removed(
    hosted_url: str, page: Page, browser: Browser, axe: Path
) -> None:
    problems: list[str] = []
    sign_in(page, hosted_url, "alice", ADMIN_PASSWORD)
    page.goto(f"{hosted_url}/workspace/members/")
    expect(page.get_by_role("heading", name="Members of alice (personal)")).to_be_visible()
    expect(page.get_by_text("it cannot be shared")).to_be_visible()
    problems += audit(page, axe, "workspace-personal")

    page.get_by_role("link", name="create a team workspace").click()
    problems += audit(page, axe, "workspace-new")
    page.get_by_label("Name").fill("Platform")
    page.get_by_role("button", name="Create workspace").click()
    expect(page.get_by_role("heading", name="Members of Platform")).to_be_visible()

    invite = page.get_by_role("form", name="Create an invite link")
    invite.get_by_label("Role").select_option("member")
    invite.get_by_label("Expires after").select_option("1h")
    invite.get_by_role("button", name="Create invite link").click()
    link = page.get_by_role("textbox", name="Invite link").input_value()
    assert re.fullmatch(rf"{re.escape(hosted_url)}/invite/[\w-]+/", link), link
    problems += audit(page, axe, "workspace-members-admin")

    teammate_context = browser.new_context(bypass_csp=True)
    teammate_context.set_default_timeout(EXPECT_TIMEOUT_MS)
    try:
        teammate = teammate_context.new_page()
        teammate.goto(link)
        expect(teammate.get_by_role("heading", name="Join Platform")).to_be_visible()
        expect(teammate.get_by_role("link", name="Sign in to accept")).to_be_visible()
        problems += audit(teammate, axe, "invitation-signed-out")
        join = teammate.get_by_role("form", name="Create an account and join")
        join.get_by_label("Username").fill("frank")
        join.get_by_label("Password", exact=True).fill("a long passphrase")
        join.get_by_label("Password again").fill("a long passphrase")
        join.get_by_role("button", name="Create account and join").click()
        expect(teammate.get_by_role("heading", name="Members of Platform")).to_be_visible()
        expect(teammate.get_by_role("row", name=re.compile(r"^frank \(you\)"))).to_contain_text(
            "Member"
        )
        problems += audit(teammate, axe, "workspace-members-member")

        page.reload()
        assert role_of(page, "frank") == "member"
        page.get_by_label("Role of frank", exact=True).select_option("viewer")
        page.get_by_role("button", name="Change the role of frank").click()
        expect(page.get_by_label("Role of frank", exact=True)).to_have_value("viewer")
        teammate.reload()
        expect(teammate.get_by_role("row", name=re.compile(r"^frank"))).to_contain_text("Viewer")

        page.get_by_role("button", name="Remove frank").click()
        expect(page.get_by_role("row", name=re.compile(r"^frank"))).to_have_count(0)
        teammate.reload()
        expect(teammate.get_by_role("heading", name="Members of frank (personal)")).to_be_visible()

        # The link worked once.
        teammate.goto(link)
        expect(teammate.get_by_text("has been used already")).to_be_visible()
        problems += audit(teammate, axe, "invitation-used")
    finally:
        teammate_context.close()
    assert_clean(problems)
