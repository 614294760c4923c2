"""The steps of an OAuth flow after discovery, as functions over a `FlowContext`: the
client registration, the authorization request and its redirect, and the token requests.
Each step returns the `AuthStep` it recorded, or raises a `StepFailure` naming itself."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from urllib.parse import urlencode

import httpx

from inspector.mcp.auth.config import CLIENT_CREDENTIALS, OAuthSettings
from inspector.mcp.auth.discovery import AuthServerMetadata, ProtectedResourceMetadata
from inspector.mcp.auth.pending import AuthStep, PendingAuthorization
from inspector.mcp.auth.pkce import Pkce, new_state
from inspector.mcp.auth.records import HttpRecord, mask_field
from inspector.mcp.auth.registration import RegistrationError, choose_client
from inspector.mcp.auth.states import StepName
from inspector.mcp.auth.store import TokenStore
from inspector.mcp.auth.tokens import (
    ClientRegistration,
    TokenEndpointError,
    TokenRequest,
    Tokens,
    authorization_code_grant,
    client_credentials_grant,
    request_tokens,
    token_learned,
)
from inspector.mcp.challenge import Challenge
from inspector.mcp.errors import AuthError


@dataclass(slots=True)
class FlowContext:
    """What the steps of one flow start from, and what they learn on the way."""

    server_url: str
    # The canonical URI of the MCP server: the tokens' key in the store.
    resource: str
    protocol_version: str
    settings: OAuthSettings
    store: TokenStore
    # The flow's HTTP client, made when first needed.
    http: Callable[[], httpx.AsyncClient]
    timeout: float
    # The Bearer challenge that started the flow (a 401, or a 403 step-up), and the token
    # the server refused, whose scope the new request keeps.
    challenge: Challenge | None = None
    previous: Tokens | None = None
    # Without protected resource metadata the flow follows the 2025-03-26 rules (the
    # server's origin is its authorization server).
    legacy: bool = False
    # What is sent as `resource`: the PRM's identifier exactly as published, else the
    # canonical server URI.
    resource_indicator: str = ""
    resource_metadata: ProtectedResourceMetadata | None = None
    server_metadata: AuthServerMetadata | None = None
    issuer: str | None = None
    client: ClientRegistration | None = None
    pending: PendingAuthorization | None = None
    tokens: Tokens | None = None


async def register(ctx: FlowContext) -> AuthStep:
    """Choose the client: pre-registered, remembered, a metadata document, or registered."""
    name = StepName.REGISTRATION
    metadata = ctx.server_metadata
    assert metadata is not None
    if ctx.settings.grant_type != CLIENT_CREDENTIALS and not ctx.settings.redirect_uri:
        raise fail(
            name,
            "No redirect URI is configured: the authorization server needs a callback "
            "that listens, to send the browser back to (OAuthSettings.redirect_uri).",
        )
    if ctx.settings.client_id:
        await _check_binding(ctx, metadata.issuer)
    known = await ctx.store.get_client(metadata.issuer, ctx.resource)
    try:
        registered = await choose_client(
            ctx.http(),
            ctx.settings,
            metadata,
            known=known,
            server_url=ctx.server_url,
            timeout=ctx.timeout,
        )
    except RegistrationError as exc:
        raise fail(name, str(exc), exc.records) from exc
    ctx.client = registered.client
    if registered.client.source != "pre-registered":
        await ctx.store.save_client(ctx.resource, registered.client)
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


async def _check_binding(ctx: FlowContext, issuer: str) -> None:
    """Pre-registered credentials go to their own authorization server only (2026-07-28
    "Authorization Server Binding"): the configured `client_issuer`, else the first
    issuer they were used with, recorded in the store."""
    client_id = ctx.settings.client_id
    bound = ctx.settings.client_issuer
    if not bound:
        record = await ctx.store.get_client(binding_key(client_id), ctx.resource)
        bound = str(record.raw.get("issuer", "")) if record is not None else ""
    if not bound:
        await ctx.store.save_client(
            ctx.resource,
            ClientRegistration(
                client_id, None, "", ISSUER_BINDING, binding_key(client_id), {"issuer": issuer}
            ),
        )
    elif bound != issuer:
        raise fail(
            StepName.REGISTRATION,
            f"The pre-registered client {client_id!r} belongs to {bound}, but this server "
            f"now names {issuer} as its authorization server: its credentials are not "
            "sent there. Enter a client registered with that server.",
        )


def requested_scope(ctx: FlowContext) -> tuple[str | None, str]:
    """The scope to request, and why (SEP-835 order, or a step-up's union)."""
    configured = set(ctx.settings.scope.split())
    challenged = set((ctx.challenge.scope or "").split()) if ctx.challenge else set()
    if ctx.previous is not None and challenged:
        # A step-up, or a re-authorization after a 401 (2026-07-28 SHOULD): what was
        # granted or configured stays, and what the server asks for is added.
        union = sorted(ctx.previous.scopes | configured | challenged)
        return " ".join(union), "the previous scope plus the challenge's"
    if configured:
        return ctx.settings.scope, "the connection's settings"
    if challenged:
        return ctx.challenge.scope if ctx.challenge else None, ("the WWW-Authenticate challenge")
    supported = ctx.resource_metadata.scopes_supported if ctx.resource_metadata else []
    if supported:
        return " ".join(supported), "the resource metadata's scopes_supported"
    return None, "none defined, so omitted"


async def authorize(ctx: FlowContext) -> AuthStep:
    """Build the authorization request; the flow then awaits the browser's redirect."""
    name = StepName.AUTHORIZATION
    metadata, client = ctx.server_metadata, ctx.client
    assert metadata is not None
    assert client is not None
    assert metadata.authorization_endpoint is not None
    pkce = Pkce.new()
    scope, why = requested_scope(ctx)
    if not ctx.settings.scope:
        # A configured scope is requested exactly as entered.
        scope, why = with_offline_access(scope, why, metadata)
    query = {
        "response_type": "code",
        "client_id": client.client_id,
        "redirect_uri": ctx.settings.redirect_uri,
        "code_challenge": pkce.challenge,
        "code_challenge_method": pkce.method,
        "state": new_state(),
        "resource": ctx.resource_indicator,
    }
    if scope:
        query["scope"] = scope
    endpoint = httpx.URL(metadata.authorization_endpoint)
    joined = "&".join(part for part in (endpoint.query.decode(), urlencode(query)) if part)
    url = str(endpoint.copy_with(query=joined.encode()))
    ctx.pending = PendingAuthorization(
        state=query["state"],
        code_verifier=pkce.verifier,
        authorization_url=url,
        redirect_uri=ctx.settings.redirect_uri,
        resource=ctx.resource_indicator,
        issuer=metadata.issuer,
        token_endpoint=metadata.token_endpoint or "",
        client=client,
        scope=scope,
        iss_parameter_supported=metadata.iss_parameter_supported,
        server_resource=ctx.resource,
    )
    return AuthStep(
        name,
        True,
        "Waiting for the person to authorize in the browser.",
        learned={"authorization_url": url, "scope": scope, "scope_from": why},
    )


def check_redirect(pending: PendingAuthorization, params: Mapping[str, str]) -> str:
    """The code the redirect carries, once its issuer and state are checked."""
    name = StepName.REDIRECT
    # RFC 9207: the issuer is checked first, on error responses too, by plain string
    # comparison; a mix-up attack would otherwise feed another server's code here.
    iss = params.get("iss")
    if iss is not None and iss != pending.issuer:
        raise fail(name, f"The redirect's iss {iss!r} is not the issuer {pending.issuer!r}.")
    if iss is None and pending.iss_parameter_supported:
        raise fail(
            name,
            f"{pending.issuer} advertises the iss parameter but the redirect lacks it.",
        )
    if params.get("state") != pending.state:
        raise fail(name, "The redirect's state does not match this flow's.")
    error = params.get("error")
    if error:
        description = params.get("error_description")
        raise fail(
            name,
            f"The authorization server refused: {error}"
            + (f" ({description})" if description else ""),
        )
    code = params.get("code")
    if not code:
        raise fail(name, "The redirect carries no code.")
    return code


async def redeem(ctx: FlowContext, code: str) -> AuthStep:
    """Exchange the authorization code for tokens."""
    pending = ctx.pending
    assert pending is not None
    grant = authorization_code_grant(
        code, pending.code_verifier, pending.redirect_uri, pending.resource
    )
    return await _token_step(
        ctx, grant, pending.token_endpoint, pending.client, pending.issuer, pending.scope
    )


async def client_grant(ctx: FlowContext) -> AuthStep:
    """The client_credentials grant: tokens without a person."""
    metadata, client = ctx.server_metadata, ctx.client
    assert metadata is not None
    assert client is not None
    assert metadata.token_endpoint
    scope, _ = requested_scope(ctx)
    grant = client_credentials_grant(ctx.resource_indicator, scope)
    return await _token_step(ctx, grant, metadata.token_endpoint, client, metadata.issuer, scope)


async def _token_step(
    ctx: FlowContext,
    grant: TokenRequest,
    endpoint: str,
    client: ClientRegistration,
    issuer: str,
    scope: str | None,
) -> AuthStep:
    name = StepName.TOKEN
    try:
        tokens, fetched = await request_tokens(
            ctx.http(),
            endpoint,
            grant,
            client,
            resource=ctx.resource,
            issuer=issuer,
            requested_scope=scope,
            resource_indicator=grant.params.get("resource"),
            timeout=ctx.timeout,
        )
    except TokenEndpointError as exc:
        raise fail(name, str(exc), [exc.fetched.record]) from exc
    ctx.tokens = tokens
    await ctx.store.save_tokens(tokens)
    return AuthStep(
        name,
        True,
        f"Tokens obtained ({grant.grant_type}) and stored for {ctx.resource}.",
        [fetched.record],
        learned=token_learned(tokens),
    )


class StepFailure(AuthError):
    """A step's failure, with the HTTP exchanges that showed it."""

    def __init__(self, step: StepName, message: str, records: list[HttpRecord]) -> None:
        super().__init__(step.value, message)
        self.records = records


# The store's record of the issuer a pre-registered client was first used with: a
# `ClientRegistration` with no secret, kept under this pseudo-issuer.
ISSUER_BINDING = "issuer-binding"


def binding_key(client_id: str) -> str:
    return f"urn:inspector:pre-registered-client:{client_id}"


def as_auth_error(step: StepName, exc: Exception) -> AuthError:
    """A step's failure as an `AuthError` naming the step: anything a server's answer
    or the token store can raise ends the flow, never the caller."""
    if isinstance(exc, AuthError):
        return exc
    return fail(step, f"{step.value} failed unexpectedly: {type(exc).__name__}: {exc}")


def failed_step(exc: AuthError) -> AuthStep:
    records = exc.records if isinstance(exc, StepFailure) else []
    return AuthStep(StepName(exc.step), False, exc.message, records, error=exc.message)


def fail(step: StepName, message: str, records: list[HttpRecord] | None = None) -> AuthError:
    return StepFailure(step, message, list(records or []))


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
