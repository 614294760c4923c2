"""The hook the HTTP transports consult on every request to an MCP server.

It adds `Authorization: Bearer` with the token stored for the server (refreshing it
shortly before it expires), and on a 401 refreshes once and asks for a retry. With the
client_credentials grant it can also obtain a token on its own, since no person is
involved. Anything else (no token, a refresh that failed, a 403 step-up) is left to the
transport, which raises `AuthorizationRequired` with the parsed challenge.
"""

from __future__ import annotations

import asyncio

import httpx

from inspector.mcp.auth.config import CLIENT_CREDENTIALS, OAuthSettings
from inspector.mcp.auth.discovery import canonical_resource
from inspector.mcp.auth.flow import AuthFlow, Emit
from inspector.mcp.auth.http import HttpClientFactory, http_client
from inspector.mcp.auth.pending import AuthStep
from inspector.mcp.auth.states import FlowState, StepName
from inspector.mcp.auth.store import TokenStore
from inspector.mcp.auth.tokens import (
    TokenEndpointError,
    Tokens,
    refresh_grant,
    request_tokens,
    token_learned,
)
from inspector.mcp.challenge import bearer_challenge
from inspector.mcp.timeouts import DEFAULT_CONNECT_TIMEOUT

# RFC 6749 §5.2 errors that mean the refresh token (or the client) is no good any more.
DEAD_GRANT_ERRORS = frozenset({"invalid_grant", "invalid_client", "unauthorized_client"})


def refused_for_good(exc: TokenEndpointError) -> bool:
    """Whether a refresh failed because the grant is dead (forget it), rather than for a
    reason that may pass (a network failure, a 5xx, an unreadable answer)."""
    body = exc.fetched.json()
    error = body.get("error") if isinstance(body, dict) else None
    return exc.fetched.status in (400, 401) and error in DEAD_GRANT_ERRORS


class OAuthProvider:
    def __init__(
        self,
        server_url: str,
        store: TokenStore,
        *,
        protocol_version: str,
        settings: OAuthSettings | None = None,
        emit: Emit | None = None,
        timeout: float = DEFAULT_CONNECT_TIMEOUT,
        http_factory: HttpClientFactory = http_client,
    ) -> None:
        self.server_url = server_url
        self._http_factory = http_factory
        self.resource = canonical_resource(server_url)
        self.store = store
        self.protocol_version = protocol_version
        self.settings = settings
        self._emit = emit
        self._timeout = timeout
        # One refresh at a time: concurrent requests that all got a 401 share it.
        self._lock = asyncio.Lock()

    async def authorization(self) -> str | None:
        """The Authorization header value for the next request, if a token is stored."""
        tokens = await self.store.get_tokens(self.resource)
        if tokens is None:
            return None
        if tokens.expires_soon() and tokens.refresh_token:
            tokens = await self._refresh_once(tokens.access_token) or tokens
        if tokens.expired():
            # The refresh failed (and said why in the trace): an expired token would only
            # be refused, so the server's own challenge is what the person gets to see.
            return None
        return f"Bearer {tokens.access_token}"

    async def rejected(self, response: httpx.Response, sent: str | None) -> bool:
        """The server refused a request that carried `sent`. True: retry it, a new token
        is stored; False: report the refusal."""
        if response.status_code != 401:
            return False
        sent_token = sent.partition(" ")[2] if sent else None
        # Under the lock, and looking at the store again once it is held: concurrent
        # requests refused together share one refresh, or one client_credentials flow.
        # Every request made under it meets its own deadline (`records.send`).
        async with self._lock:
            tokens = await self.store.get_tokens(self.resource)
            if tokens is not None and tokens.access_token != sent_token:
                return True  # another request got a new token meanwhile
            refreshable = tokens is not None and tokens.refresh_token and sent_token is not None
            if refreshable and tokens is not None and await self._refresh(tokens) is not None:
                return True
            if self.settings is not None and self.settings.grant_type == CLIENT_CREDENTIALS:
                return await self._client_credentials(response)
        return False

    async def _refresh_once(self, stale_token: str) -> Tokens | None:
        async with self._lock:
            tokens = await self.store.get_tokens(self.resource)
            if tokens is None or tokens.refresh_token is None:
                return None
            if tokens.access_token != stale_token and not tokens.expires_soon():
                return tokens
            return await self._refresh(tokens)

    async def _refresh(self, tokens: Tokens) -> Tokens | None:
        assert tokens.refresh_token is not None
        indicator = tokens.resource_indicator or tokens.resource
        grant = refresh_grant(tokens.refresh_token, indicator)
        async with self._http_factory(follow_redirects=False, timeout=self._timeout) as http:
            try:
                fresh, fetched = await request_tokens(
                    http,
                    tokens.token_endpoint,
                    grant,
                    tokens.client,
                    resource=tokens.resource,
                    issuer=tokens.issuer,
                    requested_scope=tokens.requested_scope,
                    resource_indicator=indicator,
                    previous=tokens,
                    timeout=self._timeout,
                )
            except TokenEndpointError as exc:
                dead = refused_for_good(exc)
                if dead:
                    await self.store.forget_tokens(tokens.resource)
                outcome = (
                    "the tokens are forgotten"
                    if dead
                    else "the tokens are kept, to try again with the next request"
                )
                message = f"{exc} ({outcome})"
                self._note(
                    AuthStep(StepName.REFRESH, False, message, [exc.fetched.record], error=message)
                )
                return None
        await self.store.save_tokens(fresh)
        self._note(
            AuthStep(
                StepName.REFRESH,
                True,
                f"Refreshed the access token for {tokens.resource}.",
                [fetched.record],
                learned=token_learned(fresh),
            )
        )
        return fresh

    async def _client_credentials(self, response: httpx.Response) -> bool:
        assert self.settings is not None
        flow = AuthFlow(
            self.server_url,
            protocol_version=self.protocol_version,
            settings=self.settings,
            store=self.store,
            challenge=bearer_challenge(response.headers.get_list("www-authenticate")),
            emit=self._emit,
            timeout=self._timeout,
            http_factory=self._http_factory,
        )
        while flow.state is FlowState.READY:
            await flow.step()
        return flow.state is FlowState.DONE

    def _note(self, step: AuthStep) -> None:
        if self._emit is not None:
            self._emit(step.to_event())
