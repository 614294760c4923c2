"""Where the OAuth code gets its HTTP clients: every URL it fetches comes from a server
(metadata, endpoints, registration), so each client is made by one injectable factory,
by default the inspector's guarded one (`inspector.mcp.network`), which in hosted mode
refuses non-public addresses."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx

from inspector.mcp import network

# Called with httpx.AsyncClient keyword arguments (always `follow_redirects=False` and
# `timeout`); returns a client the caller closes.
HttpClientFactory = Callable[..., httpx.AsyncClient]


def http_client(**options: Any) -> httpx.AsyncClient:
    """The default factory: the process-wide guarded client, following no redirects (each
    hop of a redirect is a URL of its own to check)."""
    return network.http_client(**{**options, "follow_redirects": False})
