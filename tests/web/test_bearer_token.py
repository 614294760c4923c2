"""A static bearer token per HTTP connection: sent on every request to the protected
fixture server, stored encrypted, and masked wherever the inspector shows or exports it."""

from __future__ import annotations

import html
import json
from typing import Any

import httpx
import pytest
from django.test import AsyncClient

from inspector import services
from inspector.mcp.masking import MASK
from inspector.models import SavedServer
from inspector.storage import encryption
from tests.servers.oauth_as import CONFIDENTIAL_CLIENT_ID, CONFIDENTIAL_CLIENT_SECRET
from tests.servers.oauth_harness import OAuthServers
from tests.web.support import connect, connect_form

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("private_key")]


@pytest.fixture
def token(oauth_servers: OAuthServers) -> str:
    """A real access token for the protected server (client_credentials)."""
    response = httpx.post(
        oauth_servers.issuer + "/token",
        data={"grant_type": "client_credentials", "resource": oauth_servers.mcp_url},
        auth=(CONFIDENTIAL_CLIENT_ID, CONFIDENTIAL_CLIENT_SECRET),
    )
    access_token: str = response.json()["access_token"]
    return access_token


def text(response: Any) -> str:
    return html.unescape(response.content.decode())


async def test_the_token_reaches_the_server_and_is_masked_on_the_session_page(
    client: AsyncClient, oauth_servers: OAuthServers, token: str
) -> None:
    session_id = await connect(
        client, transport="http", url=oauth_servers.mcp_url, bearer_token=token
    )
    snapshot = await services.session_get(session_id=session_id)
    assert snapshot.connected, snapshot.error
    await client.get(f"/sessions/{session_id}/list/tools")
    added = text(
        await client.post(
            f"/sessions/{session_id}/tools/call",
            {"tool": "add", "source": "json", "arguments_json": '{"a": 2, "b": 3}'},
        )
    )
    assert '"result": 5' in added
    detail = text(await client.get(f"/sessions/{session_id}/tools/detail?name=add"))
    assert token not in detail, "the Copy as CLI command line shows the token"
    assert '--header "Authorization: ${AUTHORIZATION}"' in detail
    page = text(await client.get(f"/sessions/{session_id}/"))
    assert f'Bearer token <span class="mono">{token[:4]}{MASK}</span>' in page
    assert token not in page
    document = (await client.get(f"/sessions/{session_id}.json?after=0")).json()
    exported = json.dumps(document, ensure_ascii=False)
    assert token not in exported
    assert f"Bearer {token[:4]}{MASK}" in exported, "the trace has the masked header"


async def test_a_token_the_server_refuses_is_said_plainly(
    client: AsyncClient, oauth_servers: OAuthServers
) -> None:
    session_id = await connect(
        client, transport="http", url=oauth_servers.mcp_url, bearer_token="not-a-real-token"
    )
    page = text(await client.get(f"/sessions/{session_id}/"))
    assert "This server requires authorization." in page
    assert 'error="invalid_token"' in page or "HTTP 401" in page
    panel = text(await client.get(f"/sessions/{session_id}/auth/"))
    assert "This connection sends a static bearer token" in panel


async def test_a_saved_token_is_encrypted_listed_masked_and_exported_on_request(
    client: AsyncClient, oauth_servers: OAuthServers, token: str
) -> None:
    form = connect_form(
        transport="http", url=oauth_servers.mcp_url, bearer_token=token, save_as="protected"
    )
    await client.post("/servers/save", form)
    record = await SavedServer.objects.aget(name="protected")
    assert token not in record.bearer_token_encrypted
    assert encryption.decrypt_json(record.bearer_token_encrypted) == token
    home = text(await client.get("/"))
    assert f"{token[:4]}{MASK}" in home
    assert token not in home

    masked = (await client.post("/servers/export", {"server": record.pk})).content.decode()
    assert token not in masked
    entry = json.loads(masked)["mcpServers"]["protected"]
    assert entry["headers"] == {"Authorization": f"Bearer {token[:4]}{MASK}"}
    full = await client.post("/servers/export", {"server": record.pk, "include_secrets": "on"})
    assert json.loads(full.content)["mcpServers"]["protected"]["headers"] == {
        "Authorization": f"Bearer {token}"
    }

    edit = text(await client.get(f"/servers/{record.pk}/edit"))
    assert token not in edit
    # Sent back as shown (masked), the token keeps its stored value and still connects.
    await client.post(
        f"/servers/{record.pk}/edit",
        {**form, "name": "protected", "bearer_token": f"{token[:4]}{MASK}"},
    )
    record = await SavedServer.objects.aget(name="protected")
    assert encryption.decrypt_json(record.bearer_token_encrypted) == token
    response = await client.post(f"/servers/{record.pk}/connect")
    assert response.status_code == 302, text(response)[:2000]


async def test_a_token_and_an_authorization_header_together_are_refused(
    client: AsyncClient,
) -> None:
    response = await client.post(
        "/connect",
        connect_form(
            transport="http",
            url="http://127.0.0.1:9/mcp",
            headers="Authorization: Basic abc",
            bearer_token="t0k3n",
        ),
    )
    assert "give the token in one place only" in text(response)
