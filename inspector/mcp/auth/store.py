"""Where tokens and client registrations are kept, by (canonical resource, issuer).

A token is looked up only by the canonical URI of the server it was obtained for, so it
is never sent to another server; client registrations are kept per issuer (2026-07-28:
credentials are bound to the authorization server that issued them). The issuer a
pre-registered client was first used with is kept as a client too, under the
pseudo-issuer `flow_steps.binding_key(client_id)`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:  # the stdio-only CLI imports this module and must not load httpx
    from inspector.mcp.auth.tokens import ClientRegistration, Tokens


class TokenStore(Protocol):
    async def get_tokens(self, resource: str) -> Tokens | None:
        """The tokens for the server with this canonical URI, from whichever of its
        authorization servers granted them last."""
        ...

    async def save_tokens(self, tokens: Tokens) -> None: ...

    async def forget_tokens(self, resource: str) -> None: ...

    async def get_client(self, issuer: str, resource: str) -> ClientRegistration | None:
        """A registration made with this issuer on behalf of this server, if any."""
        ...

    async def save_client(self, resource: str, client: ClientRegistration) -> None: ...


class MemoryTokenStore:
    """A `TokenStore` that lives as long as the process (the CLI, tests, the driver)."""

    def __init__(self) -> None:
        self._tokens: dict[tuple[str, str], Tokens] = {}
        self._latest: dict[str, str] = {}
        self._clients: dict[tuple[str, str], ClientRegistration] = {}

    async def get_tokens(self, resource: str) -> Tokens | None:
        issuer = self._latest.get(resource)
        return self._tokens.get((resource, issuer)) if issuer is not None else None

    async def save_tokens(self, tokens: Tokens) -> None:
        self._tokens[(tokens.resource, tokens.issuer)] = tokens
        self._latest[tokens.resource] = tokens.issuer

    async def forget_tokens(self, resource: str) -> None:
        self._latest.pop(resource, None)
        for key in [key for key in self._tokens if key[0] == resource]:
            del self._tokens[key]

    async def get_client(self, issuer: str, resource: str) -> ClientRegistration | None:
        return self._clients.get((resource, issuer))

    async def save_client(self, resource: str, client: ClientRegistration) -> None:
        self._clients[(resource, client.issuer)] = client
