"""PKCE (RFC 7636) with the S256 method, the only one MCP clients may use."""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass

METHOD = "S256"
# 32 random bytes give a 43-character verifier, the shortest RFC 7636 allows.
_VERIFIER_BYTES = 32


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def challenge_for(verifier: str) -> str:
    return _b64url(hashlib.sha256(verifier.encode("ascii")).digest())


@dataclass(frozen=True, slots=True)
class Pkce:
    verifier: str
    challenge: str
    method: str = METHOD

    @classmethod
    def new(cls) -> Pkce:
        verifier = _b64url(secrets.token_bytes(_VERIFIER_BYTES))
        return cls(verifier, challenge_for(verifier))


def new_state() -> str:
    """An unguessable `state` value binding a redirect to the flow that started it."""
    return secrets.token_urlsafe(24)
