"""The token endpoint: authorization_code, refresh_token and client_credentials grants,
authenticated the way the authorization server supports (none, client_secret_basic,
client_secret_post)."""

from __future__ import annotations

import base64
import math
import time
from dataclasses import asdict, dataclass, field, replace
from typing import Any
from urllib.parse import quote

import httpx

from inspector.mcp.auth.claims import jwt_claims
from inspector.mcp.auth.records import Fetched, mask_field, send
from inspector.mcp.timeouts import DEFAULT_CONNECT_TIMEOUT

# A token this close to expiry is refreshed before it is used.
REFRESH_MARGIN_SECONDS = 30.0
# Longer than any token lives; beyond it `expires_in` is taken as unusable.
MAX_LIFETIME_SECONDS = 10 * 365 * 24 * 3600.0


class AuthMethod:
    NONE = "none"
    BASIC = "client_secret_basic"
    POST = "client_secret_post"
    ALL = (NONE, BASIC, POST)


@dataclass(frozen=True, slots=True)
class ClientRegistration:
    """The client as an authorization server knows it. `source` says how it came to be:
    `pre-registered`, `metadata-document` (a URL client_id) or `dynamic`."""

    client_id: str
    client_secret: str | None = field(default=None, repr=False)
    auth_method: str = AuthMethod.NONE
    source: str = "pre-registered"
    issuer: str = ""
    # The registration response, without its secrets (`registration.public_registration`).
    raw: dict[str, Any] = field(default_factory=dict, repr=False)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ClientRegistration:
        return cls(**data)


@dataclass(frozen=True, slots=True)
class Tokens:
    """What a token endpoint granted, and everything needed to use and refresh it.

    `resource` is the canonical URI of the MCP server the token is for and `issuer` the
    authorization server that issued it: together they are its key in a `TokenStore`.
    `resource_indicator` is what was sent as `resource`, when the server's metadata
    spells it differently.
    """

    access_token: str = field(repr=False)
    token_type: str
    resource: str
    issuer: str
    token_endpoint: str
    client: ClientRegistration
    refresh_token: str | None = field(default=None, repr=False)
    expires_at: float | None = None
    scope: str | None = None
    # The scope that was asked for: the base of a step-up's union when `scope` is absent.
    requested_scope: str | None = None
    # The `resource` value sent for it (RFC 8707), as the server's metadata published it;
    # refreshes must send the same. None: the canonical `resource` itself.
    resource_indicator: str | None = None
    obtained_at: float = field(default_factory=time.time)

    def expires_soon(self, now: float | None = None) -> bool:
        """Within the refresh margin: 30 s, or half the lifetime of a shorter-lived token
        (which would otherwise be refreshed on every use)."""
        if self.expires_at is None:
            return False
        lifetime = max(self.expires_at - self.obtained_at, 0.0)
        margin = min(REFRESH_MARGIN_SECONDS, lifetime / 2)
        return (now or time.time()) >= self.expires_at - margin

    def expired(self, now: float | None = None) -> bool:
        return self.expires_at is not None and (now or time.time()) >= self.expires_at

    @property
    def scopes(self) -> set[str]:
        return set((self.scope or self.requested_scope or "").split())

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["client"] = self.client.to_dict()
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Tokens:
        values = dict(data)
        values["client"] = ClientRegistration.from_dict(values["client"])
        return cls(**values)


class TokenEndpointError(Exception):
    """The token endpoint refused the grant; the message carries its error body."""

    def __init__(self, message: str, fetched: Fetched) -> None:
        super().__init__(message)
        self.fetched = fetched


@dataclass(frozen=True, slots=True)
class TokenRequest:
    """A grant to redeem, before client authentication is added."""

    grant_type: str
    params: dict[str, str]


def authorization_code_grant(
    code: str, verifier: str, redirect_uri: str, resource: str
) -> TokenRequest:
    return TokenRequest(
        "authorization_code",
        {
            "code": code,
            "code_verifier": verifier,
            "redirect_uri": redirect_uri,
            "resource": resource,
        },
    )


def refresh_grant(refresh_token: str, resource: str, scope: str | None = None) -> TokenRequest:
    params = {"refresh_token": refresh_token, "resource": resource}
    if scope:
        params["scope"] = scope
    return TokenRequest("refresh_token", params)


def client_credentials_grant(resource: str, scope: str | None) -> TokenRequest:
    params = {"resource": resource}
    if scope:
        params["scope"] = scope
    return TokenRequest("client_credentials", params)


def _basic_credentials(client_id: str, secret: str) -> str:
    # RFC 6749 §2.3.1: both parts are form-urlencoded before base64.
    pair = f"{quote(client_id, safe='')}:{quote(secret, safe='')}"
    return "Basic " + base64.b64encode(pair.encode()).decode("ascii")


def authenticated(
    request: TokenRequest, client: ClientRegistration
) -> tuple[dict[str, str], dict[str, str]]:
    """The form fields and headers of a token request under the client's auth method."""
    data = {"grant_type": request.grant_type, **request.params}
    headers: dict[str, str] = {}
    if client.auth_method == AuthMethod.BASIC and client.client_secret is not None:
        headers["Authorization"] = _basic_credentials(client.client_id, client.client_secret)
    else:
        data["client_id"] = client.client_id
        if client.auth_method == AuthMethod.POST and client.client_secret is not None:
            data["client_secret"] = client.client_secret
    return data, headers


async def request_tokens(
    http: httpx.AsyncClient,
    token_endpoint: str,
    request: TokenRequest,
    client: ClientRegistration,
    *,
    resource: str,
    issuer: str,
    requested_scope: str | None = None,
    resource_indicator: str | None = None,
    previous: Tokens | None = None,
    timeout: float = DEFAULT_CONNECT_TIMEOUT,
) -> tuple[Tokens, Fetched]:
    """Redeem a grant. Raises `TokenEndpointError` with the endpoint's error body."""
    data, headers = authenticated(request, client)
    fetched = await send(http, "POST", token_endpoint, headers=headers, data=data, timeout=timeout)
    body = fetched.json()
    if fetched.status != 200 or not isinstance(body, dict):
        raise TokenEndpointError(_describe_refusal(token_endpoint, fetched, body), fetched)
    access_token = body.get("access_token")
    if not isinstance(access_token, str) or not access_token:
        raise TokenEndpointError(f"{token_endpoint} answered 200 without an access_token.", fetched)
    token_type = str(body.get("token_type") or "Bearer")
    if token_type.lower() != "bearer":
        # A DPoP (RFC 9449) or other bound token sent as Bearer would be refused, or worse.
        raise TokenEndpointError(
            f"{token_endpoint} issued a {token_type!r} token: only Bearer tokens can be used.",
            fetched,
        )
    refresh_token = body.get("refresh_token")
    scope = body.get("scope")
    tokens = Tokens(
        access_token=access_token,
        token_type=token_type,
        resource=resource,
        issuer=issuer,
        token_endpoint=token_endpoint,
        client=client,
        refresh_token=refresh_token if isinstance(refresh_token, str) else None,
        expires_at=expiry(body.get("expires_in")),
        scope=scope if isinstance(scope, str) else None,
        requested_scope=requested_scope,
        resource_indicator=resource_indicator if resource_indicator != resource else None,
    )
    if previous is not None and tokens.refresh_token is None:
        # RFC 6749 §6: a refresh response may omit the refresh token; the old one stays.
        tokens = replace(tokens, refresh_token=previous.refresh_token)
    return tokens, fetched


def lifetime_seconds(expires_in: Any) -> float | None:
    """`expires_in` in seconds (a number, or a string of one as some servers send), or
    None when absent or unusable (negative, not finite, absurdly large)."""
    if isinstance(expires_in, bool) or not isinstance(expires_in, int | float | str):
        return None
    try:
        seconds = float(expires_in)
    except (ValueError, OverflowError):
        return None
    if not math.isfinite(seconds) or not 0 <= seconds <= MAX_LIFETIME_SECONDS:
        return None
    return seconds


def expiry(expires_in: Any, now: float | None = None) -> float | None:
    seconds = lifetime_seconds(expires_in)
    return (now or time.time()) + seconds if seconds is not None else None


def _describe_refusal(endpoint: str, fetched: Fetched, body: Any) -> str:
    if fetched.response is None:
        return f"{endpoint} could not be reached: {fetched.record.error}"
    if isinstance(body, dict) and isinstance(body.get("error"), str):
        description = body.get("error_description")
        extra = f": {description}" if isinstance(description, str) else ""
        return f"{endpoint} answered HTTP {fetched.status} {body['error']}{extra}"
    return f"{endpoint} answered HTTP {fetched.status}: {fetched.masked_text[:500]!r}"


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
