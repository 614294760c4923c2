"""Where an MCP server's authorization lives: RFC 9728 protected resource metadata (PRM),
then RFC 8414 / OpenID Connect authorization server metadata, per protocol revision.

- 2025-03-26 (and 2024-11-05, which had no authorization spec): no PRM; the server's
  origin is the authorization server, its metadata at the root well-known URL (the path
  is discarded), and when that is absent the endpoints default to `/authorize`, `/token`
  and `/register` at the origin.
- 2025-06-18 on: PRM from the challenge's `resource_metadata`, else (SEP-985) the
  path-aware well-known URL, then the root one. The PRM names the authorization servers.
  Authorization server metadata is tried in the 2025-11-25 order: RFC 8414 with the path
  inserted, then OpenID Connect discovery both ways. 2025-06-18 names RFC 8414 only; it
  comes first, so a server that follows that revision is found by the same request.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import httpx

from inspector.mcp.auth.records import Fetched, HttpRecord, send
from inspector.mcp.hosts import is_loopback_host
from inspector.mcp.timeouts import DEFAULT_CONNECT_TIMEOUT
from inspector.mcp.versions import PROTOCOL_VERSION_HEADER

PRM_WELL_KNOWN = "/.well-known/oauth-protected-resource"
OAUTH_WELL_KNOWN = "/.well-known/oauth-authorization-server"
OIDC_WELL_KNOWN = "/.well-known/openid-configuration"


def uses_protected_resource_metadata(version: str) -> bool:
    return version >= "2025-06-18"


def canonical_resource(url: str) -> str:
    """The RFC 8707 resource indicator for a server URL: scheme and host lowercased, no
    fragment, no default port, no trailing slash."""
    parsed = httpx.URL(url)
    path = parsed.raw_path.decode("ascii").split("?", 1)[0]
    path = path.rstrip("/") if path != "/" else ""
    port = parsed.port
    default = {"http": 80, "https": 443}.get(parsed.scheme.lower())
    host = parsed.host.lower()
    if ":" in host:
        host = f"[{host}]"
    authority = f"{host}:{port}" if port is not None and port != default else host
    query = f"?{parsed.query.decode('ascii')}" if parsed.query else ""
    return f"{parsed.scheme.lower()}://{authority}{path}{query}"


def is_loopback(url: httpx.URL) -> bool:
    return is_loopback_host(url.host)


def endpoint_problem(url: str | None, *, server_url: str) -> str | None:
    """Why an authorization server URL must not be used, or None: it must be https,
    except on a loopback host or on the MCP server's own origin (which the person chose,
    and where the token goes in any case)."""
    if not url:
        return "missing"
    try:
        parsed = httpx.URL(url)
    except httpx.InvalidURL as exc:
        return f"not a valid URL ({exc})"
    if parsed.scheme not in ("http", "https") or not parsed.host:
        return "not an http(s) URL"
    if parsed.scheme == "http" and not is_loopback(parsed) and origin(url) != origin(server_url):
        return "plain http: authorization servers must use https"
    return None


def origin(url: str) -> str:
    parsed = httpx.URL(url)
    return str(parsed.copy_with(raw_path=b"/", query=None, fragment=None)).rstrip("/")


def _path(url: str) -> str:
    path = httpx.URL(url).raw_path.decode("ascii").split("?", 1)[0]
    return path.rstrip("/")


def prm_candidates(server_url: str, resource_metadata: str | None) -> list[str]:
    """Where to look for the PRM, best first: the challenge's URL, then the path-aware
    and the root well-known URLs."""
    candidates = [resource_metadata] if resource_metadata else []
    base, path = origin(server_url), _path(server_url)
    if path:
        candidates.append(f"{base}{PRM_WELL_KNOWN}{path}")
    candidates.append(f"{base}{PRM_WELL_KNOWN}")
    return list(dict.fromkeys(candidates))


def as_metadata_candidates(issuer: str, version: str) -> list[str]:
    """Where to look for an issuer's metadata, in the revision's order."""
    base = origin(issuer)
    if not uses_protected_resource_metadata(version):
        return [f"{base}{OAUTH_WELL_KNOWN}"]
    path = _path(issuer)
    if not path:
        return [f"{base}{OAUTH_WELL_KNOWN}", f"{base}{OIDC_WELL_KNOWN}"]
    return [
        f"{base}{OAUTH_WELL_KNOWN}{path}",
        f"{base}{OIDC_WELL_KNOWN}{path}",
        f"{base}{path}{OIDC_WELL_KNOWN}",
    ]


def _strings(value: Any) -> list[str]:
    return [item for item in value if isinstance(item, str)] if isinstance(value, list) else []


def _string(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


@dataclass(frozen=True, slots=True)
class ProtectedResourceMetadata:
    resource: str | None
    authorization_servers: list[str]
    scopes_supported: list[str]
    source_url: str
    raw: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_json(cls, data: dict[str, Any], source_url: str) -> ProtectedResourceMetadata:
        return cls(
            resource=_string(data.get("resource")),
            authorization_servers=_strings(data.get("authorization_servers")),
            scopes_supported=_strings(data.get("scopes_supported")),
            source_url=source_url,
            raw=data,
        )


@dataclass(frozen=True, slots=True)
class AuthServerMetadata:
    issuer: str
    authorization_endpoint: str | None
    token_endpoint: str | None
    registration_endpoint: str | None = None
    scopes_supported: list[str] = field(default_factory=list)
    response_types_supported: list[str] = field(default_factory=list)
    grant_types_supported: list[str] = field(default_factory=list)
    code_challenge_methods_supported: list[str] | None = None
    token_endpoint_auth_methods_supported: list[str] = field(default_factory=list)
    client_id_metadata_document_supported: bool = False
    iss_parameter_supported: bool = False
    # Where it came from: a metadata URL, or None for the 2025-03-26 default endpoints.
    source_url: str | None = None
    raw: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_json(cls, data: dict[str, Any], source_url: str) -> AuthServerMetadata:
        methods = data.get("code_challenge_methods_supported")
        return cls(
            issuer=_string(data.get("issuer")) or "",
            authorization_endpoint=_string(data.get("authorization_endpoint")),
            token_endpoint=_string(data.get("token_endpoint")),
            registration_endpoint=_string(data.get("registration_endpoint")),
            scopes_supported=_strings(data.get("scopes_supported")),
            response_types_supported=_strings(data.get("response_types_supported")),
            grant_types_supported=_strings(data.get("grant_types_supported")),
            code_challenge_methods_supported=_strings(methods) if methods is not None else None,
            token_endpoint_auth_methods_supported=_strings(
                data.get("token_endpoint_auth_methods_supported")
            ),
            client_id_metadata_document_supported=data.get("client_id_metadata_document_supported")
            is True,
            iss_parameter_supported=data.get("authorization_response_iss_parameter_supported")
            is True,
            source_url=source_url,
            raw=data,
        )

    @classmethod
    def default_endpoints(cls, server_url: str) -> AuthServerMetadata:
        """The 2025-03-26 fallback: the server's origin serves the standard paths. PKCE
        is assumed there, since that revision requires it of every server."""
        base = origin(server_url)
        return cls(
            issuer=base,
            authorization_endpoint=f"{base}/authorize",
            token_endpoint=f"{base}/token",
            registration_endpoint=f"{base}/register",
            code_challenge_methods_supported=["S256"],
        )

    def supports_s256(self) -> bool:
        return "S256" in (self.code_challenge_methods_supported or [])


@dataclass(slots=True)
class Lookup:
    """The outcome of trying candidate URLs in order: the first JSON object found."""

    found: dict[str, Any] | None
    url: str | None
    records: list[HttpRecord]
    tried: list[str]

    def describe_failures(self) -> str:
        parts = []
        for record in self.records:
            outcome = record.status if record.status is not None else record.error
            parts.append(f"{record.url} ({outcome})")
        return ", ".join(parts) or "no URL to try"


async def first_json(
    client: httpx.AsyncClient,
    candidates: list[str],
    *,
    protocol_version: str | None = None,
    timeout: float = DEFAULT_CONNECT_TIMEOUT,
) -> Lookup:
    """GET each candidate until one answers 200 with a JSON object."""
    headers = {PROTOCOL_VERSION_HEADER: protocol_version} if protocol_version else {}
    records: list[HttpRecord] = []
    for url in candidates:
        fetched: Fetched = await send(client, "GET", url, headers=headers, timeout=timeout)
        records.append(fetched.record)
        body = fetched.json() if fetched.status == 200 else None
        if isinstance(body, dict):
            return Lookup(body, url, records, candidates)
    return Lookup(None, None, records, candidates)
