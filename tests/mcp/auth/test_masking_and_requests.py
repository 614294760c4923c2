"""What the flow shows of its requests (secrets masked) and how it shapes them."""

from __future__ import annotations

import base64
from urllib.parse import parse_qs

import httpx
import pytest

from inspector.mcp.auth.config import CLIENT_CREDENTIALS, OAuthSettings
from inspector.mcp.auth.discovery import AuthServerMetadata
from inspector.mcp.auth.pending import AuthStep, PendingAuthorization
from inspector.mcp.auth.records import (
    Fetched,
    HttpRecord,
    mask_body,
    mask_form,
    mask_json,
    mask_query,
)
from inspector.mcp.auth.registration import (
    method_for_secret,
    public_registration,
    registration_request,
)
from inspector.mcp.auth.states import StepName
from inspector.mcp.auth.tokens import (
    AuthMethod,
    ClientRegistration,
    Tokens,
    authenticated,
    authorization_code_grant,
    token_learned,
)
from inspector.mcp.masking import MASK
from inspector.mcp.trace import EventKind
from inspector.sessions.spec import ConnectionSpec, TransportKind

SECRET = "s3cr3t-value-that-is-long"


def test_form_bodies_mask_codes_verifiers_secrets_and_tokens() -> None:
    body = (
        f"grant_type=authorization_code&code={SECRET}&code_verifier={SECRET}"
        f"&client_secret={SECRET}&refresh_token={SECRET}&client_id=inspector"
    )
    masked = parse_qs(mask_form(body))
    assert masked["grant_type"] == ["authorization_code"]
    assert masked["client_id"] == ["inspector"]
    for name in ("code", "code_verifier", "client_secret", "refresh_token"):
        assert masked[name] == [f"s3cr{MASK}"]
    assert SECRET not in mask_form(body)


def test_json_bodies_mask_tokens_at_any_depth() -> None:
    masked = mask_json(
        {
            "access_token": SECRET,
            "nested": [{"id_token": SECRET}],
            "token_type": "Bearer",
            "token_endpoint": "https://as/token",
        }
    )
    assert masked == {
        "access_token": f"s3cr{MASK}",
        "nested": [{"id_token": f"s3cr{MASK}"}],
        "token_type": "Bearer",
        "token_endpoint": "https://as/token",
    }


def test_a_redirect_shows_its_state_but_not_its_code() -> None:
    assert mask_query({"code": "short", "state": "abc"}) == {"code": MASK, "state": "abc"}


def _metadata(methods: list[str]) -> AuthServerMetadata:
    return AuthServerMetadata(
        issuer="https://as",
        authorization_endpoint="https://as/authorize",
        token_endpoint="https://as/token",
        token_endpoint_auth_methods_supported=methods,
    )


def test_client_secret_basic_form_encodes_before_base64() -> None:
    client = ClientRegistration("id:1", "p@ss word", AuthMethod.BASIC)
    data, headers = authenticated(authorization_code_grant("c", "v", "r", "res"), client)
    scheme, _, encoded = headers["Authorization"].partition(" ")
    assert scheme == "Basic"
    assert base64.b64decode(encoded).decode() == "id%3A1:p%40ss%20word"
    assert "client_secret" not in data
    assert "client_id" not in data
    assert data["resource"] == "res"


def test_client_secret_post_and_none() -> None:
    post = ClientRegistration("id", "secret", AuthMethod.POST)
    data, headers = authenticated(authorization_code_grant("c", "v", "r", "res"), post)
    assert (data["client_id"], data["client_secret"], headers) == ("id", "secret", {})
    public = ClientRegistration("id", None, AuthMethod.NONE)
    data, headers = authenticated(authorization_code_grant("c", "v", "r", "res"), public)
    assert data["client_id"] == "id"
    assert "client_secret" not in data
    assert headers == {}


@pytest.mark.parametrize(
    ("supported", "has_secret", "expected"),
    [
        ([], True, AuthMethod.BASIC),  # RFC 8414's default
        (["client_secret_post"], True, AuthMethod.POST),
        (["none", "client_secret_basic"], True, AuthMethod.BASIC),
        (["client_secret_basic"], False, AuthMethod.NONE),
    ],
)
def test_the_auth_method_follows_what_the_server_supports(
    supported: list[str], has_secret: bool, expected: str
) -> None:
    assert method_for_secret(_metadata(supported), has_secret) == expected


def test_dynamic_registration_declares_its_application_type_and_refresh() -> None:
    loopback = "http://127.0.0.1:8765/oauth/callback"
    native = registration_request(OAuthSettings(redirect_uri=loopback), _metadata(["none"]))
    assert native["application_type"] == "native"
    assert native["grant_types"] == ["authorization_code", "refresh_token"]
    assert native["token_endpoint_auth_method"] == "none"
    assert native["redirect_uris"] == [loopback]
    web = registration_request(
        OAuthSettings(redirect_uri="https://inspector.example.com/oauth/callback"),
        _metadata(["client_secret_basic"]),
    )
    assert web["application_type"] == "web"
    assert web["token_endpoint_auth_method"] == "client_secret_basic"
    machine = registration_request(
        OAuthSettings(grant_type=CLIENT_CREDENTIALS), _metadata(["client_secret_post"])
    )
    assert machine["grant_types"] == ["client_credentials"]
    assert "redirect_uris" not in machine


def test_tokens_are_shown_masked_with_their_claims() -> None:
    payload = base64.urlsafe_b64encode(b'{"sub":"ana","scope":"read"}').rstrip(b"=").decode()
    access = f"eyJhbGciOiJIUzI1NiJ9.{payload}.signature-bytes"
    tokens = Tokens(
        access_token=access,
        token_type="Bearer",
        resource="https://mcp",
        issuer="https://as",
        token_endpoint="https://as/token",
        client=ClientRegistration("id"),
        refresh_token=SECRET,
    )
    learned = token_learned(tokens)
    assert learned["access_token_claims"] == {"sub": "ana", "scope": "read"}
    assert learned["access_token"] == f"eyJh{MASK}"
    assert learned["refresh_token"] == f"s3cr{MASK}"
    event = AuthStep(StepName.TOKEN, True, "done", learned=learned).to_event()
    assert event.kind is EventKind.AUTH
    assert access not in str(event.to_dict())
    assert Tokens.from_dict(tokens.to_dict()) == tokens


def test_no_secret_shows_in_a_repr() -> None:
    raw = public_registration(
        {"client_id": "c1", "client_secret": SECRET, "registration_access_token": SECRET}
    )
    assert raw == {"client_id": "c1"}
    client = ClientRegistration("c1", SECRET, AuthMethod.BASIC, "dynamic", "https://as", raw)
    tokens = Tokens(
        SECRET,
        "Bearer",
        "https://mcp",
        "https://as",
        "https://as/token",
        client,
        refresh_token=SECRET,
    )
    pending = PendingAuthorization(
        "state",
        SECRET,
        "https://as/authorize",
        "http://127.0.0.1:1/cb",
        "https://mcp",
        "https://as",
        "https://as/token",
        client,
        None,
        False,
    )
    spec = ConnectionSpec(TransportKind.HTTP, url="https://mcp", bearer_token=SECRET)
    for value in (client, tokens, pending, OAuthSettings(client_secret=SECRET), spec):
        assert SECRET not in repr(value), type(value).__name__


def test_bodies_that_do_not_parse_are_masked_too() -> None:
    # A JSON body cut at the read limit, and a form body sent as 200 by a token endpoint.
    cut = f'{{"access_token": "{SECRET}", "token_type": "Bearer", "refresh_token": "{SECRET}'
    form = f"access_token={SECRET}&token_type=Bearer&expires_in=60"
    for text, content_type in (
        (cut, "application/json"),
        (form, "application/x-www-form-urlencoded"),
        (form, "text/plain"),
    ):
        response = httpx.Response(200, headers={"content-type": content_type}, text=text)
        record = HttpRecord("POST", "https://as.example/token", {})
        masked = Fetched(record, response, text).masked_text
        assert SECRET not in masked
        assert "token_type" in masked
        assert SECRET not in mask_body(text, content_type)
