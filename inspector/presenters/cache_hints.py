"""The caching hints of a 2026-07-28 result (`ttlMs`, `cacheScope`), in words."""

from __future__ import annotations

from typing import Any

SCOPES = {
    "public": "public: any cache may share it",
    "private": "private: for this user only",
}


def cache_hint(result: Any) -> str:
    """How long, and for whom, the server says the result may be cached; "" when the
    result carries no hint (every result before the modern era)."""
    if not isinstance(result, dict):
        return ""
    ttl, scope = result.get("ttlMs"), result.get("cacheScope")
    if ttl is None and scope is None:
        return ""
    parts = [_freshness(ttl)]
    if scope is not None:
        known = SCOPES.get(scope) if isinstance(scope, str) else None
        parts.append(known or f"cacheScope {scope!r}, which is not a known one")
    return "; ".join(parts)


def _freshness(ttl: Any) -> str:
    if ttl is None:
        return "no ttlMs"
    if not isinstance(ttl, int) or isinstance(ttl, bool) or ttl < 0:
        return f"ttlMs {ttl!r}, which is not a number of milliseconds"
    if ttl == 0:
        return "stale at once (ttlMs 0)"
    return f"fresh for {_duration(ttl)} (ttlMs {ttl})"


def _duration(ms: int) -> str:
    if ms < 1000:
        return f"{ms} ms"
    seconds = ms / 1000
    if seconds < 120:
        return f"{seconds:g} s"
    minutes = seconds / 60
    if minutes < 120:
        return f"{minutes:g} min"
    return f"{minutes / 60:g} h"
