"""Where OAuth tokens and client registrations are kept: the database, encrypted.

A `TokenStore` (see `inspector.mcp.auth.store`) for one owner: in hosted mode a
workspace's tokens are shared by its members (a team shares a server's authorization) and
reach no one else; locally the owner is None. Rows are keyed by (owner, kind,
canonical resource, issuer); the tokens used for a server are the ones granted last.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from inspector.mcp.auth.tokens import ClientRegistration, Tokens
from inspector.models import OAuthCredential
from inspector.storage.db import in_db_thread
from inspector.storage.encryption import UnreadableSecret, decrypt_json, encrypt_json

Kind = OAuthCredential.Kind


class DatabaseTokenStore:
    def __init__(self, owner_id: int | None) -> None:
        self.owner_id = owner_id

    async def get_tokens(self, resource: str) -> Tokens | None:
        data = await in_db_thread(self._latest)(Kind.TOKENS, resource, None)
        return Tokens.from_dict(data) if data is not None else None

    async def save_tokens(self, tokens: Tokens) -> None:
        await in_db_thread(self._save)(
            Kind.TOKENS, tokens.resource, tokens.issuer, tokens.to_dict()
        )

    async def forget_tokens(self, resource: str) -> None:
        await in_db_thread(self._forget)(Kind.TOKENS, resource)

    async def get_client(self, issuer: str, resource: str) -> ClientRegistration | None:
        data = await in_db_thread(self._latest)(Kind.CLIENT, resource, issuer)
        return ClientRegistration.from_dict(data) if data is not None else None

    async def save_client(self, resource: str, client: ClientRegistration) -> None:
        await in_db_thread(self._save)(Kind.CLIENT, resource, client.issuer, client.to_dict())

    # In the database thread ------------------------------------------------------------

    def _rows(self, kind: str, resource: str) -> Any:
        return OAuthCredential.objects.filter(owner_id=self.owner_id, kind=kind, resource=resource)

    def _latest(self, kind: str, resource: str, issuer: str | None) -> dict[str, Any] | None:
        rows = self._rows(kind, resource)
        if issuer is not None:
            rows = rows.filter(issuer=issuer)
        for row in rows:
            try:
                data = decrypt_json(row.data_encrypted)
            except UnreadableSecret:
                # Written under a key that is gone: as good as absent, authorize again.
                continue
            return dict(data)
        return None

    def _save(self, kind: str, resource: str, issuer: str, data: dict[str, Any]) -> None:
        with transaction.atomic():
            self._rows(kind, resource).filter(issuer=issuer).delete()
            OAuthCredential.objects.create(
                owner_id=self.owner_id,
                kind=kind,
                resource=resource,
                issuer=issuer,
                data_encrypted=encrypt_json(data),
            )

    def _forget(self, kind: str, resource: str) -> None:
        self._rows(kind, resource).delete()
