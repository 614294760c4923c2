"""How a person configured OAuth for one connection (all optional)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from inspector.mcp.masking import mask_value

AUTHORIZATION_CODE = "authorization_code"
CLIENT_CREDENTIALS = "client_credentials"
DEFAULT_CLIENT_NAME = "MCP Inspector"
# Authorization flows in a row, with no request getting through in between, before the
# client gives up on a server (a server that answers every token with 403 would loop).
DEFAULT_MAX_ATTEMPTS = 3


@dataclass(frozen=True, slots=True)
class OAuthSettings:
    """Client identity and grant for one connection.

    Registration priority (2025-11-25): a pre-registered `client_id` (with its secret and
    `auth_method`, or the best method the server supports when empty); else the
    `client_metadata_url` as a URL client_id, when the server supports metadata
    documents; else dynamic client registration. Pre-registered credentials are only ever
    presented to one authorization server (`client_issuer`, or the first one met).
    `scope` overrides the scope the flow would choose. `redirect_uri` is where the browser
    comes back (the web layer's callback view); `grant_type` `client_credentials` needs no
    browser at all.
    """

    grant_type: str = AUTHORIZATION_CODE
    client_id: str = ""
    client_secret: str = field(default="", repr=False)
    # The authorization server the pre-registered client belongs to. Empty: the first
    # issuer it is used with, recorded in the token store, is the only one it goes to.
    client_issuer: str = ""
    auth_method: str = ""
    client_metadata_url: str = ""
    # No default: a callback nobody listens on would be registered and never answered.
    redirect_uri: str = ""
    scope: str = ""
    client_name: str = DEFAULT_CLIENT_NAME
    max_attempts: int = DEFAULT_MAX_ATTEMPTS

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def masked(self) -> dict[str, Any]:
        data = self.to_dict()
        if self.client_secret:
            data["client_secret"] = mask_value("client_secret", self.client_secret)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> OAuthSettings:
        known = set(cls.__dataclass_fields__)
        return cls(**{key: value for key, value in data.items() if key in known})
