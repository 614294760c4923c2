"""JWT payloads decoded for display only: nothing here verifies a signature."""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any


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
