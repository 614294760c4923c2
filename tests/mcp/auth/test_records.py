"""How the flow reads what authorization servers answer: never without bound, in size
or in time (`tests/servers/http_broken.py`, scenarios `auth-endless`, `auth-trickle`)."""

from __future__ import annotations

import time

from inspector.mcp.auth.http import http_client
from inspector.mcp.auth.records import send
from inspector.mcp.transports.http_wire import ERROR_BODY_LIMIT
from tests.servers.http_harness import RunningServer


async def test_an_endless_body_is_read_up_to_the_limit(
    broken_http_server: RunningServer, path_token: str
) -> None:
    async with http_client(timeout=10.0) as http:
        fetched = await send(http, "GET", broken_http_server.url(f"/{path_token}/auth-endless"))
    assert fetched.status == 200
    assert len(fetched.text) == ERROR_BODY_LIMIT
    assert fetched.json() is None


async def test_a_body_that_trickles_in_meets_one_deadline(
    broken_http_server: RunningServer, path_token: str
) -> None:
    started = time.monotonic()
    async with http_client(timeout=10.0) as http:
        fetched = await send(
            http, "GET", broken_http_server.url(f"/{path_token}/auth-trickle"), timeout=0.5
        )
    assert time.monotonic() - started < 3.0
    assert fetched.response is None
    assert fetched.record.error == "timeout: no complete answer within 0.5 s"
