"""Settings as the environment makes them: each case loads the settings module afresh."""

from __future__ import annotations

import runpy
from pathlib import Path
from typing import Any

import pytest

from inspector import settings as loaded_settings

SETTINGS_FILE = Path(loaded_settings.__file__)
READ_HERE = ("INSPECTOR_MODE", "INSPECTOR_STDIO_ALLOWLIST", "DATABASE_URL", "REDIS_URL")


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
