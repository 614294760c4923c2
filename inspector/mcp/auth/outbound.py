"""Where the OAuth code gets its HTTP clients: every URL it fetches comes from a server
(metadata, endpoints, registration), so each client is made by one injectable factory
that a hosted deployment points at its guarded one."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx

# Called with httpx.AsyncClient keyword arguments (always `follow_redirects=False` and
# `timeout`); returns a client the caller closes.
HttpClientFactory = Callable[..., httpx.AsyncClient]


def http_client(**options: Any) -> httpx.AsyncClient:
    """The default factory: a plain client that follows no redirects."""
    return httpx.AsyncClient(**{**options, "follow_redirects": False})
