"""Fixtures for the services: a clean session registry per test."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from inspector.services import runtime


@pytest.fixture(autouse=True)
async def fresh_registry() -> AsyncIterator[None]:
    """Sessions belong to one event loop; each test gets its own registry and loop."""
    runtime.registry.cache_clear()
    yield
    await runtime.registry().close_all()
    runtime.registry.cache_clear()
