"""The first admin of a hosted inspector: `python manage.py createadmin` and
`inspector createadmin` make a superuser who signs in with the password given out of
band (an environment variable, or a prompt), with a team workspace it administers."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client

from inspector.models import Membership, Workspace
from tests.conftest import REPO_ROOT
from tests.web.teams import hosted_mode

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "a passphrase nobody sees"


@pytest.fixture(autouse=True)
def hosted(settings: Any) -> None:
    hosted_mode(settings)


@pytest.fixture
def password_variable(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("FIRST_ADMIN_PASSWORD", PASSWORD)
    return "FIRST_ADMIN_PASSWORD"


def members_page_of(username: str) -> str:
    browser = Client(headers={"host": "127.0.0.1"})
    assert browser.login(username=username, password=PASSWORD)
    response = browser.get("/workspace/members/")
    assert response.status_code == 200
    return response.content.decode()


def test_createadmin_makes_a_superuser_who_administers_a_team_workspace(
    password_variable: str, capsys: pytest.CaptureFixture[str]
) -> None:
    call_command(
        "createadmin",
        "--username=root",
        "--email=root@example.com",
        "--workspace=Team",
        f"--password-from-env={password_variable}",
    )
    said = capsys.readouterr().out
    assert "Created the admin account 'root'" in said
    assert "'Team'" in said
    team = Workspace.objects.get(name="Team")
    admin = Membership.objects.get(workspace=team)
    assert (admin.user.username, admin.role, admin.user.is_superuser) == ("root", "admin", True)
    assert Workspace.objects.filter(personal_of=admin.user).exists()
    # It signs in with that password (acting, at first, in its personal workspace).
    assert "Members of root (personal)" in members_page_of("root")


def test_createadmin_refuses_a_username_that_exists(password_variable: str) -> None:
    arguments = ["--username=root", "--email=root@example.com", "--workspace=Team"]
    call_command("createadmin", *arguments, f"--password-from-env={password_variable}")
    with pytest.raises(CommandError, match="exists already"):
        call_command("createadmin", *arguments, f"--password-from-env={password_variable}")
    assert Workspace.objects.filter(name="Team").count() == 1


def test_createadmin_takes_no_password_from_an_empty_variable() -> None:
    with pytest.raises(CommandError, match="NOT_SET_ANYWHERE is empty or unset"):
        call_command(
            "createadmin",
            "--username=root",
            "--email=root@example.com",
            "--password-from-env=NOT_SET_ANYWHERE",
        )
    with pytest.raises(CommandError, match="not an email address"):
        call_command("createadmin", "--username=root", "--email=root")


def database_url() -> str:
    """The URL of the database this test uses, for a process of its own."""
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    credentials = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{credentials}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"


def inspector(*words: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "inspector.cli", *words],
        cwd=REPO_ROOT,
        env={**os.environ, "DATABASE_URL": database_url(), **env},
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_inspector_command_creates_the_first_admin() -> None:
    words = ["createadmin", "--username", "ops", "--email", "ops@example.com"]
    words += ["--workspace", "Operations", "--password-from-env", "OPS_PASSWORD"]
    made = inspector(*words, OPS_PASSWORD=PASSWORD)
    assert made.returncode == 0, made.stderr
    assert "Created the admin account 'ops'" in made.stdout
    assert Membership.objects.get(workspace__name="Operations").user.username == "ops"
    assert "Members of ops (personal)" in members_page_of("ops")

    again = inspector(*words, OPS_PASSWORD=PASSWORD)
    assert again.returncode == 1
    assert "An account named 'ops' exists already. Nothing was changed." in again.stderr

    # Never a password on the command line; without a terminal to ask in, it says how.
    unasked = inspector("createadmin", "--username", "dev", "--email", "dev@example.com")
    assert unasked.returncode == 1
    assert "--password-from-env" in unasked.stderr
    assert "--password " not in inspector("createadmin", "--help").stdout
