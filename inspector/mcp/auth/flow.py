"""The OAuth flow as a sequence of steps, run one at a time (guided) or all at once
(quick).

    flow = AuthFlow(server_url, protocol_version=..., settings=..., store=...,
                    refusal=the AuthorizationRequired that started it)
    while flow.state is FlowState.READY:
        step = await flow.step()          # one step: its HTTP exchanges, what it learned
    if flow.state is FlowState.AWAITING_REDIRECT:
        send the person to flow.authorization_url; when the browser comes back:
        await flow.complete(query_params)  # checks state (and iss), redeems the code
    flow.tokens                            # saved in the store: retry the connection

`run(browser)` does the same in one call, with `browser(url)` playing the person. Every
step is also emitted as an AUTH trace event when `emit` is given. A failed step leaves the
flow FAILED, with `error` (an `AuthError` naming the step) set.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import asdict, dataclass, field, replace
from enum import StrEnum
from typing import Any
from urllib.parse import urlencode

import httpx

from inspector.mcp.auth.challenge import Challenge
from inspector.mcp.auth.claims import jwt_claims
from inspector.mcp.auth.config import CLIENT_CREDENTIALS, OAuthSettings
from inspector.mcp.auth.discovery import (
    AuthServerMetadata,
    ProtectedResourceMetadata,
    as_metadata_candidates,
    canonical_resource,
    endpoint_problem,
    first_json,
    origin,
    prm_candidates,
    uses_protected_resource_metadata,
)
from inspector.mcp.auth.http import HttpClientFactory, http_client
from inspector.mcp.auth.pkce import Pkce, new_state
from inspector.mcp.auth.records import HttpRecord, mask_field, mask_query
from inspector.mcp.auth.registration import RegistrationError, choose_client
from inspector.mcp.auth.store import TokenStore
from inspector.mcp.auth.tokens import (
    ClientRegistration,
    TokenEndpointError,
    TokenRequest,
    Tokens,
    authorization_code_grant,
    client_credentials_grant,
    request_tokens,
)
from inspector.mcp.errors import AuthError
from inspector.mcp.trace import EventKind, TraceEvent, local_event

Emit = Callable[[TraceEvent], None]
Browser = Callable[[str], Awaitable[Mapping[str, str]]]


class StepName(StrEnum):
    RESOURCE_METADATA = "protected resource metadata"
    SERVER_METADATA = "authorization server metadata"
    REGISTRATION = "client registration"
    AUTHORIZATION = "authorization request"
    REDIRECT = "authorization response"
    TOKEN = "token request"
    REFRESH = "token refresh"


class FlowState(StrEnum):
    READY = "ready"  # the next step can run
    AWAITING_REDIRECT = "awaiting-redirect"  # the person must visit `authorization_url`
    DONE = "done"  # tokens obtained and stored
    FAILED = "failed"


@dataclass(slots=True)
class AuthStep:
    """What one step did: its HTTP exchanges (masked) and what it learned."""

    name: StepName
    ok: bool
    summary: str
    exchanges: list[HttpRecord] = field(default_factory=list)
    learned: dict[str, Any] = field(default_factory=dict)
    error: str | None = None
    timestamp: float = field(default_factory=time.time)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name.value,
            "ok": self.ok,
            "summary": self.summary,
            "exchanges": [record.to_dict() for record in self.exchanges],
            "learned": self.learned,
            "error": self.error,
            "timestamp": self.timestamp,
        }

    def to_event(self) -> TraceEvent:
        status = "" if self.ok else "failed: "
        return local_event(
            EventKind.AUTH, f"OAuth {self.name.value}: {status}{self.summary}", step=self.to_dict()
        )


@dataclass(slots=True)
class PendingAuthorization:
    """Everything the callback needs, serialisable: the web layer binds it to the
    person's browser session by `state`, so only that browser can complete the flow."""

    state: str
    code_verifier: str = field(repr=False)
    authorization_url: str
    redirect_uri: str
    resource: str  # the `resource` value sent (RFC 8707)
    issuer: str
    token_endpoint: str
    client: ClientRegistration
    scope: str | None
    iss_parameter_supported: bool
    # The canonical URI of the MCP server the tokens are for (their key in the store).
    server_resource: str = ""

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["client"] = self.client.to_dict()
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PendingAuthorization:
        values = dict(data)
        values["client"] = ClientRegistration.from_dict(values["client"])
        return cls(**values)


def token_learned(tokens: Tokens) -> dict[str, Any]:
    """What a person may see of tokens: masked values, expiry, scope, JWT claims."""
    learned: dict[str, Any] = {
        "token_type": tokens.token_type,
        "access_token": mask_field("access_token", tokens.access_token),
        "refresh_token": mask_field("refresh_token", tokens.refresh_token)
        if tokens.refresh_token
        else None,
        "expires_at": tokens.expires_at,
        "scope": tokens.scope,
        "issuer": tokens.issuer,
        "resource": tokens.resource,
    }
    claims = jwt_claims(tokens.access_token)
    if claims is not None:
        learned["access_token_claims"] = claims
    return learned


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
        timeout: float = 30.0,
        http_factory: HttpClientFactory = http_client,
    ) -> None:
        """`challenge` is the Bearer challenge that started the flow (a 401, or a 403
        step-up); `previous` is the token the server refused, whose scope the new request
        keeps. Without `http`, every client is made by `http_factory`."""
        self.server_url = server_url
        self.resource = canonical_resource(server_url)
        # What is sent as `resource`: the PRM's identifier exactly as published, else the
        # canonical server URI.
        self.resource_indicator = self.resource
        self.protocol_version = protocol_version
        self.settings = settings
        self.store = store
        self.challenge = challenge
        self.previous = previous
        self.state = FlowState.READY
        self.steps: list[AuthStep] = []
        self.error: AuthError | None = None
        self.resource_metadata: ProtectedResourceMetadata | None = None
        self.server_metadata: AuthServerMetadata | None = None
        self.issuer: str | None = None
        self.client: ClientRegistration | None = None
        self.pending: PendingAuthorization | None = None
        self.tokens: Tokens | None = None
        self._http = http
        self._owns_http = http is None
        self._http_factory = http_factory
        self._emit = emit
        self._timeout = timeout
        # Without PRM the flow uses the 2025-03-26 rules (origin as the server).
        self._legacy = not uses_protected_resource_metadata(protocol_version)
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
        flow.pending = pending
        flow.client = pending.client
        flow.issuer = pending.issuer
        flow._plan = []
        flow.state = FlowState.AWAITING_REDIRECT
        return flow

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
            self.error = _as_auth_error(name, exc)
            self.state = FlowState.FAILED
            step = _failed_step(self.error)
        self._record(step)
        if self.state is FlowState.READY and not self._plan:
            self.state = FlowState.DONE
        await self._close_if_finished()
        return step

    async def complete(self, params: Mapping[str, str]) -> AuthStep:
        """The browser came back to the redirect URI with these query parameters: check
        them and redeem the code. Returns the last step run (the token request, or the
        check that failed)."""
        if self.state is not FlowState.AWAITING_REDIRECT or self.pending is None:
            raise RuntimeError(f"The flow is {self.state.value}; it awaits no redirect.")
        try:
            code = self._check_redirect(params)
            self._record(
                AuthStep(
                    StepName.REDIRECT,
                    True,
                    "The authorization server redirected back with a code; state matches.",
                    learned={"params": mask_query(params)},
                )
            )
            step = await self._redeem(code)
        except Exception as exc:
            self.error = _as_auth_error(StepName.TOKEN, exc)
            self.state = FlowState.FAILED
            step = _failed_step(self.error)
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
        name = StepName.RESOURCE_METADATA
        if self._legacy:
            self.issuer = origin(self.server_url)
            return AuthStep(
                name,
                True,
                f"Protocol {self.protocol_version} has no protected resource metadata: "
                f"the server's origin {self.issuer} is its authorization server.",
                learned={"issuer": self.issuer},
            )
        hint = self.challenge.resource_metadata if self.challenge is not None else None
        problem = endpoint_problem(hint, server_url=self.server_url) if hint is not None else None
        if problem is not None:
            raise _fail(name, f"The challenge's resource_metadata {hint!r} is {problem}.")
        candidates = prm_candidates(self.server_url, hint)
        lookup = await first_json(
            self._client_http(),
            candidates,
            protocol_version=self.protocol_version,
            timeout=self._timeout,
        )
        if lookup.found is None or lookup.url is None:
            # Servers of the 2025-03-26 kind have none: fall back to their rules.
            self._legacy = True
            self.issuer = origin(self.server_url)
            return AuthStep(
                name,
                True,
                f"No protected resource metadata at {lookup.describe_failures()}; "
                f"falling back to the 2025-03-26 rules ({self.issuer} as the authorization "
                "server).",
                lookup.records,
                learned={"issuer": self.issuer, "tried": lookup.tried},
            )
        metadata = ProtectedResourceMetadata.from_json(lookup.found, lookup.url)
        if metadata.resource is None:
            raise _fail(
                name,
                f"The metadata at {lookup.url} has no resource (RFC 9728 requires it): it "
                "cannot be told to be this server's.",
                lookup.records,
            )
        try:
            covered = _covers(metadata.resource, self.resource)
        except httpx.InvalidURL as exc:
            raise _fail(
                name,
                f"The metadata at {lookup.url} names an invalid resource "
                f"{metadata.resource!r}: {exc}.",
                lookup.records,
            ) from exc
        if not covered:
            raise _fail(
                name,
                f"The metadata at {lookup.url} is for the resource {metadata.resource!r}, "
                f"not for {self.resource}.",
                lookup.records,
            )
        servers = [
            url
            for url in metadata.authorization_servers
            if endpoint_problem(url, server_url=self.server_url) is None
        ]
        if not servers:
            listed = ", ".join(metadata.authorization_servers) or "none"
            raise _fail(
                name,
                f"The metadata at {lookup.url} lists no usable authorization server (https, "
                f"or http on a loopback host): {listed}.",
                lookup.records,
            )
        self.resource_metadata = metadata
        self.resource_indicator = metadata.resource
        self.issuer = servers[0]
        return AuthStep(
            name,
            True,
            f"Found at {lookup.url}; authorization server {self.issuer}.",
            lookup.records,
            learned={
                "url": lookup.url,
                "resource": metadata.resource,
                "authorization_servers": metadata.authorization_servers,
                "scopes_supported": metadata.scopes_supported,
            },
        )

    async def _discover_server(self) -> AuthStep:
        name = StepName.SERVER_METADATA
        assert self.issuer is not None
        candidates = as_metadata_candidates(self.issuer, self.protocol_version)
        lookup = await first_json(
            self._client_http(),
            candidates,
            protocol_version=self.protocol_version if self._legacy else None,
            timeout=self._timeout,
        )
        notes: list[str] = []
        if lookup.found is None or lookup.url is None:
            # 2025-03-26: the default endpoints stand in for metadata the server does not
            # have (404); any other failure is a failure.
            absent = bool(lookup.records) and all(r.status == 404 for r in lookup.records)
            if not self._legacy or not absent:
                raise _fail(
                    name,
                    f"No metadata for {self.issuer} at {lookup.describe_failures()}.",
                    lookup.records,
                )
            metadata = AuthServerMetadata.default_endpoints(self.server_url)
            summary = (
                f"No metadata at {lookup.describe_failures()}; using the 2025-03-26 default "
                f"endpoints at {self.issuer}."
            )
        else:
            metadata = AuthServerMetadata.from_json(lookup.found, lookup.url)
            summary = f"Found at {lookup.url}."
            if not metadata.issuer:
                raise _fail(name, f"The metadata at {lookup.url} has no issuer.", lookup.records)
            if metadata.issuer != self.issuer:
                message = (
                    f"The metadata's issuer {metadata.issuer!r} differs from the issuer "
                    f"{self.issuer!r} it was looked up for."
                )
                # RFC 8414 §3.3: such metadata must not be used. A 2025-03-26 server named
                # no issuer (its origin was assumed), so there the difference is only
                # noted, and the issuer recorded stays the one looked up.
                if not self._legacy:
                    raise _fail(name, message, lookup.records)
                notes.append(message)
                metadata = replace(metadata, issuer=self.issuer)
        self._check_server(name, metadata, lookup.records)
        if metadata.code_challenge_methods_supported is None:
            notes.append(
                "The metadata does not list code_challenge_methods_supported; S256 assumed."
            )
        self.server_metadata = metadata
        return AuthStep(
            name,
            True,
            summary,
            lookup.records,
            learned={
                "issuer": metadata.issuer,
                "authorization_endpoint": metadata.authorization_endpoint,
                "token_endpoint": metadata.token_endpoint,
                "registration_endpoint": metadata.registration_endpoint,
                "scopes_supported": metadata.scopes_supported,
                "code_challenge_methods_supported": metadata.code_challenge_methods_supported,
                "token_endpoint_auth_methods_supported": (
                    metadata.token_endpoint_auth_methods_supported
                ),
                "client_id_metadata_document_supported": (
                    metadata.client_id_metadata_document_supported
                ),
                "notes": notes,
            },
        )

    def _check_server(
        self, name: StepName, metadata: AuthServerMetadata, records: list[HttpRecord]
    ) -> None:
        endpoints = {"token_endpoint": metadata.token_endpoint}
        if self.settings.grant_type != CLIENT_CREDENTIALS:
            endpoints["authorization_endpoint"] = metadata.authorization_endpoint
        for field_name, url in endpoints.items():
            problem = endpoint_problem(url, server_url=self.server_url)
            if problem is not None:
                raise _fail(
                    name, f"The metadata's {field_name} {url!r} is unusable: {problem}.", records
                )
        if self.settings.grant_type == CLIENT_CREDENTIALS:
            return
        methods = metadata.code_challenge_methods_supported
        # 2025-11-25 made the absence of the list a reason to refuse; before, PKCE was
        # required of every server, advertised or not.
        if methods is None and self.protocol_version < "2025-11-25":
            return
        if not metadata.supports_s256():
            advertised = ", ".join(methods or []) or "nothing"
            raise _fail(
                name,
                "The authorization server does not advertise PKCE S256 "
                f"(code_challenge_methods_supported: {advertised}); refusing to proceed.",
                records,
            )

    async def _register(self) -> AuthStep:
        name = StepName.REGISTRATION
        metadata = self.server_metadata
        assert metadata is not None
        if self.settings.grant_type != CLIENT_CREDENTIALS and not self.settings.redirect_uri:
            raise _fail(
                name,
                "No redirect URI is configured: the authorization server needs a callback "
                "that listens, to send the browser back to (OAuthSettings.redirect_uri).",
            )
        if self.settings.client_id:
            await self._check_binding(metadata.issuer)
        known = await self.store.get_client(metadata.issuer, self.resource)
        try:
            registered = await choose_client(
                self._client_http(),
                self.settings,
                metadata,
                known=known,
                server_url=self.server_url,
                timeout=self._timeout,
            )
        except RegistrationError as exc:
            raise _fail(name, str(exc), exc.records) from exc
        self.client = registered.client
        if registered.client.source != "pre-registered":
            await self.store.save_client(self.resource, registered.client)
        return AuthStep(
            name,
            True,
            registered.why,
            registered.records,
            learned={
                "client_id": registered.client.client_id,
                "client_secret": mask_field("client_secret", registered.client.client_secret)
                if registered.client.client_secret
                else None,
                "auth_method": registered.client.auth_method,
                "source": registered.client.source,
            },
        )

    async def _check_binding(self, issuer: str) -> None:
        """Pre-registered credentials go to their own authorization server only (2026-07-28
        "Authorization Server Binding"): the configured `client_issuer`, else the first
        issuer they were used with, recorded in the store."""
        client_id = self.settings.client_id
        bound = self.settings.client_issuer
        if not bound:
            record = await self.store.get_client(binding_key(client_id), self.resource)
            bound = str(record.raw.get("issuer", "")) if record is not None else ""
        if not bound:
            await self.store.save_client(
                self.resource,
                ClientRegistration(
                    client_id, None, "", ISSUER_BINDING, binding_key(client_id), {"issuer": issuer}
                ),
            )
        elif bound != issuer:
            raise _fail(
                StepName.REGISTRATION,
                f"The pre-registered client {client_id!r} belongs to {bound}, but this server "
                f"now names {issuer} as its authorization server: its credentials are not "
                "sent there. Enter a client registered with that server.",
            )

    def _scope(self) -> tuple[str | None, str]:
        """The scope to request, and why (SEP-835 order, or a step-up's union)."""
        configured = set(self.settings.scope.split())
        challenged = set((self.challenge.scope or "").split()) if self.challenge else set()
        if self.previous is not None and challenged:
            # A step-up, or a re-authorization after a 401 (2026-07-28 SHOULD): what was
            # granted or configured stays, and what the server asks for is added.
            union = sorted(self.previous.scopes | configured | challenged)
            return " ".join(union), "the previous scope plus the challenge's"
        if configured:
            return self.settings.scope, "the connection's settings"
        if challenged:
            return self.challenge.scope if self.challenge else None, (
                "the WWW-Authenticate challenge"
            )
        supported = self.resource_metadata.scopes_supported if self.resource_metadata else []
        if supported:
            return " ".join(supported), "the resource metadata's scopes_supported"
        return None, "none defined, so omitted"

    async def _authorize(self) -> AuthStep:
        name = StepName.AUTHORIZATION
        metadata, client = self.server_metadata, self.client
        assert metadata is not None
        assert client is not None
        assert metadata.authorization_endpoint is not None
        pkce = Pkce.new()
        scope, why = self._scope()
        if not self.settings.scope:
            # A configured scope is requested exactly as entered.
            scope, why = with_offline_access(scope, why, metadata)
        query = {
            "response_type": "code",
            "client_id": client.client_id,
            "redirect_uri": self.settings.redirect_uri,
            "code_challenge": pkce.challenge,
            "code_challenge_method": pkce.method,
            "state": new_state(),
            "resource": self.resource_indicator,
        }
        if scope:
            query["scope"] = scope
        endpoint = httpx.URL(metadata.authorization_endpoint)
        joined = "&".join(part for part in (endpoint.query.decode(), urlencode(query)) if part)
        url = str(endpoint.copy_with(query=joined.encode()))
        self.pending = PendingAuthorization(
            state=query["state"],
            code_verifier=pkce.verifier,
            authorization_url=url,
            redirect_uri=self.settings.redirect_uri,
            resource=self.resource_indicator,
            issuer=metadata.issuer,
            token_endpoint=metadata.token_endpoint or "",
            client=client,
            scope=scope,
            iss_parameter_supported=metadata.iss_parameter_supported,
            server_resource=self.resource,
        )
        self.state = FlowState.AWAITING_REDIRECT
        return AuthStep(
            name,
            True,
            "Waiting for the person to authorize in the browser.",
            learned={"authorization_url": url, "scope": scope, "scope_from": why},
        )

    def _check_redirect(self, params: Mapping[str, str]) -> str:
        pending = self.pending
        assert pending is not None
        name = StepName.REDIRECT
        # RFC 9207: the issuer is checked first, on error responses too, by plain string
        # comparison; a mix-up attack would otherwise feed another server's code here.
        iss = params.get("iss")
        if iss is not None and iss != pending.issuer:
            raise _fail(name, f"The redirect's iss {iss!r} is not the issuer {pending.issuer!r}.")
        if iss is None and pending.iss_parameter_supported:
            raise _fail(
                name,
                f"{pending.issuer} advertises the iss parameter but the redirect lacks it.",
            )
        if params.get("state") != pending.state:
            raise _fail(name, "The redirect's state does not match this flow's.")
        error = params.get("error")
        if error:
            description = params.get("error_description")
            raise _fail(
                name,
                f"The authorization server refused: {error}"
                + (f" ({description})" if description else ""),
            )
        code = params.get("code")
        if not code:
            raise _fail(name, "The redirect carries no code.")
        return code

    async def _redeem(self, code: str) -> AuthStep:
        pending = self.pending
        assert pending is not None
        grant = authorization_code_grant(
            code, pending.code_verifier, pending.redirect_uri, pending.resource
        )
        return await self._token_step(
            grant, pending.token_endpoint, pending.client, pending.issuer, pending.scope
        )

    async def _client_grant(self) -> AuthStep:
        metadata, client = self.server_metadata, self.client
        assert metadata is not None
        assert client is not None
        assert metadata.token_endpoint
        scope, _ = self._scope()
        grant = client_credentials_grant(self.resource_indicator, scope)
        return await self._token_step(
            grant, metadata.token_endpoint, client, metadata.issuer, scope
        )

    async def _token_step(
        self,
        grant: TokenRequest,
        endpoint: str,
        client: ClientRegistration,
        issuer: str,
        scope: str | None,
    ) -> AuthStep:
        name = StepName.TOKEN
        try:
            tokens, fetched = await request_tokens(
                self._client_http(),
                endpoint,
                grant,
                client,
                resource=self.resource,
                issuer=issuer,
                requested_scope=scope,
                resource_indicator=grant.params.get("resource"),
                timeout=self._timeout,
            )
        except TokenEndpointError as exc:
            raise _fail(name, str(exc), [exc.fetched.record]) from exc
        self.tokens = tokens
        await self.store.save_tokens(tokens)
        return AuthStep(
            name,
            True,
            f"Tokens obtained ({grant.grant_type}) and stored for {self.resource}.",
            [fetched.record],
            learned=token_learned(tokens),
        )

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


class _StepFailure(AuthError):
    def __init__(self, step: StepName, message: str, records: list[HttpRecord]) -> None:
        super().__init__(step.value, message)
        self.records = records


# The store's record of the issuer a pre-registered client was first used with: a
# `ClientRegistration` with no secret, kept under this pseudo-issuer.
ISSUER_BINDING = "issuer-binding"


def binding_key(client_id: str) -> str:
    return f"urn:inspector:pre-registered-client:{client_id}"


def _as_auth_error(step: StepName, exc: Exception) -> AuthError:
    """A step's failure as an `AuthError` naming the step: anything a server's answer
    or the token store can raise ends the flow, never the caller."""
    if isinstance(exc, AuthError):
        return exc
    return _fail(step, f"{step.value} failed unexpectedly: {type(exc).__name__}: {exc}")


def _failed_step(exc: AuthError) -> AuthStep:
    records = exc.records if isinstance(exc, _StepFailure) else []
    return AuthStep(StepName(exc.step), False, exc.message, records, error=exc.message)


def _fail(step: StepName, message: str, records: list[HttpRecord] | None = None) -> AuthError:
    return _StepFailure(step, message, list(records or []))


def _covers(declared: str, resource: str) -> bool:
    """Whether a PRM's `resource` identifies this server: the same URI, or a prefix of
    it on a path boundary (RFC 9728 §3.3 with the usual hierarchical reading)."""
    declared = canonical_resource(declared)
    return resource == declared or resource.startswith(declared.rstrip("/") + "/")


OFFLINE_ACCESS = "offline_access"


def with_offline_access(
    scope: str | None, why: str, metadata: AuthServerMetadata
) -> tuple[str | None, str]:
    """The scope of an authorization request, with `offline_access` added when the
    authorization server lists it (SEP-2207): the inspector refreshes tokens rather than
    sending the person back to the browser. A scope the flow omits stays omitted, since
    `offline_access` alone would replace the server's default scope instead of adding to it."""
    if not scope or OFFLINE_ACCESS not in metadata.scopes_supported:
        return scope, why
    if OFFLINE_ACCESS in scope.split():
        return scope, why
    return f"{scope} {OFFLINE_ACCESS}", f"{why}, plus offline_access for a refresh token"
