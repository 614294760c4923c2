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

from inspector.mcp.auth.challenge import bearer_challenge
from inspector.mcp.auth.discovery import canonical_resource
from inspector.mcp.auth.flow import AuthFlow, AuthStep, Emit, FlowState, StepName, token_learned
from inspector.mcp.auth.outbound import HttpClientFactory, http_client
from inspector.mcp.auth.settings import CLIENT_CREDENTIALS, OAuthSettings
from inspector.mcp.auth.store import TokenStore
from inspector.mcp.auth.tokens import TokenEndpointError, Tokens, refresh_grant, request_tokens


class OAuthProvider:
    def __init__(
        self,
        server_url: str,
        store: TokenStore,
        *,
        protocol_version: str,
        settings: OAuthSettings | None = None,
        emit: Emit | None = None,
        timeout: float = 30.0,
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
        return f"Bearer {tokens.access_token}"

    async def rejected(self, response: httpx.Response, sent: str | None) -> bool:
        """The server refused a request that carried `sent`. True: retry it, a new token
        is stored; False: report the refusal."""
        if response.status_code != 401:
            return False
        sent_token = sent.partition(" ")[2] if sent else None
        async with self._lock:
            tokens = await self.store.get_tokens(self.resource)
            if tokens is not None and tokens.access_token != sent_token:
                return True  # another request refreshed it meanwhile
        refreshable = tokens is not None and tokens.refresh_token and sent_token is not None
        if refreshable and await self._refresh_once(sent_token or "") is not None:
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
                # A refused refresh token is dead; keeping it would only fail again.
                await self.store.forget_tokens(tokens.resource)
                self._note(
                    AuthStep(
                        StepName.REFRESH,
                        False,
                        str(exc),
                        [exc.fetched.record],
                        error=str(exc),
                    )
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
