"""Local mode answers only the holder of the token, from its own origin and host."""

from __future__ import annotations

from typing import Any

import pytest
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import AsyncClient

from inspector.asgi import application

pytestmark = pytest.mark.django_db(transaction=True)


async def test_without_the_token_every_page_is_refused(stranger: AsyncClient) -> None:
    for path in ["/", "/sessions.json", "/sessions/abc/", "/sessions/abc/events?before=5"]:
        response = await stranger.get(path)
        assert response.status_code == 403, path
        assert b"access token" in response.content


async def test_a_wrong_token_is_refused(stranger: AsyncClient) -> None:
    response = await stranger.get("/?token=not-the-token")
    assert response.status_code == 403
    assert settings.INSPECTOR_TOKEN_COOKIE not in response.cookies


async def test_the_token_url_sets_a_strict_cookie_and_leaves_the_address_bar(
    stranger: AsyncClient,
) -> None:
    response = await stranger.get(f"/sessions.json?token={settings.INSPECTOR_TOKEN}&x=1")
    assert response.status_code == 302
    assert response["Location"] == "/sessions.json?x=1"
    cookie = response.cookies[settings.INSPECTOR_TOKEN_COOKIE]
    assert cookie.value == settings.INSPECTOR_TOKEN
    assert cookie["httponly"]
    assert cookie["samesite"] == "Strict"
    assert (await stranger.get("/sessions.json")).status_code == 200


async def test_a_foreign_host_is_refused_even_with_the_token(client: AsyncClient) -> None:
    response = await client.get("/", headers={"host": "attacker.example"})
    assert response.status_code == 400


async def test_a_foreign_origin_is_refused_even_with_the_token(client: AsyncClient) -> None:
    response = await client.get("/", headers={"origin": "http://attacker.example"})
    assert response.status_code == 403
    response = await client.post("/connect", {}, headers={"origin": "http://attacker.example"})
    assert response.status_code == 403


async def test_posts_need_the_csrf_token() -> None:
    browser = AsyncClient(headers={"host": "127.0.0.1"}, enforce_csrf_checks=True)
    browser.cookies[settings.INSPECTOR_TOKEN_COOKIE] = settings.INSPECTOR_TOKEN
    response = await browser.post("/connect", {"transport": "stdio", "command": "true"})
    assert response.status_code == 403


async def test_a_get_never_starts_a_process(client: AsyncClient) -> None:
    response = await client.get("/connect?transport=stdio&command=touch&arguments=/tmp/pwned")
    assert response.status_code == 405
    response = await client.get("/?transport=stdio&command=touch&arguments=/tmp/pwned")
    assert response.status_code == 200
    assert (await client.get("/sessions.json")).json()["sessions"] == []


async def test_pages_carry_a_strict_content_security_policy(client: AsyncClient) -> None:
    policy = (await client.get("/"))["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy


def websocket(
    *, host: str = "127.0.0.1", origin: str | None = "http://127.0.0.1", token: str | None
) -> WebsocketCommunicator:
    headers = [(b"host", host.encode())]
    if origin is not None:
        headers.append((b"origin", origin.encode()))
    if token is not None:
        headers.append((b"cookie", f"{settings.INSPECTOR_TOKEN_COOKIE}={token}".encode()))
    return WebsocketCommunicator(application, "/ws/sessions/nope/", headers=headers)


@pytest.mark.parametrize(
    "options",
    [
        {"token": None},
        {"token": "wrong"},
        {"token": "RIGHT", "origin": "http://attacker.example"},
        {"token": "RIGHT", "host": "attacker.example"},
    ],
    ids=["no-token", "wrong-token", "foreign-origin", "foreign-host"],
)
async def test_the_websocket_refuses_what_http_refuses(options: dict[str, str]) -> None:
    if options.get("token") == "RIGHT":
        options = {**options, "token": settings.INSPECTOR_TOKEN}
    communicator = websocket(**options)
    connected, code = await communicator.connect()
    assert not connected
    assert code == 4403
    await communicator.disconnect()


async def test_the_websocket_accepts_the_token_holder() -> None:
    # An unknown session is refused with 4404, not 4403: the guard let the request in.
    communicator = websocket(token=settings.INSPECTOR_TOKEN)
    connected, code = await communicator.connect()
    assert not connected
    assert code == 4404
    await communicator.disconnect()


async def test_hosted_mode_refuses_stdio_commands_not_allow_listed(
    client: AsyncClient, settings: Any
) -> None:
    settings.LOCAL_MODE = False
    settings.INSPECTOR_STDIO_ALLOWLIST = ["uvx"]
    from inspector.forms.connect import ConnectForm

    form = ConnectForm(
        {
            "transport": "stdio",
            "command": "bash",
            "protocol_version": "2025-11-25",
            "connect_timeout": "30",
            "request_timeout": "60",
        }
    )
    assert not form.is_valid()
    assert "only the stdio commands its operator allowed" in str(form.errors["command"])
    allowed = ConnectForm(
        {
            "transport": "stdio",
            "command": "uvx",
            "protocol_version": "2025-11-25",
            "connect_timeout": "30",
            "request_timeout": "60",
        }
    )
    assert allowed.is_valid(), allowed.errors
