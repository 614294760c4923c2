"""SEP-2207: `offline_access` is asked for only where the authorization server offers it,
and only on top of a scope the flow requests anyway."""

from __future__ import annotations

from inspector.mcp.auth.discovery import AuthServerMetadata
from inspector.mcp.auth.flow_steps import with_offline_access


def metadata(*scopes: str) -> AuthServerMetadata:
    return AuthServerMetadata(
        issuer="https://as.example.com",
        authorization_endpoint="https://as.example.com/authorize",
        token_endpoint="https://as.example.com/token",
        scopes_supported=list(scopes),
    )


def test_added_when_the_authorization_server_lists_it() -> None:
    scope, why = with_offline_access(
        "mcp:basic", "the challenge", metadata("mcp:basic", "offline_access")
    )
    assert scope == "mcp:basic offline_access"
    assert why == "the challenge, plus offline_access for a refresh token"


def test_not_added_when_the_authorization_server_does_not_list_it() -> None:
    assert with_offline_access("mcp:basic mcp:read", "x", metadata("mcp:basic", "mcp:read")) == (
        "mcp:basic mcp:read",
        "x",
    )


def test_an_omitted_scope_stays_omitted() -> None:
    # Alone, offline_access would replace the server's default scope rather than add to it.
    assert with_offline_access(None, "none defined", metadata("offline_access")) == (
        None,
        "none defined",
    )


def test_not_asked_for_twice() -> None:
    scope, _ = with_offline_access("offline_access mcp:basic", "x", metadata("offline_access"))
    assert scope == "offline_access mcp:basic"
