"""The discovery steps of an OAuth flow: the protected resource metadata (RFC 9728),
then the authorization server metadata (RFC 8414, or OpenID Connect discovery), with the
2025-03-26 fallbacks for servers that have neither."""

from __future__ import annotations

from dataclasses import replace

import httpx

from inspector.mcp.auth.config import CLIENT_CREDENTIALS
from inspector.mcp.auth.discovery import (
    AuthServerMetadata,
    ProtectedResourceMetadata,
    as_metadata_candidates,
    canonical_resource,
    endpoint_problem,
    first_json,
    origin,
    prm_candidates,
)
from inspector.mcp.auth.flow_steps import FlowContext, fail
from inspector.mcp.auth.pending import AuthStep
from inspector.mcp.auth.records import HttpRecord
from inspector.mcp.auth.states import StepName


async def discover_resource(ctx: FlowContext) -> AuthStep:
    """Find the protected resource metadata, and the authorization server it names."""
    name = StepName.RESOURCE_METADATA
    if ctx.legacy:
        ctx.issuer = origin(ctx.server_url)
        return AuthStep(
            name,
            True,
            f"Protocol {ctx.protocol_version} has no protected resource metadata: "
            f"the server's origin {ctx.issuer} is its authorization server.",
            learned={"issuer": ctx.issuer},
        )
    hint = ctx.challenge.resource_metadata if ctx.challenge is not None else None
    problem = endpoint_problem(hint, server_url=ctx.server_url) if hint is not None else None
    if problem is not None:
        raise fail(name, f"The challenge's resource_metadata {hint!r} is {problem}.")
    candidates = prm_candidates(ctx.server_url, hint)
    lookup = await first_json(
        ctx.http(),
        candidates,
        protocol_version=ctx.protocol_version,
        timeout=ctx.timeout,
    )
    if lookup.found is None or lookup.url is None:
        # Servers of the 2025-03-26 kind have none: fall back to their rules.
        ctx.legacy = True
        ctx.issuer = origin(ctx.server_url)
        return AuthStep(
            name,
            True,
            f"No protected resource metadata at {lookup.describe_failures()}; "
            f"falling back to the 2025-03-26 rules ({ctx.issuer} as the authorization "
            "server).",
            lookup.records,
            learned={"issuer": ctx.issuer, "tried": lookup.tried},
        )
    metadata = ProtectedResourceMetadata.from_json(lookup.found, lookup.url)
    if metadata.resource is None:
        raise fail(
            name,
            f"The metadata at {lookup.url} has no resource (RFC 9728 requires it): it "
            "cannot be told to be this server's.",
            lookup.records,
        )
    try:
        covered = _covers(metadata.resource, ctx.resource)
    except httpx.InvalidURL as exc:
        raise fail(
            name,
            f"The metadata at {lookup.url} names an invalid resource {metadata.resource!r}: {exc}.",
            lookup.records,
        ) from exc
    if not covered:
        raise fail(
            name,
            f"The metadata at {lookup.url} is for the resource {metadata.resource!r}, "
            f"not for {ctx.resource}.",
            lookup.records,
        )
    servers = [
        url
        for url in metadata.authorization_servers
        if endpoint_problem(url, server_url=ctx.server_url) is None
    ]
    if not servers:
        listed = ", ".join(metadata.authorization_servers) or "none"
        raise fail(
            name,
            f"The metadata at {lookup.url} lists no usable authorization server (https, "
            f"or http on a loopback host): {listed}.",
            lookup.records,
        )
    ctx.resource_metadata = metadata
    ctx.resource_indicator = metadata.resource
    ctx.issuer = servers[0]
    return AuthStep(
        name,
        True,
        f"Found at {lookup.url}; authorization server {ctx.issuer}.",
        lookup.records,
        learned={
            "url": lookup.url,
            "resource": metadata.resource,
            "authorization_servers": metadata.authorization_servers,
            "scopes_supported": metadata.scopes_supported,
        },
    )


async def discover_server(ctx: FlowContext) -> AuthStep:
    """Read the authorization server's metadata, and check it can be used."""
    name = StepName.SERVER_METADATA
    assert ctx.issuer is not None
    candidates = as_metadata_candidates(ctx.issuer, ctx.protocol_version)
    lookup = await first_json(
        ctx.http(),
        candidates,
        protocol_version=ctx.protocol_version if ctx.legacy else None,
        timeout=ctx.timeout,
    )
    notes: list[str] = []
    if lookup.found is None or lookup.url is None:
        # 2025-03-26: the default endpoints stand in for metadata the server does not
        # have (404); any other failure is a failure.
        absent = bool(lookup.records) and all(r.status == 404 for r in lookup.records)
        if not ctx.legacy or not absent:
            raise fail(
                name,
                f"No metadata for {ctx.issuer} at {lookup.describe_failures()}.",
                lookup.records,
            )
        metadata = AuthServerMetadata.default_endpoints(ctx.server_url)
        summary = (
            f"No metadata at {lookup.describe_failures()}; using the 2025-03-26 default "
            f"endpoints at {ctx.issuer}."
        )
    else:
        metadata = AuthServerMetadata.from_json(lookup.found, lookup.url)
        summary = f"Found at {lookup.url}."
        if not metadata.issuer:
            raise fail(name, f"The metadata at {lookup.url} has no issuer.", lookup.records)
        if metadata.issuer != ctx.issuer:
            message = (
                f"The metadata's issuer {metadata.issuer!r} differs from the issuer "
                f"{ctx.issuer!r} it was looked up for."
            )
            # RFC 8414 §3.3: such metadata must not be used. A 2025-03-26 server named
            # no issuer (its origin was assumed), so there the difference is only
            # noted, and the issuer recorded stays the one looked up.
            if not ctx.legacy:
                raise fail(name, message, lookup.records)
            notes.append(message)
            metadata = replace(metadata, issuer=ctx.issuer)
    _check_server(ctx, name, metadata, lookup.records)
    if metadata.code_challenge_methods_supported is None:
        notes.append("The metadata does not list code_challenge_methods_supported; S256 assumed.")
    ctx.server_metadata = metadata
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
    ctx: FlowContext, name: StepName, metadata: AuthServerMetadata, records: list[HttpRecord]
) -> None:
    endpoints = {"token_endpoint": metadata.token_endpoint}
    if ctx.settings.grant_type != CLIENT_CREDENTIALS:
        endpoints["authorization_endpoint"] = metadata.authorization_endpoint
    for field_name, url in endpoints.items():
        problem = endpoint_problem(url, server_url=ctx.server_url)
        if problem is not None:
            raise fail(
                name, f"The metadata's {field_name} {url!r} is unusable: {problem}.", records
            )
    if ctx.settings.grant_type == CLIENT_CREDENTIALS:
        return
    methods = metadata.code_challenge_methods_supported
    # 2025-11-25 made the absence of the list a reason to refuse; before, PKCE was
    # required of every server, advertised or not.
    if methods is None and ctx.protocol_version < "2025-11-25":
        return
    if not metadata.supports_s256():
        advertised = ", ".join(methods or []) or "nothing"
        raise fail(
            name,
            "The authorization server does not advertise PKCE S256 "
            f"(code_challenge_methods_supported: {advertised}); refusing to proceed.",
            records,
        )


def _covers(declared: str, resource: str) -> bool:
    """Whether a PRM's `resource` identifies this server: the same URI, or a prefix of
    it on a path boundary (RFC 9728 §3.3 with the usual hierarchical reading)."""
    declared = canonical_resource(declared)
    return resource == declared or resource.startswith(declared.rstrip("/") + "/")
