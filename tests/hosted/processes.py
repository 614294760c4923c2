"""A hosted deployment of several processes for a test: a database of its own on the
machine's PostgreSQL, web processes (daphne) and session hosts started as an operator
would, each in a process group of its own that is stopped (or killed) at the end."""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx
import psycopg
from cryptography.fernet import Fernet
from psycopg import sql

from inspector.forms.connect import ConnectForm
from tests.conftest import REPO_ROOT
from tests.deploy.serving import serving
from tests.servers.http_harness import free_port

STEP_TIMEOUT_SECONDS = 120
READY_SECONDS = 60.0
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@contextmanager
def own_database(prefix: str) -> Iterator[str]:
    """The URL of a database made for this test on the server DATABASE_URL names."""
    server = os.environ.get("DATABASE_URL", "")
    assert server.startswith(("postgres://", "postgresql://")), (
        "needs DATABASE_URL and REDIS_URL naming the PostgreSQL and Redis servers, as in "
        "the second pass of scripts/test"
    )
    parts = urlsplit(server)
    name = f"{prefix}_{os.getpid()}"
    database = sql.Identifier(name)
    with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as admin:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(database))
        admin.execute(sql.SQL("CREATE DATABASE {}").format(database))
        try:
            yield urlunsplit(parts._replace(path=f"/{name}"))
        finally:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(database))


def hosted_environment(database_url: str, data_dir: Path, **extra: str) -> dict[str, str]:
    """What every process of the deployment is given."""
    inherited = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("INSPECTOR_", "DJANGO_"))
    }
    return (
        inherited
        | {
            "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
            "PYTHONPATH": str(REPO_ROOT),
            "DATABASE_URL": database_url,
            "REDIS_URL": os.environ["REDIS_URL"],
            "INSPECTOR_MODE": "hosted",
            "INSPECTOR_SESSION_HOSTS": "remote",
            "INSPECTOR_ALLOWED_HOSTS": "127.0.0.1",
            "INSPECTOR_SECRET_KEY": secrets.token_urlsafe(50),
            "INSPECTOR_ENCRYPTION_KEY": Fernet.generate_key().decode(),
            "INSPECTOR_DATA_DIR": str(data_dir),
        }
        | extra
    )


def manage(environment: dict[str, str], *args: str) -> None:
    done = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=REPO_ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=STEP_TIMEOUT_SECONDS,
    )
    assert done.returncode == 0, f"manage.py {args} failed:\n{done.stdout}\n{done.stderr}"


@dataclass
class SessionHostProcess:
    name: str
    process: subprocess.Popen[bytes]
    log_path: Path

    @property
    def pid(self) -> int:
        return self.process.pid

    def signal_group(self, sig: signal.Signals) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, sig)


@dataclass
class Deployment:
    environment: dict[str, str]
    log_dir: Path
    hosts: dict[str, SessionHostProcess] = field(default_factory=dict)
    stack: contextlib.ExitStack = field(default_factory=contextlib.ExitStack)

    def start_web(self, name: str) -> str:
        """A web process; its base URL once it serves."""
        port = free_port()
        base_url = f"http://127.0.0.1:{port}"
        command = [
            "daphne",
            "--bind",
            "127.0.0.1",
            "--port",
            str(port),
            "inspector.asgi:application",
        ]
        self.stack.enter_context(
            serving(
                command,
                env=self.environment,
                cwd=REPO_ROOT,
                ready_url=f"{base_url}/accounts/login/",
                log_path=self.log_dir / f"{name}.log",
            )
        )
        return base_url

    def start_host(self, name: str) -> SessionHostProcess:
        """A session host, once it says it is ready (its lease taken)."""
        log_path = self.log_dir / f"{name}.log"
        with log_path.open("wb") as log:
            process = subprocess.Popen(
                [sys.executable, "manage.py", "sessionhost", "--name", name],
                cwd=REPO_ROOT,
                env=self.environment,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        host = SessionHostProcess(name, process, log_path)
        self.hosts[name] = host
        self.stack.callback(_stop, host)
        deadline = time.monotonic() + READY_SECONDS
        while b"is ready" not in log_path.read_bytes():
            assert process.poll() is None, log_path.read_text(errors="replace")
            assert time.monotonic() < deadline, log_path.read_text(errors="replace")
            time.sleep(0.1)
        return host


def _stop(host: SessionHostProcess) -> None:
    host.signal_group(signal.SIGCONT)  # a test may have stopped it
    for sig in (signal.SIGTERM, signal.SIGKILL):
        host.signal_group(sig)
        try:
            host.process.wait(timeout=10)
            return
        except subprocess.TimeoutExpired:
            continue


@contextmanager
def deployment(environment: dict[str, str], log_dir: Path) -> Iterator[Deployment]:
    deployed = Deployment(environment, log_dir)
    with deployed.stack:
        yield deployed


class Browser:
    """A signed-in person's HTTP client on one web process. Hosted mode marks cookies
    Secure; this speaks plain HTTP as a TLS-terminating proxy in front would, so the
    cookies are sent by hand."""

    def __init__(self, base_url: str, cookies: dict[str, str]) -> None:
        self.client = httpx.Client(base_url=base_url, timeout=60)
        self.cookies = dict(cookies)

    def close(self) -> None:
        self.client.close()

    def _headers(self) -> dict[str, str]:
        return {"cookie": "; ".join(f"{name}={value}" for name, value in self.cookies.items())}

    def get(self, url: str) -> httpx.Response:
        response = self.client.get(url, headers=self._headers())
        self.cookies |= dict(response.cookies)
        return response

    def post(self, url: str, data: dict[str, str], *, form_page: str) -> httpx.Response:
        """POST as the page at `form_page` would, with its CSRF token."""
        page = self.get(form_page)
        token = CSRF_FIELD.search(page.text)
        assert token is not None, f"{form_page} has no form token"
        response = self.client.post(
            url,
            data={"csrfmiddlewaretoken": token[1], **data},
            headers=self._headers() | {"referer": f"{self.client.base_url}{form_page}"},
        )
        self.cookies |= dict(response.cookies)
        return response

    @classmethod
    def sign_in(cls, base_url: str, username: str, password: str) -> Browser:
        browser = cls(base_url, {})
        signed_in = browser.post(
            "/accounts/login/",
            {"username": username, "password": password, "next": "/"},
            form_page="/accounts/login/",
        )
        assert signed_in.status_code == 302, signed_in.text
        return browser

    def with_cookies_on(self, base_url: str) -> Browser:
        """The same signed-in person, on another web process."""
        return Browser(base_url, self.cookies)


def stdio_connect_form(arguments: str) -> dict[str, str]:
    """The connect form as a person leaves it for a fixture server over stdio (this
    Python, `arguments` after it), in the legacy era."""
    form = {
        name: str(field.initial)
        for name, field in ConnectForm().fields.items()
        if field.initial is not None and not isinstance(field.initial, bool)
    }
    return form | {
        "transport": "stdio",
        "command": sys.executable,
        "arguments": arguments,
        "cwd": str(REPO_ROOT),
        "era": "legacy",
    }
