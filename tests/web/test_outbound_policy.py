"""Hosted mode refuses to connect to non-public addresses unless the operator allow-lists
them (`INSPECTOR_OUTBOUND_ALLOW`); local mode connects anywhere."""

from __future__ import annotations

import html
import re
import sys
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import AsyncClient

from inspector.mcp.network import current_policy
from tests.servers.http_harness import RunningServer
from tests.web.support import LOGIN_REQUIRED, OWNER_CHECK, connect_form, signed_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def hosted(settings: Any) -> Any:
    """Hosted mode as `INSPECTOR_MODE=hosted` sets it up, with nothing allow-listed."""
    settings.LOCAL_MODE = False
    settings.INSPECTOR_STDIO_ALLOWLIST = [sys.executable]
    settings.INSPECTOR_OUTBOUND_ALLOW = []
    middleware = list(settings.MIDDLEWARE)
    middleware.insert(middleware.index(OWNER_CHECK), LOGIN_REQUIRED)
    settings.MIDDLEWARE = middleware
    return settings


def connect_alert(response: Any) -> str:
    match = re.search(r'id="connect-error">(.*?)</div>', response.content.decode(), re.S)
    assert match, response.content.decode()[:3000]
    return html.unescape(re.sub(r"<[^>]+>", "", match.group(1)))


async def test_hosted_mode_refuses_a_server_on_loopback(
    hosted: Any, mcp_http_server: RunningServer
) -> None:
    alice: AsyncClient = await signed_in("alice")
    form = connect_form(transport="http", url=mcp_http_server.url("/stream/mcp"))
    response = await alice.post("/connect", form)
    assert response.status_code == 422
    alert = connect_alert(response)
    assert "(policy layer)" in alert
    assert (
        "Refused to connect to 127.0.0.1: 127.0.0.1 is a loopback address; outbound requests "
        "to non-public addresses are refused in hosted mode (allow-list it with "
        "INSPECTOR_OUTBOUND_ALLOW)"
    ) in alert


async def test_hosted_mode_reaches_an_allow_listed_server(
    hosted: Any, mcp_http_server: RunningServer
) -> None:
    hosted.INSPECTOR_OUTBOUND_ALLOW = ["127.0.0.1/32"]
    alice: AsyncClient = await signed_in("alice")
    form = connect_form(transport="http", url=mcp_http_server.url("/stream/mcp"))
    response = await alice.post("/connect", form)
    assert response.status_code == 302, connect_alert(response)


def test_the_policy_follows_the_mode(settings: Any) -> None:
    assert not current_policy().public_only
    settings.LOCAL_MODE = False
    settings.INSPECTOR_OUTBOUND_ALLOW = ["mcp.internal", "10.0.0.0/8"]
    policy = current_policy()
    assert policy.public_only
    assert policy.allowed_hosts == {"mcp.internal"}
    assert [str(network) for network in policy.allowed_networks] == ["10.0.0.0/8"]


def test_a_bad_allow_list_entry_is_named(settings: Any) -> None:
    settings.LOCAL_MODE = False
    with pytest.raises(ImproperlyConfigured, match="INSPECTOR_OUTBOUND_ALLOW: 'http://mcp'"):
        settings.INSPECTOR_OUTBOUND_ALLOW = ["http://mcp"]
    assert current_policy().allowed_hosts == frozenset()
