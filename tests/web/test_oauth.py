"""OAuth from the web layer, against the fixture authorization server and protected MCP
server: the refusal said plainly, quick and guided flows through the callback, the state
bound to the browser's session, tokens stored encrypted and shown masked, the client
metadata document, and client_credentials."""

from __future__ import annotations

import asyncio
import html
import json
import re
from typing import Any
from urllib.parse import parse_qs, parse_qsl, urlsplit

import httpx
import pytest
from django.contrib.sessions.models import Session
from django.test import AsyncClient

from inspector import services
from inspector.mcp.masking import MASK
from inspector.models import OAuthCredential, SavedServer
from inspector.services import runtime
from inspector.storage import encryption
from inspector.views.oauth import SESSION_KEY
from tests.servers.oauth_as import CONFIDENTIAL_CLIENT_ID, CONFIDENTIAL_CLIENT_SECRET
from tests.servers.oauth_harness import OAuthServers, run_oauth_servers
from tests.web.support import connect_form

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("private_key")]


def text(response: Any) -> str:
    return html.unescape(response.content.decode())


async def connect_refused(client: AsyncClient, servers: OAuthServers) -> str:
    """Connect to the protected server without a token: the page of the refused session."""
    response = await client.post("/connect", connect_form(transport="http", url=servers.mcp_url))
    assert response.status_code == 302, text(response)[:2000]
    match = re.fullmatch(r"/sessions/([0-9a-f]{32})/", response["Location"])
    assert match
    return match.group(1)


def approve(authorization_url: str) -> str:
    """What a person does at the authorization server: click Approve. Returns the URL the
    browser is sent back to."""
    page = httpx.get(authorization_url)
    assert page.status_code == 200, page.text
    request_id = re.search(r'name="request" value="([^"]+)"', page.text)
    assert request_id, page.text
    decision_url = str(page.url.join("authorize/decision"))
    answer = httpx.post(decision_url, data={"request": request_id[1], "decision": "approve"})
    assert answer.status_code == 302, answer.text
    return answer.headers["location"]


async def start_quickly(client: AsyncClient, session_id: str) -> str:
    """Press Authorize: a page of the inspector's own opens the authorization URL."""
    page = await client.post(f"/sessions/{session_id}/auth/quick")
    assert page.status_code == 200, text(page)[:2000]
    target = re.search(r'content="0;url=([^"]+)"', page.content.decode())
    assert target, text(page)
    return html.unescape(target[1])


async def come_back(client: AsyncClient, redirect: str) -> Any:
    """The browser at the redirect URI: the callback forwards it to `complete`."""
    parts = urlsplit(redirect)
    bounce = await client.get(f"{parts.path}?{parts.query}")
    assert bounce.status_code == 200
    target = re.search(r'content="0;url=([^"]+)"', bounce.content.decode())
    assert target, text(bounce)
    return await client.get(html.unescape(target[1]))


async def call_add(client: AsyncClient, session_id: str) -> str:
    await client.get(f"/sessions/{session_id}/list/tools")
    return text(
        await client.post(
            f"/sessions/{session_id}/tools/call",
            {"tool": "add", "source": "json", "arguments_json": '{"a": 20, "b": 22}'},
        )
    )


async def test_quick_mode_redirects_to_approve_and_comes_back_connected(
    client: AsyncClient, oauth_servers: OAuthServers
) -> None:
    session_id = await connect_refused(client, oauth_servers)
    page = text(await client.get(f"/sessions/{session_id}/"))
    assert "This server requires authorization." in page
    assert oauth_servers.resource_metadata_url in page
    assert 'id="tab-auth"' in page

    authorization_url = await start_quickly(client, session_id)
    assert authorization_url.startswith(oauth_servers.issuer + "/authorize?")
    query = parse_qs(urlsplit(authorization_url).query)
    assert query["resource"] == [oauth_servers.mcp_url]
    assert query["code_challenge_method"] == ["S256"]
    assert query["scope"] == ["mcp:tools"]

    back = await come_back(client, approve(authorization_url))
    assert back.status_code == 302
    assert back["Location"] == f"/sessions/{session_id}/#auth"
    snapshot = await services.session_get(session_id=session_id)
    assert snapshot.connected, snapshot.error
    assert '"result": 42' in await call_add(client, session_id)

    panel = text(await client.get(f"/sessions/{session_id}/auth/"))
    assert "No token is stored" not in panel
    assert "mcp:tools" in panel
    assert oauth_servers.issuer in panel
    assert f'"aud": "{oauth_servers.mcp_url}"' in panel, "the decoded claims are shown"
    (row,) = [row async for row in OAuthCredential.objects.filter(kind="tokens")]
    stored = encryption.decrypt_json(row.data_encrypted)
    assert stored["access_token"] not in panel
    assert stored["access_token"][:4] + MASK in panel
    assert stored["access_token"] not in row.data_encrypted
    assert stored["refresh_token"] not in panel


async def test_a_response_whose_state_this_browser_did_not_start_is_refused(
    client: AsyncClient, stranger: AsyncClient, oauth_servers: OAuthServers, settings: Any
) -> None:
    session_id = await connect_refused(client, oauth_servers)
    redirect = approve(await start_quickly(client, session_id))
    # Another browser with the access token, but not the session that began the flow.
    other = AsyncClient(headers={"host": "127.0.0.1"})
    other.cookies[settings.INSPECTOR_TOKEN_COOKIE] = settings.INSPECTOR_TOKEN
    refused = await come_back(other, redirect)
    assert refused.status_code == 400
    assert "does not belong to a flow this browser started" in text(refused)
    assert not (await services.session_get(session_id=session_id)).connected
    # Forged state in the right browser: refused too, and the real one still works.
    parts = urlsplit(redirect)
    forged = re.sub(r"state=[^&]+", "state=forged", parts.query)
    assert (await come_back(client, f"{parts.path}?{forged}")).status_code == 400
    assert (await come_back(client, redirect)).status_code == 302
    assert (await services.session_get(session_id=session_id)).connected
    # And used once only.
    assert (await come_back(client, redirect)).status_code == 400


async def test_the_callback_forwards_without_the_access_token_but_acts_on_nothing(
    stranger: AsyncClient,
) -> None:
    bounce = await stranger.get("/oauth/callback?code=abc&state=xyz")
    assert bounce.status_code == 200
    assert "/oauth/callback/complete?code=abc&amp;state=xyz" in bounce.content.decode()
    assert (await stranger.get("/oauth/callback/complete?code=abc&state=xyz")).status_code == 403


async def test_guided_mode_runs_one_step_per_continue_showing_each_exchange(
    client: AsyncClient, oauth_servers: OAuthServers
) -> None:
    session_id = await connect_refused(client, oauth_servers)
    panel = text(await client.post(f"/sessions/{session_id}/auth/guided"))
    assert "Continue" in panel
    assert "1. Protected resource metadata" not in panel

    first = text(await client.post(f"/sessions/{session_id}/auth/step"))
    assert "1. Protected resource metadata" in first
    assert f"GET {oauth_servers.resource_metadata_url} → 200" in first
    assert '"authorization_servers"' in first
    assert "2. Authorization server metadata" not in first

    second = text(await client.post(f"/sessions/{session_id}/auth/step"))
    assert "2. Authorization server metadata" in second
    assert '"code_challenge_methods_supported"' in second

    third = text(await client.post(f"/sessions/{session_id}/auth/step"))
    assert "3. Client registration" in third
    assert f"POST {oauth_servers.issuer}/register → 201" in third

    fourth = text(await client.post(f"/sessions/{session_id}/auth/step"))
    assert "4. Authorization request" in fourth
    link = re.search(r'href="(http://[^"]+/authorize\?[^"]+)"', fourth)
    assert link, fourth
    assert "code_verifier" not in fourth
    assert "Continue</button>" not in fourth

    back = await come_back(client, approve(html.unescape(link[1])))
    assert back.status_code == 302
    done = text(await client.get(f"/sessions/{session_id}/auth/"))
    assert "Authorized: the token is stored" in done
    assert "Token request" in done
    assert (await services.session_get(session_id=session_id)).connected
    events = await services.event_list_after(session_id=session_id, after_seq=0, limit=10_000)
    auth_steps = [event.text for event in events if event.kind.value == "auth"]
    assert any("protected resource metadata" in line for line in auth_steps)
    assert any("token request" in line for line in auth_steps)
    recorded = json.dumps([event.to_dict() for event in events], ensure_ascii=False)
    assert "code_verifier=" in recorded, "the token request is recorded"
    for secret in ("code_verifier", "code", "access_token", "refresh_token"):
        unmasked = rf'\b{secret}(=|": ")[A-Za-z0-9_.-]{{13,}}'
        assert not re.search(unmasked, recorded), f"{secret} is recorded unmasked"


async def test_a_failed_step_says_which_and_why(
    client: AsyncClient, oauth_servers: OAuthServers
) -> None:
    session_id = await connect_refused(client, oauth_servers)
    await client.post(
        f"/sessions/{session_id}/auth/client",
        {"grant_type": "authorization_code", "client_id": "", "client_secret": "", "scope": "nope"},
    )
    redirect = approve_or_error(await start_quickly(client, session_id))
    back = await come_back(client, redirect)
    assert back.status_code == 302
    panel = text(await client.get(f"/sessions/{session_id}/auth/"))
    assert "The step “authorization response” failed:" in panel
    assert "invalid_scope" in panel


def approve_or_error(authorization_url: str) -> str:
    """An authorization request the server refuses is redirected back at once."""
    answer = httpx.get(authorization_url)
    assert answer.status_code == 302, answer.text
    return answer.headers["location"]


async def test_client_credentials_need_no_browser(
    client: AsyncClient, oauth_servers: OAuthServers
) -> None:
    session_id = await connect_refused(client, oauth_servers)
    saved = text(
        await client.post(
            f"/sessions/{session_id}/auth/client",
            {
                "grant_type": "client_credentials",
                "client_id": CONFIDENTIAL_CLIENT_ID,
                "client_secret": CONFIDENTIAL_CLIENT_SECRET,
                "scope": "",
            },
        )
    )
    assert CONFIDENTIAL_CLIENT_SECRET not in saved
    assert "The client settings are kept" in saved
    done = await client.post(f"/sessions/{session_id}/auth/quick")
    assert done["Location"] == f"/sessions/{session_id}/#auth"
    assert (await services.session_get(session_id=session_id)).connected
    assert '"result": 42' in await call_add(client, session_id)
    page = text(await client.get(f"/sessions/{session_id}/"))
    assert CONFIDENTIAL_CLIENT_SECRET not in page


async def test_the_client_metadata_document_names_its_own_url_and_callback(
    stranger: AsyncClient, settings: Any
) -> None:
    response = await stranger.get("/oauth/client-metadata.json")
    assert response.status_code == 200, "an authorization server fetches it without a token"
    document = response.json()
    origin = document["client_id"].removesuffix("/oauth/client-metadata.json")
    assert origin.startswith("http://")
    assert document["redirect_uris"] == [f"{origin}/oauth/callback"]
    assert document["token_endpoint_auth_method"] == "none"
    assert document["grant_types"] == ["authorization_code", "refresh_token"]
    settings.INSPECTOR_OAUTH_CLIENT_ID_URL = "https://inspector.example.com/oauth/client.json"
    configured = (await stranger.get("/oauth/client-metadata.json")).json()
    assert configured["client_id"] == "https://inspector.example.com/oauth/client.json"
    assert configured["redirect_uris"] == ["https://inspector.example.com/oauth/callback"]


async def authorize_quickly(client: AsyncClient, session_id: str) -> str:
    """Quick mode through the approval; returns the authorization URL that was opened."""
    authorization_url = await start_quickly(client, session_id)
    back = await come_back(client, approve(authorization_url))
    assert back.status_code == 302
    return authorization_url


async def call_tool(client: AsyncClient, session_id: str, name: str, arguments: str) -> str:
    return text(
        await client.post(
            f"/sessions/{session_id}/tools/call",
            {"tool": name, "source": "json", "arguments_json": arguments},
        )
    )


async def test_a_tool_that_needs_more_scope_steps_up_with_the_union_of_scopes(
    client: AsyncClient, oauth_servers: OAuthServers
) -> None:
    session_id = await connect_refused(client, oauth_servers)
    await authorize_quickly(client, session_id)
    await client.get(f"/sessions/{session_id}/list/tools")
    refused = await call_tool(client, session_id, "admin_secret", "{}")
    assert "refused the call for want of authorization" in refused
    assert "mcp:admin" in refused

    step_up = await authorize_quickly(client, session_id)
    (scope,) = parse_qs(urlsplit(step_up).query)["scope"]
    assert set(scope.split()) == {"mcp:tools", "mcp:admin"}
    assert "the vault code is 0451" in await call_tool(client, session_id, "admin_secret", "{}")
    panel = text(await client.get(f"/sessions/{session_id}/auth/"))
    shown = re.search(r'id="auth-token-scope">([^<]+)<', panel)
    assert shown
    assert set(shown[1].split()) == {"mcp:tools", "mcp:admin"}


async def test_an_expired_token_is_refreshed_and_the_call_still_works(
    client: AsyncClient,
) -> None:
    with run_oauth_servers(access_token_seconds=1) as servers:
        session_id = await connect_refused(client, servers)
        await authorize_quickly(client, session_id)
        await asyncio.sleep(1.2)
        assert '"result": 42' in await call_add(client, session_id)
        events = await services.event_list_after(session_id=session_id, after_seq=0, limit=10_000)
        refreshes = [e.text for e in events if e.kind.value == "auth" and "refresh" in e.text]
        assert refreshes, "the refresh is recorded"
        grants = [entry.get("grant_type") for entry in servers.as_log()]
        assert "refresh_token" in grants


async def test_a_saved_server_keeps_its_oauth_client_encrypted_and_masked(
    client: AsyncClient, oauth_servers: OAuthServers
) -> None:
    form = connect_form(
        transport="http",
        url=oauth_servers.mcp_url,
        oauth_grant_type="client_credentials",
        oauth_client_id=CONFIDENTIAL_CLIENT_ID,
        oauth_client_secret=CONFIDENTIAL_CLIENT_SECRET,
        oauth_scope="mcp:tools mcp:admin",
        save_as="machine",
    )
    await client.post("/servers/save", form)
    record = await SavedServer.objects.aget(name="machine")
    assert CONFIDENTIAL_CLIENT_SECRET not in record.oauth_encrypted
    edit = text(await client.get(f"/servers/{record.pk}/edit"))
    assert CONFIDENTIAL_CLIENT_SECRET not in edit
    masked_secret = CONFIDENTIAL_CLIENT_SECRET[:4] + MASK
    assert f'value="{masked_secret}"' in edit
    # Saved back as shown, the secret is kept.
    await client.post(
        f"/servers/{record.pk}/edit",
        {**form, "name": "machine", "oauth_client_secret": masked_secret},
    )
    exported = await client.post("/servers/export", {"server": record.pk})
    oauth = json.loads(exported.content)["mcpServers"]["machine"]["inspector"]["oauth"]
    assert oauth == {
        "grantType": "client_credentials",
        "clientId": CONFIDENTIAL_CLIENT_ID,
        "clientSecret": masked_secret,
        "scope": "mcp:tools mcp:admin",
    }

    connected = await client.post(f"/servers/{record.pk}/connect")
    session_id = connected["Location"].split("/")[2]
    done = await client.post(f"/sessions/{session_id}/auth/quick")
    assert done["Location"] == f"/sessions/{session_id}/#auth"
    await client.get(f"/sessions/{session_id}/list/tools")
    assert "the vault code is 0451" in await call_tool(client, session_id, "admin_secret", "{}")


async def test_flows_begun_and_abandoned_do_not_use_up_the_attempts(
    client: AsyncClient, oauth_servers: OAuthServers
) -> None:
    session_id = await connect_refused(client, oauth_servers)
    # A person who leaves the authorization server's page without answering, again and
    # again, has tried nothing the server refused: the next try must still work.
    for _ in range(4):
        authorization_url = await start_quickly(client, session_id)
    back = await come_back(client, approve(authorization_url))
    assert back.status_code == 302
    snapshot = await services.session_get(session_id=session_id)
    assert snapshot.connected, snapshot.error


async def test_what_the_browser_keeps_of_a_flow_is_encrypted(
    client: AsyncClient, oauth_servers: OAuthServers
) -> None:
    session_id = await connect_refused(client, oauth_servers)
    await start_quickly(client, session_id)
    session = runtime.registry().get(session_id)
    assert session is not None
    pending = session.interactive_auth.pending()
    assert pending is not None
    verifier = pending.code_verifier
    kept = [row.get_decoded() async for row in Session.objects.all()]
    assert any(SESSION_KEY in data for data in kept), "the flow is bound to the browser"
    assert verifier not in json.dumps(kept)


async def test_behind_a_tls_proxy_the_metadata_document_names_https_urls(
    client: AsyncClient, settings: Any
) -> None:
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    response = await client.get(
        "/oauth/client-metadata.json", headers={"x-forwarded-proto": "https"}
    )
    document = response.json()
    client_id, (redirect,) = urlsplit(document["client_id"]), document["redirect_uris"]
    assert (client_id.scheme, client_id.path) == ("https", "/oauth/client-metadata.json")
    assert redirect == f"https://{client_id.netloc}/oauth/callback"


@pytest.mark.parametrize("action", ["client", "quick", "guided", "step", "forget"])
async def test_a_stdio_session_has_no_auth_and_nothing_is_done_for_it(
    client: AsyncClient, action: str
) -> None:
    connected = await client.post("/connect", connect_form())
    session_id = connected["Location"].split("/")[2]
    before = (await services.session_get(session_id=session_id)).last_seq
    refused = await client.post(f"/sessions/{session_id}/auth/{action}", {"grant_type": ""})
    assert refused.status_code == 404
    await asyncio.sleep(0.3)  # anything begun would have recorded an event by now
    assert (await services.session_get(session_id=session_id)).last_seq == before


async def test_the_same_authorization_response_twice_is_refused_the_second_time(
    client: AsyncClient, oauth_servers: OAuthServers
) -> None:
    # As when a reload and the first load race: both got past the browser's session.
    session_id = await connect_refused(client, oauth_servers)
    redirect = approve(await start_quickly(client, session_id))
    pending = await services.auth_pending_get(session_id=session_id)
    assert pending is not None
    params = dict(parse_qsl(urlsplit(redirect).query))
    await services.auth_complete(session_id=session_id, sealed=pending.sealed, params=params)
    assert (await services.session_get(session_id=session_id)).connected
    with pytest.raises(services.AuthFlowMissing, match="already used"):
        await services.auth_complete(session_id=session_id, sealed=pending.sealed, params=params)
