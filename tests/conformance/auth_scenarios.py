"""The conformance suite's `auth/*` client scenarios: our OAuth flow against its mock
authorization server.

The driver connects as for any scenario, with OAuth settings; when the server refuses
(on connect or on a request), it runs the session's authorization flow in quick mode and
tries again. The suite's mock `/authorize` has no login page: it redirects at once to the
redirect URI with the code, so playing the browser is one GET whose `Location` is read,
not followed; nothing needs to listen on the redirect URI.
"""

from __future__ import annotations

import json
import os
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar
from urllib.parse import parse_qsl

import httpx

from inspector.mcp.auth.config import AUTHORIZATION_CODE, CLIENT_CREDENTIALS, OAuthSettings
from inspector.mcp.errors import AuthorizationRequired
from inspector.sessions.session import LiveSession
from inspector.sessions.status import SessionStatus

# A loopback redirect URI nothing listens on: the code is read from the redirect itself.
REDIRECT_URI = "http://127.0.0.1:9/oauth/callback"
# The suite's basic-cimd check passes only for this exact client_id URL.
CLIENT_METADATA_URL = "https://conformance-test.local/client-metadata.json"
CONTEXT_VARIABLE = "MCP_CONFORMANCE_CONTEXT"

T = TypeVar("T")


class BrowserFailed(Exception):
    """The authorization endpoint did not redirect back with parameters."""


def is_auth_scenario(scenario: str) -> bool:
    return scenario.startswith("auth/")


def oauth_settings(scenario: str) -> OAuthSettings:
    """The client settings a person would enter for this scenario: the pre-registered
    credentials the suite hands over in its context, if any, and the metadata URL."""
    context: dict[str, Any] = json.loads(os.environ.get(CONTEXT_VARIABLE) or "{}")
    client_id = context.get("client_id")
    client_secret = context.get("client_secret")
    grant = CLIENT_CREDENTIALS if scenario.startswith("auth/client-credentials") else None
    return OAuthSettings(
        grant_type=grant or AUTHORIZATION_CODE,
        client_id=client_id if isinstance(client_id, str) else "",
        client_secret=client_secret if isinstance(client_secret, str) else "",
        client_metadata_url=CLIENT_METADATA_URL,
        redirect_uri=REDIRECT_URI,
    )


async def play_browser(authorization_url: str) -> dict[str, str]:
    """Visit the authorization URL as a browser would, and return the query parameters
    of the redirect back to us."""
    async with httpx.AsyncClient(follow_redirects=False, timeout=10.0) as http:
        response = await http.get(authorization_url)
    location = response.headers.get("location")
    if not response.is_redirect or not location:
        raise BrowserFailed(
            f"GET {authorization_url} answered {response.status_code} without a redirect: "
            f"{response.text[:300]!r}"
        )
    target = httpx.URL(location)
    if not str(target).startswith(REDIRECT_URI):
        raise BrowserFailed(f"Redirected to {location}, not to {REDIRECT_URI}.")
    return dict(parse_qsl(target.query.decode(), keep_blank_values=True))


async def authorize(session: LiveSession) -> None:
    """Answer the session's last refusal with a full flow, then let it retry."""
    flow = await session.begin_authorization()
    await flow.run(play_browser)
    await session.authorized()


async def authorized_call(session: LiveSession, operation: Callable[[], Awaitable[T]]) -> T:
    """Run `operation`, authorizing and retrying whenever the server refuses; the
    session gives up (AuthError) after its limit of attempts."""
    while True:
        try:
            return await operation()
        except AuthorizationRequired:
            await authorize(session)


async def connect(session: LiveSession) -> None:
    """Start the session, authorizing first if the server refuses the handshake."""
    await session.start()
    if session.status is not SessionStatus.CONNECTED and session.needs_authorization:
        await authorize(session)


async def use_the_server(session: LiveSession) -> None:
    """What every auth scenario's server offers: list the tools, call `test-tool`."""
    result = await authorized_call(session, lambda: session.request("tools/list"))
    names = [tool.get("name") for tool in result.get("tools", []) if isinstance(tool, dict)]
    if "test-tool" in names:
        await authorized_call(
            session,
            lambda: session.request("tools/call", {"name": "test-tool", "arguments": {}}),
        )


SCENARIO_NAMES = (
    "auth/metadata-default",
    "auth/metadata-var1",
    "auth/metadata-var2",
    "auth/metadata-var3",
    "auth/basic-cimd",
    "auth/scope-from-www-authenticate",
    "auth/scope-from-scopes-supported",
    "auth/scope-omitted-when-undefined",
    "auth/scope-step-up",
    "auth/scope-retry-limit",
    "auth/token-endpoint-auth-basic",
    "auth/token-endpoint-auth-post",
    "auth/token-endpoint-auth-none",
    "auth/pre-registration",
    "auth/2025-03-26-oauth-metadata-backcompat",
    "auth/2025-03-26-oauth-endpoint-fallback",
    "auth/client-credentials-basic",
)
AUTH_SCENARIOS: dict[str, Callable[[LiveSession], Awaitable[None]]] = dict.fromkeys(
    SCENARIO_NAMES, use_the_server
)

# The 2026-07-28 required set: the scenarios above that exist at that revision, and those
# new in it (RFC 9207 `iss`, PRM `resource` binding, `offline_access`, a moved AS).
MODERN_SCENARIO_NAMES = (
    *(
        name
        for name in SCENARIO_NAMES
        if not name.startswith(("auth/2025-03-26", "auth/client-credentials"))
    ),
    "auth/resource-mismatch",
    "auth/offline-access-scope",
    "auth/offline-access-not-supported",
    "auth/authorization-server-migration",
    "auth/iss-supported",
    "auth/iss-not-advertised",
    "auth/iss-supported-missing",
    "auth/iss-wrong-issuer",
    "auth/iss-unexpected",
    "auth/iss-normalized",
    "auth/metadata-issuer-mismatch",
)
MODERN_AUTH_SCENARIOS: dict[str, Callable[[LiveSession], Awaitable[None]]] = dict.fromkeys(
    MODERN_SCENARIO_NAMES, use_the_server
)
