"""Start the OAuth fixture pair of `oauth_mcp.py` from tests, on free ports."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx

from tests.servers.http_harness import run_servers
from tests.servers.oauth_mcp import MCP_PATH, METADATA_PATH


@dataclass(frozen=True, slots=True)
class OAuthServers:
    """The running pair: `mcp_url` is the protected MCP endpoint, `issuer` its AS."""

    as_origin: str
    mcp_origin: str
    issuer: str

    @property
    def mcp_url(self) -> str:
        return self.mcp_origin + MCP_PATH

    @property
    def resource_metadata_url(self) -> str:
        return self.mcp_origin + METADATA_PATH

    def as_log(self) -> list[dict[str, Any]]:
        """What the authorization server was asked, secrets left out."""
        entries: list[dict[str, Any]] = httpx.get(self.as_origin + "/_log").json()
        return entries


@contextmanager
def run_oauth_servers(
    *,
    access_token_seconds: float = 3600.0,
    issuer_path: str = "",
    cimd: bool = True,
    registration: bool = True,
    public_clients: bool = True,
    s256: bool = True,
    resource_metadata: bool = True,
    advertised_issuer: str = "",
) -> Iterator[OAuthServers]:
    """Start the authorization server and the protected MCP server; see `oauth_mcp.py`."""
    args = ["--access-token-seconds", str(access_token_seconds), "--issuer-path", issuer_path]
    args += ["--no-cimd"] * (not cimd) + ["--no-registration"] * (not registration)
    args += ["--no-public-clients"] * (not public_clients) + ["--no-s256"] * (not s256)
    args += ["--no-resource-metadata"] * (not resource_metadata)
    args += ["--advertised-issuer", advertised_issuer] * bool(advertised_issuer)
    with run_servers("oauth_mcp.py", 2, *args) as (authority, protected):
        yield OAuthServers(authority.base_url, protected.base_url, authority.base_url + issuer_path)
