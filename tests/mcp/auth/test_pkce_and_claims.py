"""PKCE S256 and the display-only decoding of JWT claims."""

from __future__ import annotations

import base64
import json

from inspector.mcp.auth.claims import jwt_claims
from inspector.mcp.auth.pkce import Pkce, challenge_for, new_state


def test_s256_matches_the_rfc_7636_example() -> None:
    assert (
        challenge_for("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")
        == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
    )


def test_new_verifiers_are_long_enough_and_unique() -> None:
    first, second = Pkce.new(), Pkce.new()
    assert len(first.verifier) >= 43
    assert first.method == "S256"
    assert first.challenge == challenge_for(first.verifier)
    assert first.verifier != second.verifier
    assert new_state() != new_state()


def _part(data: dict[str, object]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def test_jwt_claims_are_decoded_without_verification() -> None:
    token = f"{_part({'alg': 'HS256'})}.{_part({'sub': 'ana', 'exp': 1700000000})}.bogus"
    assert jwt_claims(token) == {"sub": "ana", "exp": 1700000000}


def test_an_opaque_token_has_no_claims() -> None:
    assert jwt_claims("opaque-token") is None
    assert jwt_claims("a.!!!.c") is None


def test_a_jwt_whose_payload_is_not_an_object_has_no_claims() -> None:
    payload = base64.urlsafe_b64encode(b"[1, 2]").rstrip(b"=").decode()
    assert jwt_claims(f"a.{payload}.c") is None
