"""The checks each `auth/*` conformance scenario must report as SUCCESS.

Every scenario of the authorization-code kind checks the whole flow (PRM, metadata,
PKCE, the token request, the bearer token); the scenario's own subject comes on top. The
2025-03-26 scenarios run at that revision, where the server's origin is the
authorization server.
"""

from __future__ import annotations

AUTH_CODE_FLOW = frozenset(
    {
        "prm-pathbased-requested",
        "authorization-server-metadata",
        "authorization-request",
        "pkce-code-challenge-sent",
        "pkce-s256-method-used",
        "token-request",
        "pkce-code-verifier-sent",
        "pkce-verifier-matches-challenge",
        "valid-bearer-token",
    }
)
RESOURCE_PARAMETER = frozenset(
    {
        "resource-parameter-in-authorization",
        "resource-parameter-in-token",
        "resource-parameter-valid-uri",
        "resource-parameter-consistency",
        "resource-parameter-matches-prm",
    }
)

AUTH_EXPECTED_CHECKS: dict[str, frozenset[str]] = {
    "auth/2025-03-26-oauth-endpoint-fallback": frozenset(
        {"client-registration", "authorization-request", "token-request", "valid-bearer-token"}
    ),
    # No PRM at 2025-03-26: the origin's metadata is the first thing fetched.
    "auth/2025-03-26-oauth-metadata-backcompat": (AUTH_CODE_FLOW - {"prm-pathbased-requested"})
    | frozenset({"client-registration"}),
    "auth/basic-cimd": AUTH_CODE_FLOW | frozenset({"cimd-client-id-used"}),
    "auth/client-credentials-basic": frozenset(
        {
            "prm-pathbased-requested",
            "authorization-server-metadata",
            "token-request",
            "client-credentials-basic-auth",
            "valid-bearer-token",
        }
    ),
    "auth/metadata-default": AUTH_CODE_FLOW
    | RESOURCE_PARAMETER
    | frozenset({"client-registration"}),
    "auth/metadata-var1": AUTH_CODE_FLOW | RESOURCE_PARAMETER | frozenset({"client-registration"}),
    "auth/metadata-var2": AUTH_CODE_FLOW | RESOURCE_PARAMETER | frozenset({"client-registration"}),
    "auth/metadata-var3": AUTH_CODE_FLOW | RESOURCE_PARAMETER | frozenset({"client-registration"}),
    "auth/pre-registration": AUTH_CODE_FLOW | frozenset({"pre-registration-auth"}),
    "auth/scope-from-scopes-supported": AUTH_CODE_FLOW
    | frozenset({"client-registration", "scope-from-scopes-supported"}),
    "auth/scope-from-www-authenticate": AUTH_CODE_FLOW
    | frozenset({"client-registration", "scope-from-www-authenticate"}),
    "auth/scope-omitted-when-undefined": AUTH_CODE_FLOW
    | frozenset({"client-registration", "scope-omitted-when-undefined"}),
    # Every token is refused with 403, so no bearer token is ever accepted.
    "auth/scope-retry-limit": (AUTH_CODE_FLOW - {"valid-bearer-token"})
    | frozenset({"client-registration", "scope-retry-limit"}),
    "auth/scope-step-up": AUTH_CODE_FLOW
    | frozenset({"client-registration", "scope-step-up-initial", "scope-step-up-escalation"}),
    "auth/token-endpoint-auth-basic": AUTH_CODE_FLOW
    | RESOURCE_PARAMETER
    | frozenset({"client-registration", "token-endpoint-auth-method"}),
    "auth/token-endpoint-auth-none": AUTH_CODE_FLOW
    | RESOURCE_PARAMETER
    | frozenset({"client-registration", "token-endpoint-auth-method"}),
    "auth/token-endpoint-auth-post": AUTH_CODE_FLOW
    | RESOURCE_PARAMETER
    | frozenset({"client-registration", "token-endpoint-auth-method"}),
}

# Scenarios that only exist at an older revision, and the revision to run them at.
AUTH_SPEC_VERSIONS: dict[str, str] = {
    "auth/2025-03-26-oauth-metadata-backcompat": "2025-03-26",
    "auth/2025-03-26-oauth-endpoint-fallback": "2025-03-26",
}
