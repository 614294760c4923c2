"""OAuth at the sessions layer, against a real authorization server and a protected MCP
server (`tests/servers/oauth_mcp.py`): the refusal a person sees, the flow step by step,
the token sent afterwards, refresh, step-up and client credentials."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qsl

import httpx
import pytest

from inspector.mcp import network
from inspector.mcp.auth.config import CLIENT_CREDENTIALS, OAuthSettings
from inspector.mcp.auth.flow import AuthFlow
from inspector.mcp.auth.pending import PendingAuthorization
from inspector.mcp.auth.states import FlowState, StepName
from inspector.mcp.auth.store import MemoryTokenStore
from inspector.mcp.auth.tokens import Tokens, authenticated, refresh_grant
from inspector.mcp.errors import AuthError, AuthorizationRequired
from inspector.mcp.trace import EventKind
from inspector.sessions.session import LiveSession
from inspector.sessions.spec import ConnectionSpec, TransportKind
from inspector.sessions.status import SessionStatus
from tests.servers.oauth_as import CONFIDENTIAL_CLIENT_ID, CONFIDENTIAL_CLIENT_SECRET
from tests.servers.oauth_harness import OAuthServers, run_oauth_servers
from tests.servers.oauth_mcp import ADMIN_SECRET
from tests.sessions.memory_store import MemoryStore

REDIRECT_URI = "http://127.0.0.1:9/oauth/callback"


class _ConsentForm(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.action = ""
        self.fields: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "form":
            self.action = values.get("action", "")
        elif tag == "input" and values.get("type") == "hidden":
            self.fields[values.get("name", "")] = values.get("value", "")


async def approve_in_browser(authorization_url: str) -> dict[str, str]:
    """What a person does: open the page, press Approve; the redirect's query comes back."""
    async with httpx.AsyncClient(follow_redirects=False, timeout=10.0) as http:
        page = await http.get(authorization_url)
        assert page.status_code == 200, page.text
        form = _ConsentForm()
        form.feed(page.text)
        decision = await http.post(
            str(page.url.join(form.action)), data={**form.fields, "decision": "approve"}
        )
    location = decision.headers["location"]
    assert location.startswith(REDIRECT_URI)
    return dict(parse_qsl(httpx.URL(location).query.decode()))


# Read through functions: mypy would otherwise keep a status narrowed by an earlier
# assertion, though the awaited calls in between change it.
def state_of(flow: AuthFlow) -> FlowState:
    return flow.state


def status_of(session: LiveSession) -> SessionStatus:
    return session.status


def oauth_spec(servers: OAuthServers, **settings: object) -> ConnectionSpec:
    return ConnectionSpec(
        TransportKind.HTTP,
        url=servers.mcp_url,
        connect_timeout=10.0,
        request_timeout=10.0,
        oauth=OAuthSettings(redirect_uri=REDIRECT_URI, **settings),  # type: ignore[arg-type]
    )


@pytest.fixture
async def made() -> AsyncIterator[list[LiveSession]]:
    sessions: list[LiveSession] = []
    yield sessions
    for session in sessions:
        await session.close()


async def opened(made: list[LiveSession], spec: ConnectionSpec, **options: Any) -> LiveSession:
    """A session, started (and closed after the test)."""
    session = LiveSession(spec, **options)
    made.append(session)
    await session.start()
    return session


async def authorize(session: LiveSession) -> Tokens:
    """The whole flow in quick mode, a person approving in the browser."""
    return await (await session.begin_authorization()).run(approve_in_browser)


async def test_a_refusal_then_the_guided_flow_then_the_connection(
    oauth_servers: OAuthServers, made: list[LiveSession]
) -> None:
    store = MemoryStore()
    session = await opened(made, oauth_spec(oauth_servers), store=store)

    assert session.status is SessionStatus.FAILED
    refusal = session.authorization
    assert refusal is not None
    assert refusal.status == 401
    assert refusal.challenge is not None
    assert refusal.challenge.resource_metadata == oauth_servers.resource_metadata_url
    assert session.error is not None
    assert "requires authorization" in str(session.error)
    assert "mcp:tools" in str(session.error)

    flow = await session.begin_authorization()
    names = []
    while flow.state is FlowState.READY:
        step = await flow.step()
        assert step.ok, step.error
        names.append(step.name)
    assert names == [
        StepName.RESOURCE_METADATA,
        StepName.SERVER_METADATA,
        StepName.REGISTRATION,
        StepName.AUTHORIZATION,
    ]
    assert flow.state is FlowState.AWAITING_REDIRECT
    assert flow.authorization_url is not None
    assert flow.server_metadata is not None
    assert flow.server_metadata.issuer == oauth_servers.issuer
    assert flow.client is not None
    assert flow.client.source == "dynamic"

    last = await flow.complete(await approve_in_browser(flow.authorization_url))
    assert last.ok, last.error
    assert last.name is StepName.TOKEN
    assert last.learned["access_token_claims"]["aud"] == oauth_servers.mcp_url
    assert state_of(flow) is FlowState.DONE

    await session.authorized()
    assert status_of(session) is SessionStatus.CONNECTED
    assert session.authorization is None
    result = await session.request("tools/call", {"name": "add", "arguments": {"a": 2, "b": 3}})
    assert result["content"][0]["text"] == "5"

    await session.close()
    assert flow.tokens is not None
    events = store.events[session.id]
    auth_texts = [event.text for event in events if event.kind is EventKind.AUTH]
    assert any("authorization server metadata" in text for text in auth_texts)
    assert any("token request" in text for text in auth_texts)
    # Every exchange is on record, and no secret is.
    everything = " ".join(str(event.to_dict()) for event in events)
    assert flow.tokens.access_token not in everything
    assert flow.tokens.refresh_token is not None
    assert flow.tokens.refresh_token not in everything
    assert flow.pending is not None
    assert flow.pending.code_verifier not in everything


async def test_step_up_asks_for_the_union_of_scopes(
    oauth_servers: OAuthServers, made: list[LiveSession]
) -> None:
    session = await opened(made, oauth_spec(oauth_servers))
    await authorize(session)
    await session.authorized()
    assert session.status is SessionStatus.CONNECTED

    with pytest.raises(AuthorizationRequired) as refused:
        await session.request("tools/call", {"name": "admin_secret", "arguments": {}})
    assert refused.value.status == 403
    assert refused.value.needed_scope == "mcp:admin"

    flow = await session.begin_authorization()
    tokens = await flow.run(approve_in_browser)
    assert tokens.scopes == {"mcp:tools", "mcp:admin"}
    await session.authorized()
    result = await session.request("tools/call", {"name": "admin_secret", "arguments": {}})
    assert result["content"][0]["text"] == ADMIN_SECRET


async def test_a_configured_scope_does_not_block_step_up(
    oauth_servers: OAuthServers, made: list[LiveSession]
) -> None:
    session = await opened(made, oauth_spec(oauth_servers, scope="mcp:tools"))
    await authorize(session)
    await session.authorized()
    with pytest.raises(AuthorizationRequired):
        await session.request("tools/call", {"name": "admin_secret", "arguments": {}})
    tokens = await authorize(session)
    assert tokens.scopes == {"mcp:tools", "mcp:admin"}


async def test_a_reauthorization_after_401_keeps_the_granted_scope(
    oauth_servers: OAuthServers, made: list[LiveSession]
) -> None:
    store = MemoryTokenStore()
    session = await opened(made, oauth_spec(oauth_servers), token_store=store)
    granted = await authorize(session)
    # A token with the admin scope that the server no longer honours, nor its refresh.
    await store.save_tokens(
        replace(granted, access_token="revoked", refresh_token=None, scope="mcp:tools mcp:admin")
    )
    await session.authorized()
    assert session.authorization is not None
    assert session.authorization.status == 401
    tokens = await authorize(session)
    assert tokens.scopes == {"mcp:tools", "mcp:admin"}


async def test_a_token_about_to_expire_is_refreshed_before_use(made: list[LiveSession]) -> None:
    # Tokens that live 5 s are refreshed in the last half of their life.
    with run_oauth_servers(access_token_seconds=5.0) as servers:
        session = await opened(made, oauth_spec(servers))
        first = await authorize(session)
        await session.authorized()
        assert session.status is SessionStatus.CONNECTED
        await session.request("tools/list")
        unchanged = await session.token_store.get_tokens(first.resource)
        assert unchanged is not None
        assert unchanged.access_token == first.access_token
        await asyncio.sleep(2.6)
        await session.request("tools/list")
        current = await session.token_store.get_tokens(first.resource)
        assert current is not None
        assert current.access_token != first.access_token
        grants = [entry.get("grant_type") for entry in servers.as_log()]
        assert "refresh_token" in grants
        await session.close()


async def test_a_refresh_that_cannot_reach_the_server_keeps_the_tokens(
    oauth_servers: OAuthServers, made: list[LiveSession]
) -> None:
    store = MemoryTokenStore()
    events = MemoryStore()
    session = await opened(made, oauth_spec(oauth_servers), token_store=store, store=events)
    granted = await authorize(session)
    # Due for a refresh, at a token endpoint nobody answers (the discard port).
    now = time.time()
    unreachable = replace(
        granted,
        token_endpoint="http://127.0.0.1:9/token",
        obtained_at=now - 3600,
        expires_at=now + 10,
    )
    await store.save_tokens(unreachable)
    await session.authorized()
    assert status_of(session) is SessionStatus.CONNECTED
    kept = await store.get_tokens(granted.resource)
    assert kept == unreachable  # still usable for 10 s, and refreshable later
    await session.close()
    failed = [
        event.text
        for event in events.events[session.id]
        if event.kind is EventKind.AUTH and "token refresh: failed" in event.text
    ]
    assert failed
    assert "the tokens are kept" in failed[-1]


async def test_an_expired_token_that_cannot_be_refreshed_is_not_sent(
    oauth_servers: OAuthServers, made: list[LiveSession]
) -> None:
    store = MemoryTokenStore()
    session = await opened(made, oauth_spec(oauth_servers), token_store=store)
    granted = await authorize(session)
    now = time.time()
    expired = replace(
        granted,
        token_endpoint="http://127.0.0.1:9/token",
        obtained_at=now - 3600,
        expires_at=now - 1,
    )
    await store.save_tokens(expired)
    await session.authorized()
    # The server's own challenge reaches the person, not a refusal of a stale token.
    assert status_of(session) is SessionStatus.FAILED
    assert session.authorization is not None
    assert session.authorization.challenge is not None
    assert session.authorization.challenge.error is None  # no token was sent
    assert await store.get_tokens(granted.resource) == expired


async def test_concurrent_401s_under_client_credentials_run_one_flow(
    oauth_servers: OAuthServers, made: list[LiveSession]
) -> None:
    store = MemoryTokenStore()
    session = await opened(
        made,
        oauth_spec(
            oauth_servers,
            grant_type=CLIENT_CREDENTIALS,
            client_id=CONFIDENTIAL_CLIENT_ID,
            client_secret=CONFIDENTIAL_CLIENT_SECRET,
        ),
        token_store=store,
    )
    assert session.status is SessionStatus.CONNECTED, session.error
    granted = await store.get_tokens(session.spec.url)
    assert granted is not None
    await store.save_tokens(replace(granted, access_token="revoked", refresh_token=None))

    def grants() -> int:
        log = oauth_servers.as_log()
        return sum(entry.get("grant_type") == CLIENT_CREDENTIALS for entry in log)

    before = grants()
    results = await asyncio.gather(*(session.request("tools/list") for _ in range(5)))
    assert all("tools" in result for result in results)
    assert grants() == before + 1


async def test_a_revoked_token_is_refreshed_on_401(
    oauth_servers: OAuthServers, made: list[LiveSession]
) -> None:
    tokens = MemoryTokenStore()
    session = await opened(made, oauth_spec(oauth_servers), token_store=tokens)
    granted = await authorize(session)
    # The server no longer honours the access token; the refresh token still works.
    await tokens.save_tokens(replace(granted, access_token="revoked"))
    await session.authorized()
    assert session.status is SessionStatus.CONNECTED
    refreshed = await tokens.get_tokens(granted.resource)
    assert refreshed is not None
    assert refreshed.access_token not in {"revoked", granted.access_token}


async def test_client_credentials_connect_without_a_browser(
    oauth_servers: OAuthServers, made: list[LiveSession]
) -> None:
    session = await opened(
        made,
        oauth_spec(
            oauth_servers,
            grant_type=CLIENT_CREDENTIALS,
            client_id=CONFIDENTIAL_CLIENT_ID,
            client_secret=CONFIDENTIAL_CLIENT_SECRET,
        ),
    )
    assert session.status is SessionStatus.CONNECTED, session.error
    result = await session.request("tools/list")
    assert "add" in [tool["name"] for tool in result["tools"]]


async def deny_in_browser(authorization_url: str) -> dict[str, str]:
    async with httpx.AsyncClient(follow_redirects=False, timeout=10.0) as http:
        page = await http.get(authorization_url)
        form = _ConsentForm()
        form.feed(page.text)
        decision = await http.post(
            str(page.url.join(form.action)), data={**form.fields, "decision": "deny"}
        )
    return dict(parse_qsl(httpx.URL(decision.headers["location"]).query.decode()))


async def test_a_denied_authorization_fails_naming_the_step(
    oauth_servers: OAuthServers, made: list[LiveSession]
) -> None:
    session = await opened(made, oauth_spec(oauth_servers))
    flow = await session.begin_authorization()
    with pytest.raises(AuthError) as failed:
        await flow.run(deny_in_browser)
    assert failed.value.step == StepName.REDIRECT
    assert "access_denied" in failed.value.message
    assert state_of(flow) is FlowState.FAILED
    assert flow.steps[-1].name is StepName.REDIRECT
    assert not flow.steps[-1].ok


async def test_a_redirect_with_another_state_is_refused(
    oauth_servers: OAuthServers, made: list[LiveSession]
) -> None:
    session = await opened(made, oauth_spec(oauth_servers))
    flow = await session.begin_authorization()
    while flow.state is FlowState.READY:
        await flow.step()
    assert flow.authorization_url is not None
    params = await approve_in_browser(flow.authorization_url)
    step = await flow.complete({**params, "state": "forged"})
    assert not step.ok
    assert step.error == "The redirect's state does not match this flow's."
    assert flow.tokens is None


async def test_a_flow_resumes_from_its_pending_record(
    oauth_servers: OAuthServers, made: list[LiveSession]
) -> None:
    """What the web layer does: keep the pending record in the person's session and
    finish the flow when the browser comes back, whatever became of the flow object."""
    store = MemoryTokenStore()
    session = await opened(made, oauth_spec(oauth_servers), token_store=store)
    flow = await session.begin_authorization()
    while flow.state is FlowState.READY:
        await flow.step()
    assert flow.pending is not None
    kept = json.loads(json.dumps(flow.pending.to_dict()))
    await flow.aclose()

    pending = PendingAuthorization.from_dict(kept)
    resumed = AuthFlow.resume(
        oauth_servers.mcp_url,
        pending,
        protocol_version=session.spec.protocol_version,
        settings=OAuthSettings(redirect_uri=REDIRECT_URI),
        store=store,
    )
    step = await resumed.complete(await approve_in_browser(pending.authorization_url))
    assert step.ok, step.error
    await session.authorized()
    assert status_of(session) is SessionStatus.CONNECTED


async def test_every_http_client_of_flows_and_refreshes_comes_from_the_factory(
    made: list[LiveSession],
) -> None:
    """A hosted deployment guards the URLs servers name through this one factory."""
    made_with: list[dict[str, object]] = []

    def factory(**options: object) -> httpx.AsyncClient:
        made_with.append(options)
        return httpx.AsyncClient(**options)  # type: ignore[arg-type]

    # Tokens that live 5 s are refreshed in the last half of their life.
    with run_oauth_servers(access_token_seconds=5.0) as servers:
        session = await opened(made, oauth_spec(servers), http_factory=factory)
        flow = await session.begin_authorization()
        await flow.run(approve_in_browser)
        assert len(made_with) == 2  # discovery and registration; the token request
        await session.authorized()
        await asyncio.sleep(2.6)  # into the last half of the token's life
        await session.request("tools/list")
        assert "refresh_token" in [entry.get("grant_type") for entry in servers.as_log()]
        await session.close()
    assert len(made_with) >= 3
    assert all(options["follow_redirects"] is False for options in made_with)


async def test_a_registered_client_secret_and_its_basic_header_stay_out_of_the_trace(
    made: list[LiveSession],
) -> None:
    with run_oauth_servers(public_clients=False) as servers:
        store = MemoryStore()
        session = await opened(made, oauth_spec(servers), store=store)
        flow = await session.begin_authorization()
        await flow.run(approve_in_browser)
        await session.authorized()
        assert status_of(session) is SessionStatus.CONNECTED
        await session.close()
    client = flow.client
    assert client is not None
    assert client.source == "dynamic"
    assert client.auth_method == "client_secret_basic"
    assert client.client_secret
    basic = authenticated(refresh_grant("r", "x"), client)[1]["Authorization"]
    everything = json.dumps([event.to_dict() for event in store.events[session.id]])
    assert "Basic " in everything  # the header is on record, masked
    assert client.client_secret not in everything
    assert basic.partition(" ")[2] not in everything


async def test_a_flow_resumed_for_another_server_is_refused(
    oauth_servers: OAuthServers, made: list[LiveSession]
) -> None:
    """The tokens would be stored for (and sent to) the URL the caller names."""
    store = MemoryTokenStore()
    session = await opened(made, oauth_spec(oauth_servers), token_store=store)
    flow = await session.begin_authorization()
    while flow.state is FlowState.READY:
        await flow.step()
    assert flow.pending is not None
    await flow.aclose()
    pending = PendingAuthorization.from_dict(json.loads(json.dumps(flow.pending.to_dict())))
    with pytest.raises(AuthError, match=r"begun for .*/api/mcp, not for .*/elsewhere"):
        AuthFlow.resume(
            oauth_servers.mcp_origin + "/elsewhere",
            pending,
            protocol_version=session.spec.protocol_version,
            settings=OAuthSettings(redirect_uri=REDIRECT_URI),
            store=store,
        )
    assert await store.get_tokens(pending.server_resource) is None


async def test_without_any_way_to_register_the_flow_says_what_to_enter(
    made: list[LiveSession],
) -> None:
    with run_oauth_servers(cimd=False, registration=False) as servers:
        session = await opened(made, oauth_spec(servers))
        flow = await session.begin_authorization()
        with pytest.raises(AuthError) as failed:
            await flow.run(approve_in_browser)
        assert failed.value.step == StepName.REGISTRATION
        assert "enter a pre-registered client ID" in failed.value.message
        await session.close()


@pytest.fixture
def restore_policy() -> Iterator[None]:
    before = network.current_policy()
    yield
    network.set_policy(before)


async def test_in_hosted_mode_the_flow_refuses_what_the_server_points_at_privately(
    oauth_servers: OAuthServers, restore_policy: None, made: list[LiveSession]
) -> None:
    session = await opened(made, oauth_spec(oauth_servers))
    assert session.authorization is not None
    # Hosted mode: the metadata URL the server named is on a loopback address, which is not
    # allow-listed, so the flow must not fetch it: a server could otherwise make the
    # inspector read (and show) what its private network serves.
    network.set_policy(network.NetworkPolicy.block_non_public())

    flow = await session.begin_authorization()
    while flow.state is FlowState.READY:
        await flow.step()
    assert state_of(flow) is FlowState.FAILED
    refused = "127.0.0.1 is a loopback address; outbound requests to non-public addresses"
    # Every URL was refused before a connection was made, each named with why.
    assert refused in flow.steps[0].summary
    failed = flow.steps[-1]
    assert failed.name is StepName.SERVER_METADATA
    assert failed.error is not None
    assert refused in failed.error
    assert all(record.status is None for step in flow.steps for record in step.exchanges)
