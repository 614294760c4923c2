"""Where metadata is looked for, per protocol revision, and the canonical resource URI."""

from __future__ import annotations

import pytest

from inspector.mcp.auth.discovery import (
    AuthServerMetadata,
    as_metadata_candidates,
    canonical_resource,
    prm_candidates,
)


@pytest.mark.parametrize(
    ("url", "canonical"),
    [
        ("HTTPS://MCP.Example.com/mcp", "https://mcp.example.com/mcp"),
        ("https://mcp.example.com/mcp/", "https://mcp.example.com/mcp"),
        ("https://mcp.example.com/", "https://mcp.example.com"),
        ("https://mcp.example.com:443/mcp#frag", "https://mcp.example.com/mcp"),
        ("http://localhost:8080/Server/MCP", "http://localhost:8080/Server/MCP"),
        ("https://mcp.example.com/mcp?tenant=a", "https://mcp.example.com/mcp?tenant=a"),
    ],
)
def test_canonical_resource(url: str, canonical: str) -> None:
    assert canonical_resource(url) == canonical


def test_prm_from_the_challenge_first_then_path_aware_then_root() -> None:
    hinted = "https://mcp.example.com/custom/metadata.json"
    assert prm_candidates("https://mcp.example.com/public/mcp", hinted) == [
        hinted,
        "https://mcp.example.com/.well-known/oauth-protected-resource/public/mcp",
        "https://mcp.example.com/.well-known/oauth-protected-resource",
    ]


def test_prm_for_a_server_at_the_root_has_one_well_known_url() -> None:
    assert prm_candidates("https://mcp.example.com/", None) == [
        "https://mcp.example.com/.well-known/oauth-protected-resource"
    ]


def test_issuer_with_a_path_in_the_2025_11_25_order() -> None:
    assert as_metadata_candidates("https://auth.example.com/tenant1", "2025-11-25") == [
        "https://auth.example.com/.well-known/oauth-authorization-server/tenant1",
        "https://auth.example.com/.well-known/openid-configuration/tenant1",
        "https://auth.example.com/tenant1/.well-known/openid-configuration",
    ]


def test_issuer_without_a_path_tries_oauth_then_openid() -> None:
    assert as_metadata_candidates("https://auth.example.com", "2025-06-18") == [
        "https://auth.example.com/.well-known/oauth-authorization-server",
        "https://auth.example.com/.well-known/openid-configuration",
    ]


def test_2025_03_26_discards_the_path() -> None:
    assert as_metadata_candidates("https://mcp.example.com/v1/mcp", "2025-03-26") == [
        "https://mcp.example.com/.well-known/oauth-authorization-server"
    ]


def test_2025_03_26_default_endpoints_sit_at_the_origin() -> None:
    metadata = AuthServerMetadata.default_endpoints("https://mcp.example.com/v1/mcp")
    assert metadata.authorization_endpoint == "https://mcp.example.com/authorize"
    assert metadata.token_endpoint == "https://mcp.example.com/token"
    assert metadata.registration_endpoint == "https://mcp.example.com/register"


def test_metadata_without_a_pkce_list_does_not_claim_s256() -> None:
    metadata = AuthServerMetadata.from_json(
        {"issuer": "https://a", "code_challenge_methods_supported": ["plain"]}, "https://a/m"
    )
    assert not metadata.supports_s256()
    assert (
        AuthServerMetadata.from_json({"issuer": "x"}, "u").code_challenge_methods_supported is None
    )
