"""Fixtures for the web layer: an authorised client, and a clean registry per test."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import AsyncClient

from inspector.services import runtime
from inspector.storage import encryption

LOCAL_ORIGIN = "http://127.0.0.1"


@pytest.fixture(autouse=True)
async def fresh_registry() -> AsyncIterator[None]:
    """Sessions and the checks running on them belong to one event loop; each test gets
    its own registry, runs and loop."""
    runtime.registry.cache_clear()
    runtime.doctor_runs.cache_clear()
    runtime.replay_runs.cache_clear()
    yield
    await runtime.doctor_runs().close()
    await runtime.replay_runs().close()
    await runtime.registry().close_all()
    runtime.registry.cache_clear()
    runtime.doctor_runs.cache_clear()
    runtime.replay_runs.cache_clear()


@pytest.fixture
def client() -> AsyncClient:
    """A browser that has opened the token URL: it holds the cookie."""
    browser = AsyncClient(headers={"host": "127.0.0.1"})
    browser.cookies[settings.INSPECTOR_TOKEN_COOKIE] = settings.INSPECTOR_TOKEN
    return browser


@pytest.fixture
def stranger() -> AsyncClient:
    return AsyncClient(headers={"host": "127.0.0.1"})


@pytest.fixture
def private_key(settings: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A secrets key of the test's own, in a data directory of its own (the key file's
    path: it is written on first use)."""
    monkeypatch.delenv(encryption.KEY_VARIABLE, raising=False)
    settings.DATA_DIR = tmp_path
    encryption.reset_key_cache()
    yield tmp_path / encryption.KEY_FILE_NAME
    encryption.reset_key_cache()
