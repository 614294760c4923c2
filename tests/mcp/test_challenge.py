"""WWW-Authenticate parsing, and which refusals call for authorization."""

from __future__ import annotations

import httpx

from inspector.mcp.challenge import bearer_challenge, parse_www_authenticate
from inspector.mcp.transports.http import authorization_refusal


def test_a_bearer_challenge_with_quoted_parameters() -> None:
    header = (
        'Bearer realm="mcp", error="insufficient_scope", scope="files:read files:write", '
        'resource_metadata="https://mcp.example.com/.well-known/oauth-protected-resource/mcp"'
    )
    [challenge] = parse_www_authenticate(header)
    assert challenge.is_bearer
    assert challenge.error == "insufficient_scope"
    assert challenge.scope == "files:read files:write"
    assert challenge.resource_metadata == (
        "https://mcp.example.com/.well-known/oauth-protected-resource/mcp"
    )


def test_quoted_strings_keep_commas_and_escaped_quotes() -> None:
    header = r'Bearer error_description="bad, \"very\" bad", scope=read'
    [challenge] = parse_www_authenticate(header)
    assert challenge.error_description == 'bad, "very" bad'
    assert challenge.scope == "read"


def test_several_challenges_in_one_header_and_across_headers() -> None:
    challenges = parse_www_authenticate(
        ['Basic realm="legacy", Bearer scope="a b", resource_metadata=x', "DPoP algs=ES256"]
    )
    assert [c.scheme for c in challenges] == ["Basic", "Bearer", "DPoP"]
    assert challenges[0].params == {"realm": "legacy"}
    assert challenges[1].params == {"scope": "a b", "resource_metadata": "x"}
    assert challenges[2].params == {"algs": "ES256"}


def test_token68_and_bare_schemes() -> None:
    challenges = parse_www_authenticate("Negotiate abc123==, Bearer")
    assert challenges[0].token68 == "abc123=="
    assert challenges[1].scheme == "Bearer"
    assert challenges[1].params == {}


def test_parameter_names_are_case_insensitive_and_the_first_wins() -> None:
    [challenge] = parse_www_authenticate('bearer Scope="one", SCOPE="two"')
    assert challenge.is_bearer
    assert challenge.scope == "one"


def test_garbage_is_skipped_not_fatal() -> None:
    challenges = parse_www_authenticate('"not a scheme", Bearer scope=x')
    assert bearer_challenge(["garbage ,,, =", 'Bearer scope="x"']) is not None
    assert [c.scheme for c in challenges] == ["Bearer"]
    assert parse_www_authenticate("") == []


def _headers(challenge: str) -> httpx.Headers:
    return httpx.Headers({"WWW-Authenticate": challenge})


def test_a_401_asks_for_authorization_with_its_scope() -> None:
    refusal = authorization_refusal(
        401, _headers('Bearer scope="mcp:read"'), "{}", url="https://x/mcp", method="POST"
    )
    assert refusal is not None
    assert refusal.status == 401
    assert refusal.needed_scope == "mcp:read"
    assert "authorization required" in str(refusal)


def test_a_401_without_a_challenge_still_asks_for_authorization() -> None:
    refusal = authorization_refusal(401, httpx.Headers(), "", url="https://x/mcp", method="GET")
    assert refusal is not None
    assert refusal.challenge is None


def test_only_an_insufficient_scope_403_calls_for_a_step_up() -> None:
    step_up = authorization_refusal(
        403,
        _headers('Bearer error="insufficient_scope", scope="mcp:write"'),
        "",
        url="https://x/mcp",
        method="POST",
    )
    assert step_up is not None
    assert step_up.needed_scope == "mcp:write"
    assert "insufficient scope" in str(step_up)
    forbidden = authorization_refusal(
        403, _headers('Bearer error="invalid_token"'), "", url="https://x/mcp", method="POST"
    )
    assert forbidden is None
    assert authorization_refusal(500, httpx.Headers(), "", url="u", method="POST") is None
