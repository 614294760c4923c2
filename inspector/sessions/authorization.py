"""A session's OAuth: where its tokens are kept, the server's last refusal, and the flows
that answer it.

The OAuth modules are imported where they are first used: a stdio session never needs
them, and they load httpx.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from inspector.mcp.auth.config import OAuthSettings
from inspector.mcp.auth.store import MemoryTokenStore, TokenStore
from inspector.mcp.eras.base import ServerInfo
from inspector.mcp.errors import AuthError, AuthorizationRequired, McpError
from inspector.mcp.trace import EventKind, TraceEvent, local_event
from inspector.sessions.spec import ConnectionSpec

if TYPE_CHECKING:
    from inspector.mcp.auth.flow import AuthFlow
    from inspector.mcp.auth.http import HttpClientFactory
    from inspector.mcp.auth.pending import PendingAuthorization
    from inspector.mcp.auth.provider import OAuthProvider


class SessionAuthorization:
    """The OAuth state of one session, across its connections."""

    def __init__(
        self,
        record: Callable[[TraceEvent], None],
        *,
        token_store: TokenStore | None = None,
        http_factory: HttpClientFactory | None = None,
    ) -> None:
        self._record = record
        self.token_store: TokenStore = token_store or MemoryTokenStore()
        # The last refusal for want of authorization: the challenge a flow answers.
        self.refusal: AuthorizationRequired | None = None
        # Authorizations since a request last got through.
        self._attempts = 0
        # Makes the HTTP clients of OAuth flows and refreshes, whose URLs come from
        # servers (None: the plain default). Only tests pass one today.
        self._http_factory = http_factory

    def provider(self, spec: ConnectionSpec) -> OAuthProvider | None:
        """What sends the stored tokens with a connection's requests, and refreshes them."""
        # A static bearer token is the person's choice of credentials: sent as it is.
        if not spec.is_http or spec.bearer_token:
            return None
        from inspector.mcp.auth.provider import OAuthProvider

        return OAuthProvider(
            spec.url,
            self.token_store,
            protocol_version=spec.protocol_version,
            settings=spec.oauth,
            emit=self._record,
            timeout=spec.connect_timeout,
            http_factory=self._factory(),
        )

    def _factory(self) -> HttpClientFactory:
        from inspector.mcp.auth.http import http_client

        return self._http_factory or http_client

    def note_refusal(self, refusal: AuthorizationRequired) -> None:
        self.refusal = refusal
        challenge = refusal.challenge
        self._record(
            local_event(
                EventKind.AUTH,
                f"The server requires authorization: {refusal}",
                status=refusal.status,
                challenge=challenge.to_dict() if challenge is not None else None,
                needed_scope=refusal.needed_scope,
            )
        )

    def answered(self, error: McpError | None) -> None:
        """How a request ended (None: it was answered). An answer means the
        authorizations before it did not fail; a refusal is noted."""
        if error is None:
            self._attempts = 0
        elif isinstance(error, AuthorizationRequired):
            self.note_refusal(error)

    def connected(self) -> None:
        self.refusal = None
        self._attempts = 0

    def accepted(self) -> None:
        """Tokens from a flow are in the store."""
        # Counted here, not when a flow begins: only a token the server then still
        # refuses is a failed attempt. A request that gets through resets the count.
        self._attempts += 1
        self.refusal = None

    async def begin(
        self, spec: ConnectionSpec, server: ServerInfo | None, settings: OAuthSettings | None
    ) -> AuthFlow:
        """A flow answering the last refusal (or starting from scratch). Raises
        `AuthError` after `max_attempts` authorizations in a row that no request got
        through after (flows begun and abandoned, or denied, do not count)."""
        from inspector.mcp.auth.discovery import canonical_resource
        from inspector.mcp.auth.flow import AuthFlow

        settings = settings or spec.oauth or OAuthSettings()
        refusal = self.refusal
        if self._attempts >= settings.max_attempts:
            raise AuthError(
                "authorization",
                f"The server still refuses after {self._attempts} authorizations in a "
                f"row ({refusal}); giving up.",
            )
        # A step-up (403), or a 401 for a token the server no longer takes: the new
        # authorization asks for the scope already granted too.
        previous = None
        if refusal is not None:
            previous = await self.token_store.get_tokens(canonical_resource(spec.url))
        return AuthFlow(
            spec.url,
            protocol_version=_protocol_version(spec, server),
            settings=settings,
            store=self.token_store,
            challenge=refusal.challenge if refusal is not None else None,
            previous=previous,
            emit=self._record,
            timeout=spec.connect_timeout,
            http_factory=self._factory(),
        )

    def resume(
        self, spec: ConnectionSpec, server: ServerInfo | None, pending: PendingAuthorization
    ) -> AuthFlow:
        """The flow waiting for its redirect, rebuilt from `pending`."""
        from inspector.mcp.auth.flow import AuthFlow

        return AuthFlow.resume(
            spec.url,
            pending,
            protocol_version=_protocol_version(spec, server),
            settings=spec.oauth or OAuthSettings(),
            store=self.token_store,
            emit=self._record,
            http_factory=self._factory(),
        )


def _protocol_version(spec: ConnectionSpec, server: ServerInfo | None) -> str:
    """The version a flow's requests announce: the connection's, else the one offered."""
    return server.protocol_version if server is not None else spec.protocol_version


def describe_refusal(refusal: AuthorizationRequired) -> str:
    """What the server asked for, in a sentence."""
    what = "more scope" if refusal.status == 403 else "authorization"
    parts = [
        f"The server requires {what} (HTTP {refusal.status} from {refusal.method} {refusal.url})"
    ]
    challenge = refusal.challenge
    if challenge is None:
        parts.append("it sent no Bearer challenge")
    else:
        if challenge.resource_metadata:
            parts.append(f"resource metadata at {challenge.resource_metadata}")
        if refusal.needed_scope:
            parts.append(f"scope {refusal.needed_scope!r}")
        if challenge.error_description:
            parts.append(challenge.error_description)
    return "; ".join(parts) + "."


def refusal_behind(exc: BaseException) -> AuthorizationRequired | None:
    """The refusal for want of authorization behind a connection failure, if any."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, AuthorizationRequired):
            return current
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return None
