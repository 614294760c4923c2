"""The caching hints of modern-era results, in words, whatever a server puts there."""

from __future__ import annotations

from typing import Any

import pytest

from inspector.presenters.cache_hints import cache_hint


def test_a_result_without_hints_says_nothing() -> None:
    assert cache_hint({"tools": []}) == ""


def test_known_hints_in_words() -> None:
    assert cache_hint({"ttlMs": 1500, "cacheScope": "private"}) == (
        "fresh for 1.5 s (ttlMs 1500); private: for this user only"
    )


@pytest.mark.parametrize("scope", [[], {"a": 1}, 3, "everyone"])
def test_a_malformed_scope_is_named_not_a_crash(scope: Any) -> None:
    assert f"cacheScope {scope!r}, which is not a known one" in cache_hint({"cacheScope": scope})
