"""A deploy as the Procfile describes it, against the machine's PostgreSQL and Redis: the
release step (migrations, collected static files with content-hashed names), the README's
command for the first account, then the web step serving the login page, and once signed
in the home page, each with every stylesheet and script it links; and the sessionhost
step taking its lease.

It runs in the PostgreSQL and Redis pass of `scripts/test` (DATABASE_URL and REDIS_URL
name the servers), on a database of its own that it drops afterwards.
"""

from __future__ import annotations

import os
import re
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
from cryptography.fernet import Fernet

from tests.conftest import REPO_ROOT
from tests.deploy.serving import linked_assets, serving
from tests.hosted.processes import own_database
from tests.servers.http_harness import free_port

pytestmark = pytest.mark.hosted

STEP_TIMEOUT_SECONDS = 120
# WhiteNoise's manifest storage names a file `<name>.<12 hex digits>.<extension>`.
HASHED_ASSET = re.compile(r"^/static/.+\.[0-9a-f]{12}\.(css|js)$")
OPERATOR = "operator"


def procfile() -> dict[str, str]:
    """The Procfile's process types and their command lines."""
    steps: dict[str, str] = {}
    for line in (REPO_ROOT / "Procfile").read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, _, command = line.partition(":")
            steps[name.strip()] = command.strip()
    return steps


@pytest.fixture
def deploy_database() -> Iterator[str]:
    """The URL of a database created for this test on the server DATABASE_URL names."""
    with own_database("inspector_procfile") as url:
        yield url


@pytest.fixture
def platform(deploy_database: str, tmp_path: Path) -> dict[str, str]:
    """The environment a platform gives every process of the app: its configuration, and
    this interpreter's environment first on PATH (as a buildpack installs the app)."""
    environment = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("INSPECTOR_", "DJANGO_"))
    }
    return environment | {
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        "PORT": str(free_port()),
        "DATABASE_URL": deploy_database,
        "REDIS_URL": os.environ["REDIS_URL"],
        "INSPECTOR_ALLOWED_HOSTS": "127.0.0.1",
        "INSPECTOR_SECRET_KEY": secrets.token_urlsafe(50),
        "INSPECTOR_ENCRYPTION_KEY": Fernet.generate_key().decode(),
        "INSPECTOR_DATA_DIR": str(tmp_path / "data"),
    }


def run_step(command: str, environment: dict[str, str]) -> None:
    done = subprocess.run(
        ["/bin/sh", "-c", command],
        cwd=REPO_ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=STEP_TIMEOUT_SECONDS,
    )
    assert done.returncode == 0, f"{command!r} failed:\n{done.stdout}\n{done.stderr}"


def cookie_header(jar: dict[str, str]) -> dict[str, str]:
    """The cookies as a header: hosted mode marks them Secure, and this test speaks plain
    HTTP to the web process as a TLS-terminating proxy in front of it would."""
    return {"cookie": "; ".join(f"{name}={value}" for name, value in jar.items())}


def assert_serves_assets(client: httpx.Client, page: httpx.Response) -> None:
    assets = linked_assets(page.text)
    assert any(url.startswith("/static/inspector/inspector.") for url in assets), assets
    for url in assets:
        assert HASHED_ASSET.match(url), f"{url} is not a content-hashed name"
        asset = client.get(url)
        assert asset.status_code == 200, url
        assert asset.content, url
        # Its name changes with its content, so it may be cached for ever.
        assert "immutable" in asset.headers["cache-control"], url


def test_procfile_release_then_web_serve_pages_with_their_css_and_js(
    platform: dict[str, str], tmp_path: Path
) -> None:
    steps = procfile()
    assert set(steps) == {"release", "web", "sessionhost"}
    run_step(steps["release"], platform)
    password = secrets.token_urlsafe(16)
    run_step(
        f"INSPECTOR_MODE=hosted python manage.py createadmin --username {OPERATOR}"
        " --email operator@example.com --password-from-env OPERATOR_PASSWORD",
        platform | {"OPERATOR_PASSWORD": password},
    )
    base_url = f"http://127.0.0.1:{platform['PORT']}"
    with (
        serving(
            ["/bin/sh", "-c", steps["web"]],
            env=platform,
            cwd=REPO_ROOT,
            ready_url=f"{base_url}/accounts/login/",
            log_path=tmp_path / "web.log",
        ),
        httpx.Client(base_url=base_url) as client,
    ):
        assert client.get("/").headers["location"] == "/accounts/login/?next=/"
        login = client.get("/accounts/login/")
        assert login.status_code == 200
        assert_serves_assets(client, login)

        jar = dict(login.cookies)
        form_token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login.text)
        assert form_token is not None
        signed_in = client.post(
            "/accounts/login/",
            data={
                "csrfmiddlewaretoken": form_token[1],
                "username": OPERATOR,
                "password": password,
                "next": "/",
            },
            headers=cookie_header(jar),
        )
        assert signed_in.status_code == 302, signed_in.text
        jar |= dict(signed_in.cookies)
        home = client.get("/", headers=cookie_header(jar))
        assert home.status_code == 200
        assert "Sign in" not in home.text
        assert_serves_assets(client, home)


def test_procfile_sessionhost_takes_a_lease_and_gives_it_back_when_stopped(
    platform: dict[str, str], tmp_path: Path
) -> None:
    steps = procfile()
    run_step(steps["release"], platform)
    log_path = tmp_path / "sessionhost.log"
    with log_path.open("wb") as log:
        host = subprocess.Popen(
            ["/bin/sh", "-c", steps["sessionhost"]],
            cwd=REPO_ROOT,
            env=platform,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        with psycopg.connect(platform["DATABASE_URL"], autocommit=True) as database:
            leased = wait_for_row(
                database,
                "SELECT pid, stopped_at FROM inspector_sessionhost",
                log_path,
            )
            assert leased[1] is None, "a running host's lease is not stopped"
            # As a platform stops a process: SIGTERM to its group (the shell and the host).
            os.killpg(host.pid, signal.SIGTERM)
            wait_for_row(
                database,
                "SELECT stopped_at FROM inspector_sessionhost WHERE stopped_at IS NOT NULL",
                log_path,
            )
    finally:
        if host.poll() is None:
            os.killpg(host.pid, signal.SIGKILL)
            host.wait()


def wait_for_row(database: psycopg.Connection[Any], query: str, log_path: Path) -> Any:
    deadline = time.monotonic() + STEP_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        row = database.execute(query).fetchone()
        if row is not None:
            return row
        time.sleep(0.2)
    raise AssertionError(f"{query} found nothing:\n{log_path.read_text()}")
