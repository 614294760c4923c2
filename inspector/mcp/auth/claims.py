"""JWT payloads decoded for display only: nothing here verifies a signature."""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

_TIME_CLAIMS = ("exp", "iat", "nbf", "auth_time")


def jwt_claims(token: str) -> dict[str, Any] | None:
    """The claims of a JWS compact token, or None when the token is not one (an opaque
    access token is perfectly valid; it just has nothing to show)."""
    parts = token.split(".")
    if len(parts) != 3:
        return None
    try:
        padded = parts[1] + "=" * (-len(parts[1]) % 4)
        claims = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
    except (ValueError, binascii.Error, UnicodeError):
        return None
    return claims if isinstance(claims, dict) else None


def jwt_header(token: str) -> dict[str, Any] | None:
    parts = token.split(".")
    if len(parts) != 3:
        return None
    try:
        padded = parts[0] + "=" * (-len(parts[0]) % 4)
        header = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
    except (ValueError, binascii.Error, UnicodeError):
        return None
    return header if isinstance(header, dict) else None


def time_claims(claims: dict[str, Any]) -> dict[str, float]:
    """The claims that are timestamps (seconds since the epoch), for formatting."""
    return {
        name: float(claims[name])
        for name in _TIME_CLAIMS
        if isinstance(claims.get(name), int | float) and not isinstance(claims[name], bool)
    }
