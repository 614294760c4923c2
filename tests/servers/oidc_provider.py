"""A real, strict OpenID Connect provider for the sign-in tests, over HTTP.

It knows one confidential client (`--client-id`, `--client-secret`, its `--redirect-uri`s)
and anyone who types a username at its sign-in page:

- `/.well-known/openid-configuration`: the discovery document (issuer = this origin);
- `/jwks`: the public half of an RSA key made at start; ID tokens are signed RS256 with it;
- `/authorize`: checks the client, its redirect URI, `response_type=code`, the `openid`
  scope and a PKCE S256 challenge, then shows a sign-in form (username, email, and for tests
  a way to misbehave); submitting it redirects back with `code`, `state` and `iss`;
- `/token`: the client authenticates (Basic or in the form); a code is redeemed once, before
  it expires, by the client it was issued to, with the same redirect URI and the verifier of
  its challenge; the answer holds an access token and an ID token carrying the request's
  nonce, `aud` = the client, `iss`, `iat` and `exp`;
- `/userinfo`: the claims of the access token's holder;
- `/_log`: what the token endpoint was asked and answered, secrets left out.

Misbehaving on demand (the form's "misbehave" field, for that one sign-in): `wrong-nonce`,
`wrong-audience`, `wrong-issuer`, `expired`, `bad-signature` (signed by another key under
the same key id), `no-id-token`, `email-in-userinfo-only`, `unverified-email`, `deny`.

Run by `tests/web/test_oidc.py` through `http_harness.run_server`:
`python oidc_provider.py --fd N --client-id ID --client-secret S --redirect-uri URI...`.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import hashlib
import hmac
import html
import json
import secrets
import socket
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import uvicorn
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from tests.servers.oauth_as import OAuthError

CODE_SECONDS = 60
ID_TOKEN_SECONDS = 300
FAULTS = (
    "wrong-nonce",
    "wrong-audience",
    "wrong-issuer",
    "expired",
    "bad-signature",
    "no-id-token",
    "email-in-userinfo-only",
    "unverified-email",
    "deny",
)
SCOPES = ("openid", "email", "profile")


@dataclass(frozen=True, slots=True)
class Person:
    username: str
    email: str

    @property
    def subject(self) -> str:
        # The same username is the same person at every sign-in.
        return "user-" + hashlib.sha256(self.username.encode()).hexdigest()[:16]


@dataclass(frozen=True, slots=True)
class Grant:
    """What an authorization code stands for."""

    person: Person
    redirect_uri: str
    code_challenge: str
    nonce: str
    scopes: tuple[str, ...]
    fault: str
    expires_at: float


@dataclass
class Provider:
    issuer: str
    client_id: str
    client_secret: str
    redirect_uris: tuple[str, ...]
    key: rsa.RSAPrivateKey = field(
        default_factory=lambda: rsa.generate_private_key(public_exponent=65537, key_size=2048)
    )
    key_id: str = field(default_factory=lambda: secrets.token_hex(8))
    pending: dict[str, dict[str, str]] = field(default_factory=dict)
    codes: dict[str, Grant] = field(default_factory=dict)
    access_tokens: dict[str, Grant] = field(default_factory=dict)
    log: list[dict[str, Any]] = field(default_factory=list)

    def routes(self) -> list[Route]:
        return [
            Route("/healthz", self.healthz),
            Route("/.well-known/openid-configuration", self.discovery),
            Route("/jwks", self.jwks),
            Route("/authorize", self.authorize, methods=["GET"]),
            Route("/authorize/decision", self.decide, methods=["POST"]),
            Route("/token", self.token, methods=["POST"]),
            Route("/userinfo", self.userinfo, methods=["GET", "POST"]),
            Route("/_log", self.show_log),
        ]

    async def healthz(self, _: Request) -> PlainTextResponse:
        return PlainTextResponse("ok")

    async def show_log(self, _: Request) -> JSONResponse:
        return JSONResponse(self.log)

    async def discovery(self, _: Request) -> JSONResponse:
        return JSONResponse(
            {
                "issuer": self.issuer,
                "authorization_endpoint": f"{self.issuer}/authorize",
                "token_endpoint": f"{self.issuer}/token",
                "userinfo_endpoint": f"{self.issuer}/userinfo",
                "jwks_uri": f"{self.issuer}/jwks",
                "response_types_supported": ["code"],
                "grant_types_supported": ["authorization_code"],
                "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "scopes_supported": list(SCOPES),
                "token_endpoint_auth_methods_supported": [
                    "client_secret_basic",
                    "client_secret_post",
                ],
                "code_challenge_methods_supported": ["S256"],
                "claims_supported": ["sub", "iss", "aud", "exp", "iat", "nonce", "email"],
                "authorization_response_iss_parameter_supported": True,
            }
        )

    async def jwks(self, _: Request) -> JSONResponse:
        numbers = self.key.public_key().public_numbers()
        return JSONResponse(
            {
                "keys": [
                    {
                        "kty": "RSA",
                        "use": "sig",
                        "alg": "RS256",
                        "kid": self.key_id,
                        "n": _b64(_unsigned_bytes(numbers.n)),
                        "e": _b64(_unsigned_bytes(numbers.e)),
                    }
                ]
            }
        )

    # --- The browser's leg ----------------------------------------------------------

    async def authorize(self, request: Request) -> Response:
        params = dict(request.query_params)
        if params.get("client_id") != self.client_id:
            return _error_page(f"unknown client {params.get('client_id')!r}")
        if params.get("redirect_uri") not in self.redirect_uris:
            # Never redirect to a URI the client did not register.
            return _error_page(f"redirect_uri {params.get('redirect_uri')!r} is not registered")
        problem = _authorization_problem(params)
        if problem is not None:
            return _redirect(
                params["redirect_uri"],
                {"error": "invalid_request", "error_description": problem},
                params.get("state"),
                self.issuer,
            )
        request_id = secrets.token_urlsafe(16)
        self.pending[request_id] = params
        return HTMLResponse(_sign_in_page(request_id))

    async def decide(self, request: Request) -> Response:
        form = {key: str(value) for key, value in (await request.form()).items()}
        params = self.pending.pop(form.get("request", ""), None)
        if params is None:
            return _error_page("unknown or already used sign-in request")
        fault = form.get("misbehave", "")
        if fault not in ("", *FAULTS):
            return _error_page(f"unknown misbehaviour {fault!r}")
        if fault == "deny" or not form.get("username"):
            denied = {"error": "access_denied", "error_description": "the person did not sign in"}
            return _redirect(params["redirect_uri"], denied, params.get("state"), self.issuer)
        code = secrets.token_urlsafe(24)
        self.codes[code] = Grant(
            person=Person(form["username"], form.get("email", "")),
            redirect_uri=params["redirect_uri"],
            code_challenge=params["code_challenge"],
            nonce=params.get("nonce", ""),
            scopes=tuple(params["scope"].split()),
            fault=fault,
            expires_at=time.time() + CODE_SECONDS,
        )
        return _redirect(params["redirect_uri"], {"code": code}, params.get("state"), self.issuer)

    # --- The client's leg -----------------------------------------------------------

    async def token(self, request: Request) -> Response:
        form = {key: str(value) for key, value in (await request.form()).items()}
        entry: dict[str, Any] = {
            "grant_type": form.get("grant_type", ""),
            "code_verifier": "<present>" if form.get("code_verifier") else "<absent>",
        }
        self.log.append(entry)
        try:
            entry["client_authentication"] = self._authenticate(request, form)
            if form.get("grant_type") != "authorization_code":
                raise OAuthError("unsupported_grant_type", "only authorization_code")
            grant = self._redeem(form)
        except OAuthError as error:
            entry["error"] = error.error
            entry["error_description"] = error.description
            return error.response()
        entry["issued"] = True
        access_token = secrets.token_urlsafe(32)
        self.access_tokens[access_token] = grant
        answer: dict[str, Any] = {
            "access_token": access_token,
            "token_type": "Bearer",
            "expires_in": ID_TOKEN_SECONDS,
            "scope": " ".join(grant.scopes),
        }
        if grant.fault != "no-id-token":
            answer["id_token"] = self._id_token(grant, access_token)
        return JSONResponse(answer, headers={"Cache-Control": "no-store"})

    async def userinfo(self, request: Request) -> Response:
        authorization = request.headers.get("authorization", "")
        token = authorization[7:] if authorization.lower().startswith("bearer ") else ""
        grant = self.access_tokens.get(token)
        if grant is None:
            return JSONResponse(
                {"error": "invalid_token"},
                status_code=401,
                headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
            )
        return JSONResponse(_person_claims(grant))

    def _authenticate(self, request: Request, form: dict[str, str]) -> str:
        basic = request.headers.get("authorization", "")
        if basic.lower().startswith("basic "):
            try:
                client_id, _, secret = base64.b64decode(basic[6:]).decode().partition(":")
            except (ValueError, UnicodeDecodeError):
                raise OAuthError("invalid_client", "malformed Basic credentials", 401) from None
            method = "client_secret_basic"
        else:
            client_id, secret = form.get("client_id", ""), form.get("client_secret", "")
            method = "client_secret_post"
        if client_id != self.client_id or not hmac.compare_digest(secret, self.client_secret):
            raise OAuthError("invalid_client", "unknown client or wrong secret", 401)
        return method

    def _redeem(self, form: dict[str, str]) -> Grant:
        grant = self.codes.pop(form.get("code", ""), None)
        if grant is None or grant.expires_at < time.time():
            raise OAuthError("invalid_grant", "unknown, used or expired code")
        if form.get("redirect_uri") != grant.redirect_uri:
            raise OAuthError("invalid_grant", "redirect_uri differs from the authorization's")
        challenge = _b64(hashlib.sha256(form.get("code_verifier", "").encode()).digest())
        if not hmac.compare_digest(challenge, grant.code_challenge):
            raise OAuthError("invalid_grant", "code_verifier does not match code_challenge")
        return grant

    def _id_token(self, grant: Grant, access_token: str) -> str:
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "sub": grant.person.subject,
            "aud": self.client_id,
            "iat": now,
            "exp": now + ID_TOKEN_SECONDS,
            "nonce": grant.nonce,
            "at_hash": _b64(hashlib.sha256(access_token.encode()).digest()[:16]),
        }
        if grant.fault != "email-in-userinfo-only":
            claims.update(_person_claims(grant))
        key = self.key
        if grant.fault == "wrong-nonce":
            claims["nonce"] = secrets.token_urlsafe(16)
        elif grant.fault == "wrong-audience":
            claims["aud"] = "another-client"
        elif grant.fault == "wrong-issuer":
            claims["iss"] = self.issuer + "/elsewhere"
        elif grant.fault == "expired":
            claims["iat"], claims["exp"] = now - 3 * ID_TOKEN_SECONDS, now - 2 * ID_TOKEN_SECONDS
        elif grant.fault == "bad-signature":
            key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        return _sign_rs256(claims, key, self.key_id)


def _authorization_problem(params: dict[str, str]) -> str | None:
    if params.get("response_type") != "code":
        return "response_type must be code"
    scopes = params.get("scope", "").split()
    if "openid" not in scopes:
        return "the openid scope is required"
    unknown = [scope for scope in scopes if scope not in SCOPES]
    if unknown:
        return f"unknown scopes: {' '.join(unknown)}"
    if params.get("code_challenge_method") != "S256" or not params.get("code_challenge"):
        return "PKCE with S256 is required"
    if not params.get("nonce"):
        return "a nonce is required"
    return None


def _person_claims(grant: Grant) -> dict[str, Any]:
    claims: dict[str, Any] = {
        "sub": grant.person.subject,
        "preferred_username": grant.person.username,
    }
    if grant.person.email:
        claims["email"] = grant.person.email
        claims["email_verified"] = grant.fault != "unverified-email"
    return claims


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unsigned_bytes(number: int) -> bytes:
    return number.to_bytes((number.bit_length() + 7) // 8, "big")


def _sign_rs256(claims: dict[str, Any], key: rsa.RSAPrivateKey, key_id: str) -> str:
    header = {"alg": "RS256", "typ": "JWT", "kid": key_id}
    signing_input = f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(claims).encode())}"
    signature = key.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
    return f"{signing_input}.{_b64(signature)}"


def _redirect(
    redirect_uri: str, params: dict[str, str], state: str | None, issuer: str
) -> Response:
    if state is not None:
        params = {**params, "state": state}
    params["iss"] = issuer
    separator = "&" if "?" in redirect_uri else "?"
    return Response(
        status_code=302, headers={"Location": redirect_uri + separator + urlencode(params)}
    )


def _sign_in_page(request_id: str) -> str:
    options = "".join(f'<option value="{fault}">{fault}</option>' for fault in FAULTS)
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>Sign in · Fixture identity provider</title></head>
<body><main>
<h1>Sign in to the fixture identity provider</h1>
<form method="post" action="authorize/decision">
<input type="hidden" name="request" value="{html.escape(request_id)}">
<p><label for="username">Username</label> <input id="username" name="username"></p>
<p><label for="email">Email</label> <input id="email" name="email" type="email"></p>
<p><label for="misbehave">Misbehave (tests)</label>
<select id="misbehave" name="misbehave"><option value="">no</option>{options}</select></p>
<button type="submit">Sign in</button>
</form>
</main></body></html>"""


def _error_page(problem: str) -> HTMLResponse:
    return HTMLResponse(
        "<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Sign-in error"
        f"</title></head><body><h1>Sign-in error</h1><p>{html.escape(problem)}</p></body></html>",
        status_code=400,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--fd", type=int, required=True)
    parser.add_argument("--client-id", required=True)
    parser.add_argument("--client-secret", required=True)
    parser.add_argument("--redirect-uri", action="append", required=True)
    options = parser.parse_args()
    listener = socket.socket(fileno=options.fd)
    host, port = listener.getsockname()[:2]
    provider = Provider(
        issuer=f"http://{host}:{port}",
        client_id=options.client_id,
        client_secret=options.client_secret,
        redirect_uris=tuple(options.redirect_uri),
    )
    app = Starlette(routes=provider.routes())
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    asyncio.run(server.serve(sockets=[listener]))


if __name__ == "__main__":
    main()
