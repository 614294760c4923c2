"""Settings as the environment makes them: each case loads the settings module afresh."""

from __future__ import annotations

import os
import runpy
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured

from inspector import settings as loaded_settings
from tests.conftest import REPO_ROOT

SETTINGS_FILE = Path(loaded_settings.__file__)
HOSTED_MODE_NEEDS = tuple(loaded_settings.HOSTED_MODE_NEEDS)
RETENTION = (
    "INSPECTOR_RETENTION_DAYS",
    "INSPECTOR_MAX_EVENTS_PER_SESSION",
    "INSPECTOR_RETENTION_INTERVAL",
)
READ_HERE = ("INSPECTOR_MODE", "INSPECTOR_STDIO_ALLOWLIST", *HOSTED_MODE_NEEDS, *RETENTION)
HOSTED = {
    "INSPECTOR_MODE": "hosted",
    "INSPECTOR_ALLOWED_HOSTS": "inspector.example.com, inspector.internal",
    "INSPECTOR_SECRET_KEY": "a-secret-of-this-deployment",
    "INSPECTOR_ENCRYPTION_KEY": "dGhpcy1pcy1hLWtleS1vZi0zMi1ieXRlcy0tLS0tLS0=",
    "DATABASE_URL": "postgres://inspector@db.internal:5432/inspector",
    "REDIS_URL": "redis://redis.internal:6379/0",
}


@pytest.fixture
def settings_with(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Any:
    """Load the settings with these environment variables, and no others of theirs."""

    def load(**variables: str) -> dict[str, Any]:
        for name in READ_HERE:
            monkeypatch.delenv(name, raising=False)
        monkeypatch.setenv("INSPECTOR_DATA_DIR", str(tmp_path))
        for name, value in variables.items():
            monkeypatch.setenv(name, value)
        return runpy.run_path(str(SETTINGS_FILE))

    return load


def test_stdio_allowlist_items_are_stripped(settings_with: Any) -> None:
    loaded = settings_with(INSPECTOR_STDIO_ALLOWLIST=" npx, uvx ,,python3 ")
    assert loaded["INSPECTOR_STDIO_ALLOWLIST"] == ["npx", "uvx", "python3"]


def test_stdio_allowlist_is_empty_when_unset(settings_with: Any) -> None:
    assert settings_with()["INSPECTOR_STDIO_ALLOWLIST"] == []


def test_retention_keeps_everything_unless_told(settings_with: Any) -> None:
    loaded = settings_with()
    assert [loaded[name] for name in RETENTION] == [0, 0, 3600]
    loaded = settings_with(
        INSPECTOR_RETENTION_DAYS=" 30 ",
        INSPECTOR_MAX_EVENTS_PER_SESSION="50000",
        INSPECTOR_RETENTION_INTERVAL="0",
    )
    assert [loaded[name] for name in RETENTION] == [30, 50000, 0]


@pytest.mark.parametrize("value", ["thirty", "-1", "1.5"])
def test_a_retention_setting_that_is_no_count_stops_the_start_up(
    settings_with: Any, value: str
) -> None:
    with pytest.raises(ImproperlyConfigured, match="INSPECTOR_RETENTION_DAYS must be a whole"):
        settings_with(INSPECTOR_RETENTION_DAYS=value)


def test_hosted_mode_starts_with_every_variable_it_needs(settings_with: Any) -> None:
    loaded = settings_with(**HOSTED)
    assert loaded["ALLOWED_HOSTS"] == ["inspector.example.com", "inspector.internal"]
    assert loaded["SECRET_KEY"] == HOSTED["INSPECTOR_SECRET_KEY"]
    assert loaded["DATABASES"]["default"]["HOST"] == "db.internal"
    assert loaded["CHANNEL_LAYERS"]["default"]["BACKEND"].startswith("channels_redis.")


@pytest.mark.parametrize("variable", HOSTED_MODE_NEEDS)
@pytest.mark.parametrize("value", [None, "  "], ids=["unset", "blank"])
def test_hosted_mode_refuses_to_start_without_a_variable_it_needs(
    settings_with: Any, variable: str, value: str | None
) -> None:
    environment = {name: setting for name, setting in HOSTED.items() if name != variable}
    if value is not None:
        environment[variable] = value
    with pytest.raises(ImproperlyConfigured) as refused:
        settings_with(**environment)
    message = str(refused.value)
    assert variable in message
    others = set(HOSTED_MODE_NEEDS) - {variable}
    assert not any(f"{other} (" in message for other in others)


def test_local_mode_needs_none_of_hosted_modes_variables(settings_with: Any) -> None:
    loaded = settings_with()
    assert loaded["LOCAL_MODE"] is True
    assert "127.0.0.1" in loaded["ALLOWED_HOSTS"]


def test_hosted_web_process_without_allowed_hosts_stops_naming_the_variable(
    tmp_path: Path,
) -> None:
    """What the Procfile's web step loads, in a process of its own: it ends at start-up
    with the variable's name, instead of answering 400 to every request."""
    environment = {name: value for name, value in os.environ.items() if name not in READ_HERE}
    environment |= HOSTED | {"INSPECTOR_DATA_DIR": str(tmp_path)}
    del environment["INSPECTOR_ALLOWED_HOSTS"]
    started = subprocess.run(
        [sys.executable, "-c", "import inspector.asgi"],
        cwd=REPO_ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert started.returncode != 0
    last_line = started.stderr.strip().splitlines()[-1]
    assert last_line.startswith("django.core.exceptions.ImproperlyConfigured: Hosted mode")
    assert "INSPECTOR_ALLOWED_HOSTS" in last_line


def test_readme_hosting_section_names_each_variable_hosted_mode_needs() -> None:
    readme = (REPO_ROOT / "README.md").read_text()
    hosting = readme.split("\n## Hosting\n", 1)[1].split("\n## ", 1)[0]
    assert [name for name in HOSTED_MODE_NEEDS if f"`{name}`" not in hosting] == []


def test_invitation_mail_goes_to_the_console_unless_a_mail_server_is_named(
    settings_with: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("INSPECTOR_EMAIL_BACKEND", "INSPECTOR_EMAIL_HOST", "INSPECTOR_EMAIL_PORT"):
        monkeypatch.delenv(name, raising=False)
    assert settings_with()["EMAIL_BACKEND"] == "django.core.mail.backends.console.EmailBackend"
    loaded = settings_with(
        INSPECTOR_EMAIL_BACKEND="smtp",
        INSPECTOR_EMAIL_HOST="mail.internal",
        INSPECTOR_EMAIL_PORT="587",
        INSPECTOR_EMAIL_STARTTLS="1",
        INSPECTOR_EMAIL_FROM="inspector@example.com",
    )
    assert loaded["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert (loaded["EMAIL_HOST"], loaded["EMAIL_PORT"], loaded["EMAIL_USE_TLS"]) == (
        "mail.internal",
        587,
        True,
    )
    assert loaded["DEFAULT_FROM_EMAIL"] == "inspector@example.com"
    with pytest.raises(ImproperlyConfigured, match="INSPECTOR_EMAIL_PORT"):
        settings_with(INSPECTOR_EMAIL_PORT="twenty-five")
