"""OAuth under the 2026-07-28 rules at the sessions layer, against the real authorization
server and protected MCP server of `tests/servers/oauth_mcp.py`: the modern era's first
request refused and answered with a token, the redirect's `iss` compared as a plain string
(RFC 9207, SEP-2468), and credentials that stay with the authorization server that issued
them (SEP-2352)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import replace

import pytest

from inspector.mcp.auth.states import FlowState, StepName
from inspector.mcp.auth.store import MemoryTokenStore
from inspector.mcp.auth.tokens import ClientRegistration
from inspector.mcp.errors import AuthError
from inspector.mcp.trace import Direction
from inspector.mcp.versions import Era, EraChoice
from inspector.sessions.session import LiveSession
from inspector.sessions.status import SessionStatus
from tests.servers.oauth_harness import OAuthServers
from tests.sessions.memory_store import MemoryStore
from tests.sessions.test_oauth import approve_in_browser, oauth_spec, status_of

Redirect = dict[str, str]


@pytest.fixture
async def made() -> AsyncIterator[list[LiveSession]]:
    sessions: list[LiveSession] = []
    yield sessions
    for session in sessions:
        await session.close()


def token_grants(servers: OAuthServers) -> list[str]:
    return [entry["grant_type"] for entry in servers.as_log() if "grant_type" in entry]


async def test_the_modern_eras_first_request_is_refused_then_sent_with_the_token(
    oauth_servers: OAuthServers, made: list[LiveSession]
) -> None:
    store = MemoryStore()
    spec = replace(oauth_spec(oauth_servers), era=EraChoice.MODERN)
    session = LiveSession(spec, store=store)
    made.append(session)
    await session.start()

    # No handshake in this era: the refusal is the one of its first request, and the
    # person is asked to authorize just as in the legacy era.
    assert session.status is SessionStatus.FAILED
    assert session.needs_authorization
    assert session.authorization is not None
    assert session.authorization.status == 401

    await (await session.begin_authorization()).run(approve_in_browser)
    await session.authorized()
    assert status_of(session) is SessionStatus.CONNECTED
    assert session.era is Era.MODERN
    result = await session.request("tools/call", {"name": "add", "arguments": {"a": 2, "b": 3}})
    assert result["content"][0]["text"] == "5"
    await session.close()
    sent = [
        event.method
        for event in store.events[session.id]
        if event.direction is Direction.OUT and event.method is not None
    ]
    # The discovery refused, the same discovery with the token, then the call.
    assert sent[0] == "server/discover"
    assert sent.count("server/discover") == 2
    assert "tools/call" in sent


async def authorize_with(
    servers: OAuthServers, made: list[LiveSession], tamper: Callable[[Redirect], Redirect]
) -> AuthError:
    session = LiveSession(oauth_spec(servers))
    made.append(session)
    await session.start()
    flow = await session.begin_authorization()

    async def browser(url: str) -> Redirect:
        return tamper(await approve_in_browser(url))

    with pytest.raises(AuthError) as failed:
        await flow.run(browser)
    assert flow.state is FlowState.FAILED
    assert flow.error is not None
    assert flow.error.step == StepName.REDIRECT
    assert flow.tokens is None
    return failed.value


async def test_an_iss_of_another_server_is_refused_before_the_code_is_redeemed(
    oauth_servers: OAuthServers, made: list[LiveSession]
) -> None:
    grants_before = token_grants(oauth_servers)
    error = await authorize_with(
        oauth_servers, made, lambda params: {**params, "iss": "https://evil.example.com"}
    )
    assert "iss 'https://evil.example.com' is not the issuer" in error.message
    assert token_grants(oauth_servers) == grants_before


async def test_the_issuer_with_a_trailing_slash_is_another_issuer(
    oauth_servers: OAuthServers, made: list[LiveSession]
) -> None:
    # A plain string comparison: no URL normalization makes the two equal.
    error = await authorize_with(
        oauth_servers, made, lambda params: {**params, "iss": params["iss"] + "/"}
    )
    assert f"iss '{oauth_servers.issuer}/' is not the issuer" in error.message


async def test_a_missing_iss_is_refused_when_the_server_advertises_it(
    oauth_servers: OAuthServers, made: list[LiveSession]
) -> None:
    error = await authorize_with(
        oauth_servers,
        made,
        lambda params: {name: value for name, value in params.items() if name != "iss"},
    )
    assert "advertises the iss parameter but the redirect lacks it" in error.message


async def test_credentials_of_the_previous_authorization_server_are_not_reused(
    oauth_servers: OAuthServers, made: list[LiveSession]
) -> None:
    # The server used to name another authorization server, whose registration is kept;
    # now that it names this one, the flow registers here instead of reusing it.
    tokens = MemoryTokenStore()
    previous_issuer = "https://previous-as.example.com"
    resource = oauth_servers.mcp_url
    await tokens.save_client(
        resource,
        ClientRegistration(
            "old-client", "old-secret", "client_secret_basic", "dynamic", previous_issuer
        ),
    )
    session = LiveSession(oauth_spec(oauth_servers), token_store=tokens)
    made.append(session)
    await session.start()
    flow = await session.begin_authorization()
    granted = await flow.run(approve_in_browser)
    assert flow.client is not None
    assert flow.client.client_id != "old-client"
    assert flow.client.source == "dynamic"
    assert granted.issuer == oauth_servers.issuer
    assert not any("old-client" in str(entry) for entry in oauth_servers.as_log())
    kept = await tokens.get_client(previous_issuer, resource)
    assert kept is not None
    assert kept.client_id == "old-client"


async def test_a_modern_request_refused_with_401_is_retried_with_a_refreshed_token(
    oauth_servers: OAuthServers, made: list[LiveSession]
) -> None:
    tokens = MemoryTokenStore()
    spec = replace(oauth_spec(oauth_servers), era=EraChoice.MODERN)
    session = LiveSession(spec, token_store=tokens)
    made.append(session)
    await session.start()
    granted = await (await session.begin_authorization()).run(approve_in_browser)
    await session.authorized()
    assert session.status is SessionStatus.CONNECTED
    # The server stops honouring the access token mid-session; the refresh token works.
    await tokens.save_tokens(replace(granted, access_token="revoked"))
    result = await session.request("tools/call", {"name": "add", "arguments": {"a": 1, "b": 1}})
    assert result["content"][0]["text"] == "2"
    refreshed = await tokens.get_tokens(granted.resource)
    assert refreshed is not None
    assert refreshed.access_token not in {"revoked", granted.access_token}
