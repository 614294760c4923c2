"""The OAuth flow as a state machine over its steps, run one at a time (guided) or all
at once (quick).

    flow = AuthFlow(server_url, protocol_version=..., settings=..., store=...,
                    challenge=the Bearer challenge of the refusal that started it)
    while flow.state is FlowState.READY:
        step = await flow.step()          # one step: its HTTP exchanges, what it learned
    if flow.state is FlowState.AWAITING_REDIRECT:
        send the person to flow.authorization_url; when the browser comes back:
        await flow.complete(query_params)  # checks state (and iss), redeems the code
    flow.tokens                            # saved in the store: retry the connection

`run(browser)` does the same in one call, with `browser(url)` playing the person. Every
step is also emitted as an AUTH trace event when `emit` is given. A failed step leaves the
flow FAILED, with `error` (an `AuthError` naming the step) set. The steps themselves are
in `flow_discovery` and `flow_steps`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping

import httpx

from inspector.mcp.auth.config import CLIENT_CREDENTIALS, OAuthSettings
from inspector.mcp.auth.discovery import (
    AuthServerMetadata,
    ProtectedResourceMetadata,
    canonical_resource,
    uses_protected_resource_metadata,
)
from inspector.mcp.auth.flow_discovery import discover_resource, discover_server
from inspector.mcp.auth.flow_steps import (
    FlowContext,
    as_auth_error,
    authorize,
    check_redirect,
    client_grant,
    failed_step,
    redeem,
    register,
)
from inspector.mcp.auth.http import HttpClientFactory, http_client
from inspector.mcp.auth.pending import AuthStep, PendingAuthorization
from inspector.mcp.auth.records import mask_query
from inspector.mcp.auth.states import FlowState, StepName
from inspector.mcp.auth.store import TokenStore
from inspector.mcp.auth.tokens import ClientRegistration, Tokens
from inspector.mcp.challenge import Challenge
from inspector.mcp.errors import AuthError
from inspector.mcp.timeouts import DEFAULT_CONNECT_TIMEOUT
from inspector.mcp.trace import TraceEvent

Emit = Callable[[TraceEvent], None]
Browser = Callable[[str], Awaitable[Mapping[str, str]]]


class AuthFlow:
    def __init__(
        self,
        server_url: str,
        *,
        protocol_version: str,
        settings: OAuthSettings,
        store: TokenStore,
        challenge: Challenge | None = None,
        previous: Tokens | None = None,
        http: httpx.AsyncClient | None = None,
        emit: Emit | None = None,
        timeout: float = DEFAULT_CONNECT_TIMEOUT,
        http_factory: HttpClientFactory = http_client,
    ) -> None:
        """`challenge` is the Bearer challenge that started the flow (a 401, or a 403
        step-up); `previous` is the token the server refused, whose scope the new request
        keeps. Without `http`, every client is made by `http_factory`."""
        resource = canonical_resource(server_url)
        self.context = FlowContext(
            server_url=server_url,
            resource=resource,
            protocol_version=protocol_version,
            settings=settings,
            store=store,
            http=self._client_http,
            timeout=timeout,
            challenge=challenge,
            previous=previous,
            legacy=not uses_protected_resource_metadata(protocol_version),
            resource_indicator=resource,
        )
        self.state = FlowState.READY
        self.steps: list[AuthStep] = []
        self.error: AuthError | None = None
        self._http = http
        self._owns_http = http is None
        self._http_factory = http_factory
        self._emit = emit
        self._timeout = timeout
        last = (
            (StepName.AUTHORIZATION, self._authorize)
            if settings.grant_type != CLIENT_CREDENTIALS
            else (StepName.TOKEN, self._client_grant)
        )
        self._plan: list[tuple[StepName, Callable[[], Awaitable[AuthStep]]]] = [
            (StepName.RESOURCE_METADATA, self._discover_resource),
            (StepName.SERVER_METADATA, self._discover_server),
            (StepName.REGISTRATION, self._register),
            last,
        ]

    @classmethod
    def resume(
        cls,
        server_url: str,
        pending: PendingAuthorization,
        *,
        protocol_version: str,
        settings: OAuthSettings,
        store: TokenStore,
        http: httpx.AsyncClient | None = None,
        emit: Emit | None = None,
        http_factory: HttpClientFactory = http_client,
    ) -> AuthFlow:
        """A flow waiting for the redirect, rebuilt from its `pending` record (another
        process, or after the flow object was dropped). Raises `AuthError` when
        `server_url` is not the server the flow was begun for: its tokens would be stored
        for, and sent to, another server."""
        if canonical_resource(server_url) != pending.server_resource:
            raise AuthError(
                StepName.REDIRECT,
                f"This authorization was begun for {pending.server_resource or 'another server'}"
                f", not for {canonical_resource(server_url)}.",
            )
        flow = cls(
            server_url,
            protocol_version=protocol_version,
            settings=settings,
            store=store,
            http=http,
            emit=emit,
            http_factory=http_factory,
        )
        flow.context.pending = pending
        flow.context.client = pending.client
        flow.context.issuer = pending.issuer
        flow._plan = []
        flow.state = FlowState.AWAITING_REDIRECT
        return flow

    # -- what the flow has learned ---------------------------------------------------

    @property
    def server_url(self) -> str:
        return self.context.server_url

    @property
    def resource(self) -> str:
        return self.context.resource

    @property
    def protocol_version(self) -> str:
        return self.context.protocol_version

    @property
    def settings(self) -> OAuthSettings:
        return self.context.settings

    @property
    def store(self) -> TokenStore:
        return self.context.store

    @property
    def challenge(self) -> Challenge | None:
        return self.context.challenge

    @property
    def resource_metadata(self) -> ProtectedResourceMetadata | None:
        return self.context.resource_metadata

    @property
    def server_metadata(self) -> AuthServerMetadata | None:
        return self.context.server_metadata

    @property
    def issuer(self) -> str | None:
        return self.context.issuer

    @property
    def client(self) -> ClientRegistration | None:
        return self.context.client

    @property
    def pending(self) -> PendingAuthorization | None:
        return self.context.pending

    @property
    def tokens(self) -> Tokens | None:
        return self.context.tokens

    # -- running -------------------------------------------------------------------

    @property
    def authorization_url(self) -> str | None:
        return self.pending.authorization_url if self.pending is not None else None

    @property
    def oauth_state(self) -> str | None:
        return self.pending.state if self.pending is not None else None

    async def step(self) -> AuthStep:
        """Run the next step. Only valid in state READY."""
        if self.state is not FlowState.READY or not self._plan:
            raise RuntimeError(f"The flow is {self.state.value}; no step can run now.")
        name, action = self._plan.pop(0)
        try:
            step = await action()
        except Exception as exc:
            self.error = as_auth_error(name, exc)
            self.state = FlowState.FAILED
            step = failed_step(self.error)
        self._record(step)
        if self.state is FlowState.READY and not self._plan:
            self.state = FlowState.DONE
        await self._close_if_finished()
        return step

    async def complete(self, params: Mapping[str, str]) -> AuthStep:
        """The browser came back to the redirect URI with these query parameters: check
        them and redeem the code. Returns the last step run (the token request, or the
        check that failed)."""
        pending = self.pending
        if self.state is not FlowState.AWAITING_REDIRECT or pending is None:
            raise RuntimeError(f"The flow is {self.state.value}; it awaits no redirect.")
        try:
            code = check_redirect(pending, params)
            self._record(
                AuthStep(
                    StepName.REDIRECT,
                    True,
                    "The authorization server redirected back with a code; state matches.",
                    learned={"params": mask_query(params)},
                )
            )
            step = await redeem(self.context, code)
        except Exception as exc:
            self.error = as_auth_error(StepName.TOKEN, exc)
            self.state = FlowState.FAILED
            step = failed_step(self.error)
            if step.name is StepName.REDIRECT:
                step.learned["params"] = mask_query(params)
        else:
            self.state = FlowState.DONE
        self._record(step)
        await self._close_if_finished()
        return step

    async def run(self, browser: Browser | None = None) -> Tokens:
        """Quick mode: every step, then `browser(authorization_url)` for the redirect's
        query parameters. Raises the failing step's `AuthError`."""
        while self.state is FlowState.READY:
            await self.step()
        if self.state is FlowState.AWAITING_REDIRECT:
            if browser is None or self.authorization_url is None:
                raise AuthError(
                    StepName.AUTHORIZATION,
                    "The authorization needs a browser: open the authorization URL.",
                )
            await self.complete(await browser(self.authorization_url))
        if self.error is not None:
            raise self.error
        assert self.tokens is not None
        return self.tokens

    async def aclose(self) -> None:
        if self._owns_http and self._http is not None:
            await self._http.aclose()
            self._http = None

    # -- steps ---------------------------------------------------------------------

    def _client_http(self) -> httpx.AsyncClient:
        if self._http is None:
            self._http = self._http_factory(follow_redirects=False, timeout=self._timeout)
        return self._http

    async def _discover_resource(self) -> AuthStep:
        return await discover_resource(self.context)

    async def _discover_server(self) -> AuthStep:
        return await discover_server(self.context)

    async def _register(self) -> AuthStep:
        return await register(self.context)

    async def _authorize(self) -> AuthStep:
        step = await authorize(self.context)
        self.state = FlowState.AWAITING_REDIRECT
        return step

    async def _client_grant(self) -> AuthStep:
        return await client_grant(self.context)

    # -- bookkeeping -------------------------------------------------------------------

    def _record(self, step: AuthStep) -> None:
        self.steps.append(step)
        if self._emit is not None:
            self._emit(step.to_event())

    async def _close_if_finished(self) -> None:
        # Waiting for a person may take for ever (or never end): no connections are held
        # meanwhile; the token request opens its own.
        if self.state is not FlowState.READY:
            await self.aclose()
