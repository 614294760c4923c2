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

# At 2026-07-28 a dynamically registered client must say it is a native application
# (SEP-837), and a re-authorization keeps the scope already granted (SEP-2350).
REGISTERED_2026 = frozenset({"client-registration", "sep-837-application-type-present"})
# What a client that refuses an authorization response still did before refusing: it
# found both metadata documents, registered and sent the person to authorize, and stopped
# before the token endpoint.
REFUSED_REDIRECT = (
    frozenset(
        {
            "prm-pathbased-requested",
            "authorization-server-metadata",
            "authorization-request",
            "pkce-code-challenge-sent",
            "pkce-s256-method-used",
        }
    )
    | REGISTERED_2026
)
_CARRIED_OVER = (
    "auth/basic-cimd",
    "auth/pre-registration",
    "auth/metadata-default",
    "auth/metadata-var1",
    "auth/metadata-var2",
    "auth/metadata-var3",
    "auth/scope-from-scopes-supported",
    "auth/scope-from-www-authenticate",
    "auth/scope-omitted-when-undefined",
    "auth/scope-retry-limit",
    "auth/token-endpoint-auth-basic",
    "auth/token-endpoint-auth-none",
    "auth/token-endpoint-auth-post",
)

MODERN_AUTH_EXPECTED_CHECKS: dict[str, frozenset[str]] = {
    **{
        name: AUTH_EXPECTED_CHECKS[name]
        | (REGISTERED_2026 if "client-registration" in AUTH_EXPECTED_CHECKS[name] else frozenset())
        for name in _CARRIED_OVER
    },
    "auth/scope-step-up": AUTH_EXPECTED_CHECKS["auth/scope-step-up"]
    | REGISTERED_2026
    | frozenset({"sep-2350-scope-union-on-reauth"}),
    # The PRM names another resource: refused before any authorization server is asked.
    "auth/resource-mismatch": frozenset({"prm-pathbased-requested", "resource-mismatch-rejected"}),
    # The AS offers CIMD and lists offline_access; the inspector wants refresh tokens.
    "auth/offline-access-scope": AUTH_CODE_FLOW | frozenset({"sep-2207-offline-access-requested"}),
    "auth/offline-access-not-supported": AUTH_CODE_FLOW
    | REGISTERED_2026
    | frozenset({"sep-2207-offline-access-not-requested"}),
    # The server moves to another AS: a new registration there, nothing of the old one sent.
    "auth/authorization-server-migration": AUTH_CODE_FLOW
    | REGISTERED_2026
    | frozenset(
        {
            "sep-2352-no-cross-as-credential-reuse",
            "sep-2352-no-reuse-on-as-change",
            "sep-2352-reregister-on-as-change",
        }
    ),
    # RFC 9207 `iss` (SEP-2468): accepted when it is the issuer or absent and unadvertised,
    # refused when absent but advertised, another issuer, or the issuer plus a slash.
    "auth/iss-supported": AUTH_CODE_FLOW
    | REGISTERED_2026
    | frozenset({"sep-2468-client-compare-iss-supported"}),
    "auth/iss-not-advertised": AUTH_CODE_FLOW
    | REGISTERED_2026
    | frozenset({"sep-2468-client-proceed-no-iss"}),
    "auth/iss-supported-missing": REFUSED_REDIRECT
    | frozenset({"sep-2468-client-reject-missing-iss"}),
    "auth/iss-wrong-issuer": REFUSED_REDIRECT
    | frozenset({"sep-2468-client-compare-iss-supported"}),
    "auth/iss-unexpected": REFUSED_REDIRECT
    | frozenset({"sep-2468-client-compare-iss-unadvertised"}),
    "auth/iss-normalized": REFUSED_REDIRECT | frozenset({"sep-2468-client-no-normalization"}),
    # Metadata whose issuer is not the one looked up: none of its endpoints is used.
    "auth/metadata-issuer-mismatch": frozenset(
        {
            "prm-pathbased-requested",
            "authorization-server-metadata",
            "sep-2468-client-validate-metadata-issuer",
        }
    ),
}

# The scenarios where the client must refuse and exit non-zero, and what the driver's
# stderr must say, so that a refusal for some other reason does not pass.
MODERN_AUTH_REFUSALS: dict[str, str] = {
    "auth/resource-mismatch": "is for the resource 'https://evil.example.com/mcp'",
    "auth/iss-supported-missing": "advertises the iss parameter but the redirect lacks it",
    "auth/iss-wrong-issuer": "The redirect's iss 'https://evil.example.com' is not the issuer",
    "auth/iss-unexpected": "The redirect's iss 'https://evil.example.com' is not the issuer",
    "auth/iss-normalized": "/' is not the issuer",
    "auth/metadata-issuer-mismatch": "The metadata's issuer 'https://attacker.example.com' differs",
    "auth/scope-retry-limit": "Scope upgrade will never succeed",
}
