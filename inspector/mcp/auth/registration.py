"""Which client the flow presents to an authorization server, and dynamic registration.

Priority (2025-11-25): pre-registered credentials, then a client ID metadata document
(a URL client_id, only when the server advertises `client_id_metadata_document_supported`),
then dynamic client registration (RFC 7591); otherwise the person must register a
client by hand and the flow says so.
"""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from inspector.mcp.auth.config import CLIENT_CREDENTIALS, OAuthSettings
from inspector.mcp.auth.discovery import AuthServerMetadata, endpoint_problem, is_loopback
from inspector.mcp.auth.records import HttpRecord, is_secret_field, send
from inspector.mcp.auth.tokens import AuthMethod, ClientRegistration
from inspector.mcp.timeouts import DEFAULT_CONNECT_TIMEOUT

PRE_REGISTERED = "pre-registered"
METADATA_DOCUMENT = "metadata-document"
DYNAMIC = "dynamic"


class RegistrationError(Exception):
    def __init__(self, message: str, records: list[HttpRecord]) -> None:
        super().__init__(message)
        self.records = records


def supported_methods(metadata: AuthServerMetadata) -> list[str]:
    # RFC 8414 §2: when absent, client_secret_basic is the default.
    return metadata.token_endpoint_auth_methods_supported or [AuthMethod.BASIC]


def method_for_secret(metadata: AuthServerMetadata, has_secret: bool) -> str:
    """The token endpoint auth method to use, given whether the client has a secret."""
    supported = supported_methods(metadata)
    if has_secret:
        for method in (AuthMethod.BASIC, AuthMethod.POST):
            if method in supported:
                return method
    return AuthMethod.NONE


def is_loopback_redirect(redirect_uri: str) -> bool:
    try:
        return is_loopback(httpx.URL(redirect_uri))
    except httpx.InvalidURL:
        return False


def metadata_url_problem(url: str) -> str | None:
    """Why a client ID metadata document URL cannot be a client_id, or None: it must be
    https with a path (http only on a loopback host, for local testing)."""
    try:
        parsed = httpx.URL(url)
    except httpx.InvalidURL as exc:
        return f"not a valid URL ({exc})"
    secure = parsed.scheme == "https" or (parsed.scheme == "http" and is_loopback(parsed))
    if not secure or not parsed.host:
        return "not an https URL"
    if parsed.path in ("", "/"):
        return "an https URL without a path"
    return None


@dataclass(slots=True)
class Registered:
    client: ClientRegistration
    records: list[HttpRecord]
    why: str


async def choose_client(
    http: httpx.AsyncClient,
    settings: OAuthSettings,
    metadata: AuthServerMetadata,
    *,
    known: ClientRegistration | None,
    server_url: str,
    timeout: float = DEFAULT_CONNECT_TIMEOUT,
) -> Registered:
    """The client to use with this authorization server, registering one if needed."""
    issuer = metadata.issuer
    if settings.client_id:
        method = settings.auth_method or method_for_secret(metadata, bool(settings.client_secret))
        client = ClientRegistration(
            settings.client_id,
            settings.client_secret or None,
            method,
            PRE_REGISTERED,
            issuer,
        )
        return Registered(client, [], "Using the pre-registered client.")
    if known is not None and known.issuer == issuer:
        return Registered(known, [], f"Reusing the client registered with {issuer}.")
    if (
        settings.client_metadata_url
        and metadata.client_id_metadata_document_supported
        and settings.grant_type != CLIENT_CREDENTIALS
    ):
        problem = metadata_url_problem(settings.client_metadata_url)
        if problem is not None:
            raise RegistrationError(
                f"The client metadata URL {settings.client_metadata_url!r} cannot be a "
                f"client_id: it is {problem}.",
                [],
            )
        client = ClientRegistration(
            settings.client_metadata_url, None, AuthMethod.NONE, METADATA_DOCUMENT, issuer
        )
        return Registered(
            client,
            [],
            "The server supports client ID metadata documents: the client_id is its URL.",
        )
    if metadata.registration_endpoint:
        problem = endpoint_problem(metadata.registration_endpoint, server_url=server_url)
        if problem is not None:
            raise RegistrationError(
                f"The registration_endpoint {metadata.registration_endpoint!r} is unusable: "
                f"{problem}.",
                [],
            )
        return await register(http, settings, metadata, timeout=timeout)
    raise RegistrationError(
        f"{issuer} offers no way to register automatically (no client ID metadata document "
        "support and no registration_endpoint): enter a pre-registered client ID.",
        [],
    )


def registration_request(
    settings: OAuthSettings, metadata: AuthServerMetadata
) -> dict[str, object]:
    method = AuthMethod.NONE if AuthMethod.NONE in supported_methods(metadata) else None
    if method is None:
        method = method_for_secret(metadata, has_secret=True)
    grant_types = (
        [CLIENT_CREDENTIALS]
        if settings.grant_type == CLIENT_CREDENTIALS
        else ["authorization_code", "refresh_token"]
    )
    body: dict[str, object] = {
        "client_name": settings.client_name,
        "grant_types": grant_types,
        "token_endpoint_auth_method": method,
        # SEP-837: a loopback redirect means a native app, anything else a web one.
        "application_type": "native" if is_loopback_redirect(settings.redirect_uri) else "web",
    }
    if settings.grant_type != CLIENT_CREDENTIALS:
        body["redirect_uris"] = [settings.redirect_uri]
        body["response_types"] = ["code"]
    if settings.scope:
        body["scope"] = settings.scope
    return body


def public_registration(body: dict[str, object]) -> dict[str, object]:
    """A registration response without the secrets it carries (the client secret and the
    RFC 7592 registration access token), fit to keep and show."""
    return {key: value for key, value in body.items() if not is_secret_field(key)}


async def register(
    http: httpx.AsyncClient,
    settings: OAuthSettings,
    metadata: AuthServerMetadata,
    *,
    timeout: float = DEFAULT_CONNECT_TIMEOUT,
) -> Registered:
    assert metadata.registration_endpoint is not None
    endpoint = metadata.registration_endpoint
    fetched = await send(
        http,
        "POST",
        endpoint,
        json_body=registration_request(settings, metadata),
        timeout=timeout,
    )
    body = fetched.json()
    if fetched.status not in (200, 201) or not isinstance(body, dict):
        outcome = fetched.record.error or f"HTTP {fetched.status}: {fetched.masked_text[:500]!r}"
        raise RegistrationError(
            f"Dynamic registration at {endpoint} failed: {outcome}", [fetched.record]
        )
    client_id = body.get("client_id")
    if not isinstance(client_id, str) or not client_id:
        raise RegistrationError(f"{endpoint} answered without a client_id.", [fetched.record])
    secret = body.get("client_secret") if isinstance(body.get("client_secret"), str) else None
    method = body.get("token_endpoint_auth_method")
    if not isinstance(method, str) or method not in AuthMethod.ALL:
        method = method_for_secret(metadata, secret is not None)
    client = ClientRegistration(
        client_id,
        secret,
        method,
        DYNAMIC,
        metadata.issuer,
        raw=public_registration(body),
    )
    return Registered(client, [fetched.record], f"Registered dynamically at {endpoint}.")
