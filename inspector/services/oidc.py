"""Sign-in with the team's identity provider over OpenID Connect: the authorization code
flow with PKCE (S256) and a nonce, for hosted mode's accounts.

Authlib does the protocol: discovery, the state, nonce and PKCE pair, the code exchange
and the ID token's checks (its signature against the provider's published keys, `iss`,
`aud`, `exp`, `iat`, `nonce`, `azp`, `at_hash`). Its Django client is synchronous, over
`requests`; its framework-free async mixins over httpx are what this module builds on, and
what a flow must remember between the two legs (`PendingSignIn`) is kept by the caller in
the browser's own Django session, so only the browser that left can come back.

Every sign-in reads the discovery document and the keys afresh: sign-ins are rare, and a
provider that rotates its keys is then never met with stale ones.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import httpx2
from asgiref.sync import sync_to_async
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.base_client import BaseApp
from authlib.integrations.base_client.async_app import AsyncOAuth2Mixin
from authlib.integrations.base_client.async_openid import AsyncOpenIDMixin
from authlib.integrations.httpx_client import AsyncOAuth2Client
from django.conf import settings
from django.contrib.auth.models import User
from joserfc.errors import BadSignatureError, ClaimError, ExpiredTokenError, JoseError

from inspector.storage.oidc_identities import account_for_identity

DISCOVERY_PATH = "/.well-known/openid-configuration"
HTTP_TIMEOUT_SECONDS = 10.0
# Clock difference tolerated between the provider and this machine.
LEEWAY_SECONDS = 60
# Only signatures made with a private key: a shared-secret (HS*) ID token would be
# checked against whatever the key set holds, and "none" is no signature at all.
ASYMMETRIC_ALGORITHMS = (
    "RS256",
    "RS384",
    "RS512",
    "PS256",
    "PS384",
    "PS512",
    "ES256",
    "ES384",
    "ES512",
    "EdDSA",
)


class SignInRefused(Exception):
    """The sign-in did not happen; the message says why, for the person signing in."""


@dataclass(frozen=True, slots=True)
class IdentityProvider:
    """The operator's configuration (settings.py, `INSPECTOR_OIDC_*`)."""

    issuer: str
    client_id: str
    client_secret: str
    name: str
    scopes: str
    allowed_domains: tuple[str, ...]

    @property
    def discovery_url(self) -> str:
        return self.issuer.rstrip("/") + DISCOVERY_PATH


@dataclass(frozen=True, slots=True)
class PendingSignIn:
    """What the browser's session keeps while the person is at the provider."""

    state: str
    nonce: str
    code_verifier: str
    redirect_uri: str

    def as_dict(self) -> dict[str, str]:
        return asdict(self)

    @classmethod
    def from_dict(cls, kept: dict[str, Any]) -> PendingSignIn:
        return cls(**{name: str(kept.get(name, "")) for name in cls.__slots__})


@dataclass(frozen=True, slots=True)
class SignInStart:
    url: str
    pending: PendingSignIn


def identity_provider_get() -> IdentityProvider | None:
    """The configured provider, or None: then only passwords sign in."""
    if not settings.INSPECTOR_OIDC_ISSUER:
        return None
    scopes = settings.INSPECTOR_OIDC_SCOPES.split()
    return IdentityProvider(
        issuer=settings.INSPECTOR_OIDC_ISSUER,
        client_id=settings.INSPECTOR_OIDC_CLIENT_ID,
        client_secret=settings.INSPECTOR_OIDC_CLIENT_SECRET,
        name=settings.INSPECTOR_OIDC_NAME,
        # Without "openid" a provider answers with plain OAuth: no ID token, no identity.
        scopes=" ".join(scopes if "openid" in scopes else ["openid", *scopes]),
        allowed_domains=tuple(settings.INSPECTOR_OIDC_ALLOWED_DOMAINS),
    )


async def oidc_sign_in_start(*, provider: IdentityProvider, redirect_uri: str) -> SignInStart:
    """Where to send the browser, and what its session must keep until it comes back."""
    client = _ProviderClient(provider)
    try:
        await client.discover()
        created = await client.create_authorization_url(redirect_uri)
    except _FAILURES as error:
        raise SignInRefused(_unreachable(provider, error)) from error
    return SignInStart(
        url=str(created["url"]),
        pending=PendingSignIn(
            state=str(created["state"]),
            nonce=str(created["nonce"]),
            code_verifier=str(created["code_verifier"]),
            redirect_uri=redirect_uri,
        ),
    )


async def oidc_sign_in_finish(
    *, provider: IdentityProvider, pending: PendingSignIn, answer: dict[str, str]
) -> User:
    """The account of whoever the provider's `answer` (the callback's query) vouches for,
    made on their first sign-in. The caller has matched `answer["state"]` to `pending`."""
    if refused := answer.get("error"):
        said = answer.get("error_description") or refused
        raise SignInRefused(f"{provider.name} did not sign you in: {said}")
    client = _ProviderClient(provider)
    try:
        issuer = await client.discover()
        # RFC 9207: an answer that names its issuer must name ours (a mix-up otherwise).
        if answer.get("iss", issuer) != issuer:
            raise SignInRefused(
                f"The answer came from {answer['iss']}, not from {provider.name}. "
                "Nothing was signed in."
            )
        if not answer.get("code"):
            raise SignInRefused(f"{provider.name} sent no authorization code back.")
        token = await client.fetch_access_token(
            redirect_uri=pending.redirect_uri,
            code=answer["code"],
            code_verifier=pending.code_verifier,
        )
        if "id_token" not in token:
            raise SignInRefused(f"{provider.name} answered without an ID token.")
        claims = dict(
            await client.parse_id_token(
                token,
                nonce=pending.nonce,
                claims_options={
                    "iss": {"essential": True, "value": issuer},
                    "aud": {"essential": True, "values": [provider.client_id]},
                    "sub": {"essential": True},
                },
                leeway=LEEWAY_SECONDS,
            )
        )
        if "email" not in claims and client.server_metadata.get("userinfo_endpoint"):
            claims = await _with_userinfo(client, token, claims)
    except JoseError as error:
        raise SignInRefused(
            f"The ID token from {provider.name} did not pass its checks: {_failed_check(error)}. "
            "Nothing was signed in."
        ) from error
    except _FAILURES as error:
        raise SignInRefused(_unreachable(provider, error)) from error
    email = _allowed_email(provider, claims)
    user = await sync_to_async(account_for_identity)(
        issuer=issuer,
        subject=str(claims["sub"]),
        preferred_name=str(claims.get("preferred_username") or email or claims["sub"]),
        email=email,
    )
    if not user.is_active:
        raise SignInRefused("This account is disabled; an administrator can enable it.")
    return user


class _ProviderClient(AsyncOAuth2Mixin, AsyncOpenIDMixin, BaseApp):  # type: ignore[misc]
    client_cls = AsyncOAuth2Client

    def __init__(self, provider: IdentityProvider) -> None:
        super().__init__(
            framework=None,
            name="oidc",
            client_id=provider.client_id,
            client_secret=provider.client_secret or None,
            server_metadata_url=provider.discovery_url,
            client_kwargs={
                "scope": provider.scopes,
                "code_challenge_method": "S256",
                "timeout": HTTP_TIMEOUT_SECONDS,
            },
        )
        self.provider = provider

    async def discover(self) -> str:
        """Read the discovery document; its issuer, checked against the configured one."""
        metadata: dict[str, Any] = await self.load_server_metadata()
        issuer = str(metadata.get("issuer", ""))
        # OpenID Connect Discovery 1.0, section 4.3: the issuer must be the one asked.
        if issuer.rstrip("/") != self.provider.issuer.rstrip("/"):
            raise SignInRefused(
                f"Sign-in with {self.provider.name} is misconfigured: the discovery document "
                f"names the issuer {issuer!r}, not {self.provider.issuer!r}."
            )
        advertised = metadata.get("id_token_signing_alg_values_supported") or ["RS256"]
        metadata["id_token_signing_alg_values_supported"] = [
            algorithm for algorithm in advertised if algorithm in ASYMMETRIC_ALGORITHMS
        ] or ["RS256"]
        self.client_kwargs["token_endpoint_auth_method"] = self._client_authentication(metadata)
        return issuer

    def _client_authentication(self, metadata: dict[str, Any]) -> str:
        if not self.provider.client_secret:
            return "none"
        # The default when the document says nothing (RFC 8414).
        supported = metadata.get("token_endpoint_auth_methods_supported") or ["client_secret_basic"]
        if "client_secret_basic" not in supported and "client_secret_post" in supported:
            return "client_secret_post"
        return "client_secret_basic"


# A provider that cannot be reached, answers with an error, or answers nonsense.
_FAILURES: tuple[type[Exception], ...] = (
    AuthlibBaseError,
    httpx2.HTTPError,
    ValueError,
    KeyError,
    RuntimeError,
)


async def _with_userinfo(
    client: _ProviderClient, token: dict[str, Any], claims: dict[str, Any]
) -> dict[str, Any]:
    """The ID token's claims completed from the userinfo endpoint (some providers put the
    email only there)."""
    info = dict(await client.userinfo(token=token))
    # OpenID Connect Core 1.0, section 5.3.2: about someone else, it tells nothing.
    if info.get("sub") != claims["sub"]:
        return claims
    return {**info, **claims}


def _allowed_email(provider: IdentityProvider, claims: dict[str, Any]) -> str:
    """The person's email address, if their domain may sign in here ("" when unknown and
    any domain may)."""
    email = str(claims.get("email") or "")
    if not provider.allowed_domains:
        return email
    domain = email.rpartition("@")[2].lower()
    allowed = ", ".join(provider.allowed_domains)
    if not email:
        raise SignInRefused(
            f"{provider.name} did not say your email address, and only accounts of {allowed} "
            "may sign in here."
        )
    # Only a verified address proves the domain: a missing claim, or the string "false"
    # some providers' userinfo gives, does not.
    if claims.get("email_verified") is not True:
        raise SignInRefused(
            f"{provider.name} has not verified your email address {email}; only verified "
            f"accounts of {allowed} may sign in here."
        )
    if domain not in provider.allowed_domains:
        raise SignInRefused(
            f"Accounts of {domain} may not sign in here; only accounts of {allowed} may."
        )
    return email


def _failed_check(error: JoseError) -> str:
    if isinstance(error, ExpiredTokenError):
        return "it has expired"
    if isinstance(error, BadSignatureError):
        return "its signature is not the provider's"
    if isinstance(error, ClaimError):
        return f"its {error.claim!r} claim is wrong or missing"
    return error.description or error.error


def _unreachable(provider: IdentityProvider, error: Exception) -> str:
    if isinstance(error, AuthlibBaseError):
        detail = error.description or error.error
    else:
        detail = type(error).__name__
    return f"Sign-in with {provider.name} failed: {detail}. Nothing was signed in; try again."
