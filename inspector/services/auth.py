"""Authorization (OAuth) of an HTTP session: the Auth tab's panel, the connection's
client settings, and the flow in quick or guided mode.

A session's flow lives on the session (`interactive_auth`) between a person's clicks
(guided mode takes one step per "Continue"); the state, PKCE verifier and expected issuer
also go to the person's Django session, sealed here (`SealedPending`: the views hold only
ciphertext), so only that browser can finish it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from inspector.mcp.auth.config import DEFAULT_CLIENT_NAME, OAuthSettings
from inspector.mcp.auth.discovery import canonical_resource
from inspector.mcp.auth.pending import PendingAuthorization
from inspector.mcp.auth.states import FlowState
from inspector.mcp.auth.tokens import Tokens, token_learned
from inspector.services.snapshots import resident_session
from inspector.sessions.authorization import describe_refusal
from inspector.sessions.interactive_auth import NoFlowWaiting
from inspector.storage.encryption import UnreadableSecret, decrypt_json, encrypt_json
from inspector.storage.masked_input import kept_secret


class PendingUnreadable(Exception):
    """What a browser kept of a flow cannot be read (the inspector's key changed?)."""


@dataclass(frozen=True, slots=True)
class SealedPending:
    """What a browser's session must hold to finish a flow at the callback: the flow's
    `state`, and the rest encrypted (it holds the PKCE verifier and, for a confidential
    client, its secret; the session table is only signed)."""

    state: str
    sealed: str


class AuthFlowMissing(Exception):
    """No flow of this session waits for what was asked (a step, or a redirect)."""


@dataclass(frozen=True, slots=True)
class TokenSummary:
    """Stored tokens as a person may see them: masked, with their claims decoded."""

    issuer: str
    resource: str
    scope: str
    client_id: str
    client_source: str
    access_token: str
    refresh_token: str | None
    expires_at: datetime | None
    expired: bool
    claims: dict[str, Any] | None

    @classmethod
    def of(cls, tokens: Tokens) -> TokenSummary:
        learned = token_learned(tokens)
        expires = tokens.expires_at
        return cls(
            issuer=tokens.issuer,
            resource=tokens.resource,
            scope=tokens.scope or tokens.requested_scope or "",
            client_id=tokens.client.client_id,
            client_source=tokens.client.source,
            access_token=learned["access_token"],
            refresh_token=learned["refresh_token"],
            expires_at=datetime.fromtimestamp(expires, tz=UTC) if expires is not None else None,
            expired=expires is not None and expires <= time.time(),
            claims=learned.get("access_token_claims"),
        )


@dataclass(frozen=True, slots=True)
class AuthPanel:
    """What the Auth tab shows."""

    session_id: str
    refusal: str | None  # why the server refused, while it does
    refusal_status: int | None
    static_token: bool
    settings: dict[str, Any]
    tokens: TokenSummary | None
    guided: bool = False
    state: FlowState | None = None
    steps: list[dict[str, Any]] = field(default_factory=list)
    error: str | None = None
    failed_step: str | None = None
    authorization_url: str | None = None

    @property
    def can_continue(self) -> bool:
        return self.guided and self.state is FlowState.READY

    @property
    def awaiting_redirect(self) -> bool:
        return self.state is FlowState.AWAITING_REDIRECT and self.authorization_url is not None


def _web_url(url: str | None) -> str | None:
    """Only http(s) URLs are ever sent to the browser to open."""
    return url if url and urlsplit(url).scheme in ("http", "https") else None


async def auth_panel_get(*, session_id: str) -> AuthPanel:
    session = resident_session(session_id)
    refusal = session.authorization
    tokens = None
    if session.spec.is_http:
        stored = await session.token_store.get_tokens(canonical_resource(session.spec.url))
        tokens = TokenSummary.of(stored) if stored is not None else None
    settings = session.spec.oauth or OAuthSettings()
    panel = AuthPanel(
        session_id=session_id,
        refusal=describe_refusal(refusal) if refusal is not None else None,
        refusal_status=refusal.status if refusal is not None else None,
        static_token=bool(session.spec.bearer_token),
        settings=settings.masked(),
        tokens=tokens,
    )
    flow = session.interactive_auth.flow
    if flow is None:
        return panel
    return replace(
        panel,
        guided=session.interactive_auth.guided,
        state=flow.state,
        steps=[step.to_dict() for step in flow.steps],
        error=flow.error.message if flow.error is not None else None,
        failed_step=str(flow.error.step) if flow.error is not None else None,
        authorization_url=_web_url(flow.authorization_url),
    )


async def auth_settings_get(*, session_id: str) -> dict[str, Any]:
    """The connection's OAuth client settings as a form shows them: the secret masked."""
    return (resident_session(session_id).spec.oauth or OAuthSettings()).masked()


async def auth_settings_set(
    *, session_id: str, grant_type: str, client_id: str, client_secret: str, scope: str
) -> None:
    """Change the connection's OAuth client settings. A secret sent back exactly as it
    was shown (masked) keeps the current one, as a form never holds the real value."""
    session = resident_session(session_id)
    current = session.spec.oauth
    if current is not None and current.client_secret:
        client_secret = kept_secret(
            client_secret, current.client_secret, current.masked()["client_secret"]
        )
    settings = replace(
        current or OAuthSettings(),
        grant_type=grant_type,
        client_id=client_id,
        client_secret=client_secret,
        scope=scope,
    )
    session.use_oauth_settings(settings)


async def auth_client_metadata(
    *, client_id: str, client_uri: str, redirect_uri: str
) -> dict[str, Any]:
    """The Client ID Metadata Document: a public client that uses PKCE and comes back to
    the inspector's callback."""
    return {
        "client_id": client_id,
        "client_name": DEFAULT_CLIENT_NAME,
        "client_uri": client_uri,
        "redirect_uris": [redirect_uri],
        "grant_types": ["authorization_code", "refresh_token"],
        "response_types": ["code"],
        "token_endpoint_auth_method": "none",
        "application_type": "web",
    }


async def auth_start(
    *, session_id: str, redirect_uri: str, client_metadata_url: str, guided: bool
) -> AuthPanel:
    """Start a flow answering the session's last refusal, with the connection's client
    settings and this inspector's redirect URI and client_id URL (empty: none to
    present). Quick mode runs every step it can at once; guided mode runs none yet.
    Either may stop at the redirect."""
    session = resident_session(session_id)
    settings = replace(
        session.spec.oauth or OAuthSettings(),
        redirect_uri=redirect_uri,
        client_metadata_url=client_metadata_url,
    )
    await session.interactive_auth.start(settings, guided=guided)
    return await auth_panel_get(session_id=session_id)


async def auth_continue(*, session_id: str) -> AuthPanel:
    """Guided mode: run the next step."""
    try:
        await resident_session(session_id).interactive_auth.step()
    except NoFlowWaiting as exc:
        raise AuthFlowMissing(str(exc)) from exc
    return await auth_panel_get(session_id=session_id)


async def auth_pending_get(*, session_id: str) -> SealedPending | None:
    """What the browser's session must hold to finish the flow at the callback."""
    pending = resident_session(session_id).interactive_auth.pending()
    if pending is None:
        return None
    return SealedPending(state=pending.state, sealed=encrypt_json(pending.to_dict()))


def _unsealed(sealed: str) -> PendingAuthorization:
    try:
        return PendingAuthorization.from_dict(decrypt_json(sealed))
    except (UnreadableSecret, KeyError, TypeError, ValueError) as exc:
        raise PendingUnreadable("What this browser kept of the flow cannot be read.") from exc


async def auth_complete(*, session_id: str, sealed: str, params: dict[str, str]) -> AuthPanel:
    """The browser came back from the authorization server: check the response against
    what this browser's session holds (`SealedPending.sealed`), redeem the code, and
    reconnect with the token. `PendingUnreadable` when what it holds cannot be read."""
    pending = _unsealed(sealed)
    try:
        await resident_session(session_id).interactive_auth.complete(pending, params)
    except NoFlowWaiting as exc:
        raise AuthFlowMissing(str(exc)) from exc
    return await auth_panel_get(session_id=session_id)


async def auth_forget(*, session_id: str) -> None:
    """Forget the tokens stored for the session's server; the next request goes without."""
    session = resident_session(session_id)
    resource = canonical_resource(session.spec.url)
    await session.interactive_auth.forget(lambda: session.token_store.forget_tokens(resource))
