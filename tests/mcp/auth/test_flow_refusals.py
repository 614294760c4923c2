"""Authorization servers the flow must refuse, and what it says about them
(`tests/servers/http_broken.py`, scenarios `auth-*`)."""

from __future__ import annotations

import httpx
import pytest

from inspector.mcp.auth.config import CLIENT_CREDENTIALS, OAuthSettings
from inspector.mcp.auth.flow import AuthFlow
from inspector.mcp.auth.registration import metadata_url_problem
from inspector.mcp.auth.states import FlowState, StepName
from inspector.mcp.auth.store import MemoryTokenStore
from inspector.mcp.auth.tokens import ClientRegistration, lifetime_seconds
from inspector.mcp.challenge import bearer_challenge
from inspector.mcp.trace import EventKind, TraceEvent
from tests.servers.http_harness import RunningServer

REDIRECT_URI = "http://127.0.0.1:8765/oauth/callback"


async def refused_flow(
    url: str,
    version: str,
    events: list[TraceEvent],
    *,
    settings: OAuthSettings | None = None,
    store: MemoryTokenStore | None = None,
) -> AuthFlow:
    """A flow started as the client would: from the server's 401 challenge."""
    async with httpx.AsyncClient() as http:
        refusal = await http.post(url, json={"jsonrpc": "2.0", "id": 1, "method": "ping"})
    assert refusal.status_code == 401
    flow = AuthFlow(
        url,
        protocol_version=version,
        settings=settings or OAuthSettings(client_id="inspector", redirect_uri=REDIRECT_URI),
        store=store or MemoryTokenStore(),
        challenge=bearer_challenge(refusal.headers.get_list("www-authenticate")),
        emit=events.append,
    )
    while flow.state is FlowState.READY:
        await flow.step()
    return flow


async def test_no_pkce_s256_means_no_authorization(
    broken_http_server: RunningServer, path_token: str
) -> None:
    events: list[TraceEvent] = []
    url = broken_http_server.url(f"/{path_token}/auth-nopkce")
    flow = await refused_flow(url, "2025-11-25", events)
    assert flow.state is FlowState.FAILED
    assert flow.error is not None
    assert flow.error.step == StepName.SERVER_METADATA
    assert "does not advertise PKCE S256" in flow.error.message
    assert "plain" in flow.error.message
    assert flow.authorization_url is None
    failed = events[-1]
    assert failed.kind is EventKind.AUTH
    assert failed.detail["step"]["ok"] is False
    # The failed step carries the exchange that showed it.
    assert failed.detail["step"]["exchanges"][0]["status"] == 200


async def test_missing_metadata_names_every_url_tried(
    broken_http_server: RunningServer, path_token: str
) -> None:
    url = broken_http_server.url(f"/{path_token}/auth-noas")
    flow = await refused_flow(url, "2025-11-25", [])
    assert flow.error is not None
    assert flow.error.step == StepName.SERVER_METADATA
    base = broken_http_server.url("")
    for tried in (
        f"{base}/.well-known/oauth-authorization-server/{path_token}/auth-noas (404)",
        f"{base}/.well-known/openid-configuration/{path_token}/auth-noas (404)",
        f"{base}/{path_token}/auth-noas/.well-known/openid-configuration (404)",
    ):
        assert tried in flow.error.message


@pytest.mark.parametrize("version", ["2025-06-18", "2025-11-25", "2026-07-28"])
async def test_an_issuer_mismatch_is_refused_whenever_the_prm_named_the_issuer(
    broken_http_server: RunningServer, path_token: str, version: str
) -> None:
    # RFC 8414 §3.3: metadata whose issuer is not the one looked up must not be used.
    url = broken_http_server.url(f"/{path_token}/auth-wrongissuer")
    flow = await refused_flow(url, version, [])
    assert flow.error is not None
    assert flow.error.step == StepName.SERVER_METADATA
    assert "'https://elsewhere.example' differs from the issuer" in flow.error.message
    assert flow.issuer != "https://elsewhere.example"


async def test_metadata_without_an_issuer_is_refused(
    broken_http_server: RunningServer, path_token: str
) -> None:
    url = broken_http_server.url(f"/{path_token}/auth-noissuer")
    flow = await refused_flow(url, "2025-11-25", [])
    assert flow.error is not None
    assert flow.error.step == StepName.SERVER_METADATA
    assert "has no issuer" in flow.error.message


async def test_a_plain_http_endpoint_off_loopback_is_refused(
    broken_http_server: RunningServer, path_token: str
) -> None:
    url = broken_http_server.url(f"/{path_token}/auth-plainhttp")
    flow = await refused_flow(url, "2025-11-25", [])
    assert flow.error is not None
    assert flow.error.step == StepName.SERVER_METADATA
    assert "'http://as.example.test/token' is unusable: plain http" in flow.error.message


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("https://app.example/client.json", None),
        ("http://127.0.0.1:8000/client.json", None),
        ("http://app.example/client.json", "not an https URL"),
        ("https://app.example/", "an https URL without a path"),
    ],
)
def test_a_client_metadata_url_must_be_https_with_a_path(url: str, problem: str | None) -> None:
    assert metadata_url_problem(url) == problem


async def test_an_invalid_resource_in_the_metadata_fails_the_step(
    broken_http_server: RunningServer, path_token: str
) -> None:
    url = broken_http_server.url(f"/{path_token}/auth-badresource")
    flow = await refused_flow(url, "2025-11-25", [])
    assert flow.error is not None
    assert flow.error.step == StepName.RESOURCE_METADATA
    assert "invalid resource 'http://[::1'" in flow.error.message


async def test_metadata_for_another_resource_is_refused_before_any_authorization_server(
    broken_http_server: RunningServer, path_token: str
) -> None:
    # RFC 9728 §3.3: metadata naming another resource may be an attacker's; following
    # it would send the person to authorize a token for that resource.
    url = broken_http_server.url(f"/{path_token}/auth-otherresource")
    events: list[TraceEvent] = []
    flow = await refused_flow(url, "2026-07-28", events)
    assert flow.error is not None
    assert flow.error.step == StepName.RESOURCE_METADATA
    assert "is for the resource 'https://other.example.com/mcp'" in flow.error.message
    assert url in flow.error.message
    assert flow.server_metadata is None
    assert flow.authorization_url is None


async def test_json_nested_too_deep_is_no_metadata(
    broken_http_server: RunningServer, path_token: str
) -> None:
    url = broken_http_server.url(f"/{path_token}/auth-deepjson")
    flow = await refused_flow(url, "2025-11-25", [])
    first = flow.steps[0]
    assert first.name is StepName.RESOURCE_METADATA
    assert "No protected resource metadata" in first.summary


class FailingStore(MemoryTokenStore):
    async def get_client(self, issuer: str, resource: str) -> ClientRegistration | None:
        raise OSError("disk full")


async def test_an_unexpected_error_fails_the_step_it_happened_in(
    broken_http_server: RunningServer, path_token: str
) -> None:
    url = broken_http_server.url(f"/{path_token}/auth-fickle")
    flow = await refused_flow(url, "2025-11-25", [], store=FailingStore())
    assert flow.state is FlowState.FAILED
    assert flow.error is not None
    assert flow.error.step == StepName.REGISTRATION
    assert "OSError: disk full" in flow.error.message
    assert flow.steps[-1].ok is False


@pytest.mark.parametrize(
    ("expires_in", "seconds"),
    [(3600, 3600.0), ("3600", 3600.0), (10**400, None), ("1e999", None), (-5, None), (True, None)],
)
def test_expires_in_is_parsed_with_care(expires_in: object, seconds: float | None) -> None:
    assert lifetime_seconds(expires_in) == seconds


async def test_pre_registered_credentials_stay_with_the_first_authorization_server(
    broken_http_server: RunningServer, path_token: str
) -> None:
    url = broken_http_server.url(f"/{path_token}/auth-fickle")
    settings = OAuthSettings(
        client_id="inspector", client_secret="s3cr3t-of-the-first-as", redirect_uri=REDIRECT_URI
    )
    store = MemoryTokenStore()
    first = await refused_flow(url, "2025-11-25", [], settings=settings, store=store)
    assert first.state is FlowState.AWAITING_REDIRECT
    assert first.issuer == url

    # The server now names another authorization server: the secret is not sent there.
    second = await refused_flow(url, "2025-11-25", [], settings=settings, store=store)
    assert second.state is FlowState.FAILED
    assert second.error is not None
    assert second.error.step == StepName.REGISTRATION
    assert f"belongs to {url}, but this server now names {url}-b" in second.error.message
    assert second.authorization_url is None


async def test_pre_registered_credentials_go_only_to_their_configured_issuer(
    broken_http_server: RunningServer, path_token: str
) -> None:
    url = broken_http_server.url(f"/{path_token}/auth-fickle")
    settings = OAuthSettings(
        client_id="inspector", client_issuer="https://as.example", redirect_uri=REDIRECT_URI
    )
    flow = await refused_flow(url, "2025-11-25", [], settings=settings)
    assert flow.error is not None
    assert flow.error.step == StepName.REGISTRATION
    assert f"belongs to https://as.example, but this server now names {url}" in flow.error.message


async def test_without_a_redirect_uri_the_flow_says_so_before_registering(
    broken_http_server: RunningServer, path_token: str
) -> None:
    url = broken_http_server.url(f"/{path_token}/auth-fickle")
    flow = await refused_flow(url, "2025-11-25", [], settings=OAuthSettings(client_id="c"))
    assert flow.error is not None
    assert flow.error.step == StepName.REGISTRATION
    assert "No redirect URI is configured" in flow.error.message


async def test_resource_metadata_without_a_resource_is_refused(
    broken_http_server: RunningServer, path_token: str
) -> None:
    url = broken_http_server.url(f"/{path_token}/auth-noresource")
    flow = await refused_flow(url, "2025-11-25", [])
    assert flow.error is not None
    assert flow.error.step == StepName.RESOURCE_METADATA
    assert f"The metadata at {url} has no resource" in flow.error.message


async def test_a_dpop_token_is_refused_rather_than_sent_as_bearer(
    broken_http_server: RunningServer, path_token: str
) -> None:
    url = broken_http_server.url(f"/{path_token}/auth-dpop")
    settings = OAuthSettings(grant_type=CLIENT_CREDENTIALS, client_id="c", client_secret="s")
    store = MemoryTokenStore()
    flow = await refused_flow(url, "2025-11-25", [], settings=settings, store=store)
    assert flow.error is not None
    assert flow.error.step == StepName.TOKEN
    assert "issued a 'DPoP' token: only Bearer tokens can be used" in flow.error.message
    assert await store.get_tokens(url) is None


async def test_2025_03_26_defaults_stand_in_only_for_missing_metadata(
    broken_http_server: RunningServer, path_token: str
) -> None:
    # The origin's metadata answers 503: a failure, not an absence.
    url = broken_http_server.url(f"/{path_token}/auth-fickle")
    flow = await refused_flow(url, "2025-03-26", [])
    assert flow.error is not None
    assert flow.error.step == StepName.SERVER_METADATA
    assert "(503)" in flow.error.message
