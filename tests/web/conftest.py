"""Fixtures for the web layer: an authorised client, and a clean registry per test."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from django.conf import settings
from django.test import AsyncClient

from inspector import runtime

LOCAL_ORIGIN = "http://127.0.0.1"


@pytest.fixture(autouse=True)
async def fresh_registry() -> AsyncIterator[None]:
    """Sessions belong to one event loop; each test gets its own registry and loop."""
    runtime.registry.cache_clear()
    yield
    await runtime.registry().close_all()
    runtime.registry.cache_clear()


@pytest.fixture
def client() -> AsyncClient:
    """A browser that has opened the token URL: it holds the cookie."""
    browser = AsyncClient(headers={"host": "127.0.0.1"})
    browser.cookies[settings.INSPECTOR_TOKEN_COOKIE] = settings.INSPECTOR_TOKEN
    return browser


@pytest.fixture
def stranger() -> AsyncClient:
    return AsyncClient(headers={"host": "127.0.0.1"})
