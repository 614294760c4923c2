"""A real OAuth 2.1 authorization server for the fixture MCP server of `oauth_mcp.py`.

`mcp.server.auth` ships an authorization server, but it has no client_credentials grant,
no Client ID Metadata Documents, no RFC 9207 `iss` on redirects and no page a person
approves in a browser; this one has all of them, and nothing else:

- RFC 8414 metadata at `/.well-known/oauth-authorization-server[<issuer path>]`, with
  `code_challenge_methods_supported: ["S256"]` and `client_id_metadata_document_supported`;
- `/register`: RFC 7591 dynamic registration (public clients get no secret);
- `/authorize`: a page with "Approve" and "Deny" buttons; approving redirects to the
  client's `redirect_uri` with `code`, `state` and `iss`;
- `/token`: `authorization_code` (PKCE S256 checked), `refresh_token` (rotated) and
  `client_credentials` (confidential clients only); the RFC 8707 `resource` must be the
  protected MCP server's URL on every request;
- client ids that are http(s) URLs are Client ID Metadata Documents: fetched, and their
  `client_id` must be the URL itself;
- access tokens are JWTs (HS256, this process's key) whose `aud` is the resource; the
  MCP server verifies them with `verify_access_token`;
- `GET /_log`: what the token and authorize endpoints were asked (grant types, scopes,
  resources), for assertions from the server's side.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import html
import json
import secrets
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import httpx
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

BASE_SCOPE = "mcp:tools"
ADMIN_SCOPE = "mcp:admin"
SCOPES = (BASE_SCOPE, ADMIN_SCOPE)
CONFIDENTIAL_CLIENT_ID = "fixture-confidential"
CONFIDENTIAL_CLIENT_SECRET = "fixture-confidential-secret"
CODE_SECONDS = 60
REFRESH_SECONDS = 3600


class OAuthError(Exception):
    """An RFC 6749 error response."""

    def __init__(self, error: str, description: str, status: int = 400) -> None:
        super().__init__(description)
        self.error = error
        self.description = description
        self.status = status

    def response(self) -> JSONResponse:
        body = {"error": self.error, "error_description": self.description}
        return JSONResponse(body, status_code=self.status, headers={"Cache-Control": "no-store"})


@dataclass(frozen=True, slots=True)
class Client:
    client_id: str
    redirect_uris: tuple[str, ...]
    grant_types: tuple[str, ...]
    secret: str | None = None
    name: str = ""

    @property
    def auth_method(self) -> str:
        return "none" if self.secret is None else "client_secret_basic"


@dataclass(frozen=True, slots=True)
class Grant:
    """What a code or refresh token stands for."""

    client_id: str
    scopes: tuple[str, ...]
    resource: str
    expires_at: float
    redirect_uri: str = ""
    code_challenge: str = ""


@dataclass
class AuthorizationServer:
    issuer: str
    resource: str
    access_token_seconds: float = 3600.0
    cimd: bool = True
    registration: bool = True
    # False: the token endpoint authenticates every client, so registration issues secrets.
    public_clients: bool = True
    # False: a planted fault, the metadata advertises only "plain" PKCE.
    s256: bool = True
    key: bytes = field(default_factory=lambda: secrets.token_bytes(32))
    clients: dict[str, Client] = field(default_factory=dict)
    pending: dict[str, dict[str, str]] = field(default_factory=dict)
    codes: dict[str, Grant] = field(default_factory=dict)
    refresh_tokens: dict[str, Grant] = field(default_factory=dict)
    log: list[dict[str, Any]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.clients[CONFIDENTIAL_CLIENT_ID] = Client(
            CONFIDENTIAL_CLIENT_ID,
            redirect_uris=(),
            grant_types=("client_credentials",),
            secret=CONFIDENTIAL_CLIENT_SECRET,
            name="Fixture confidential client",
        )

    # --- Routes ----------------------------------------------------------------------

    def routes(self, issuer_path: str) -> list[Route]:
        well_known = "/.well-known/oauth-authorization-server" + issuer_path
        routes = [
            Route(well_known, self.metadata),
            Route(issuer_path + "/authorize", self.authorize, methods=["GET"]),
            Route(issuer_path + "/authorize/decision", self.decide, methods=["POST"]),
            Route(issuer_path + "/token", self.token, methods=["POST"]),
            Route("/_log", self.show_log),
        ]
        if self.registration:
            routes.append(Route(issuer_path + "/register", self.register, methods=["POST"]))
        return routes

    async def metadata(self, _: Request) -> JSONResponse:
        document: dict[str, Any] = {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "scopes_supported": list(SCOPES),
            "response_types_supported": ["code"],
            "grant_types_supported": ["authorization_code", "refresh_token", "client_credentials"],
            "token_endpoint_auth_methods_supported": ["none"] * self.public_clients
            + ["client_secret_basic", "client_secret_post"],
            "code_challenge_methods_supported": ["S256"] if self.s256 else ["plain"],
            "client_id_metadata_document_supported": self.cimd,
            "authorization_response_iss_parameter_supported": True,
        }
        if self.registration:
            document["registration_endpoint"] = f"{self.issuer}/register"
        return JSONResponse(document)

    async def show_log(self, _: Request) -> JSONResponse:
        return JSONResponse(self.log)

    async def register(self, request: Request) -> JSONResponse:
        try:
            metadata = await request.json()
        except ValueError:
            return OAuthError("invalid_client_metadata", "the body is not JSON").response()
        redirect_uris = metadata.get("redirect_uris")
        if not isinstance(redirect_uris, list) or not redirect_uris:
            return OAuthError("invalid_redirect_uri", "redirect_uris is required").response()
        method = metadata.get("token_endpoint_auth_method", "client_secret_basic")
        grant_types = tuple(metadata.get("grant_types") or ["authorization_code"])
        client = Client(
            client_id=f"dcr-{secrets.token_hex(8)}",
            redirect_uris=tuple(str(uri) for uri in redirect_uris),
            grant_types=grant_types,
            secret=None if method == "none" else secrets.token_urlsafe(24),
            name=str(metadata.get("client_name", "")),
        )
        self.clients[client.client_id] = client
        self.log.append({"endpoint": "register", "client_id": client.client_id})
        answer = {
            **metadata,
            "client_id": client.client_id,
            "client_id_issued_at": int(time.time()),
            "token_endpoint_auth_method": client.auth_method if method != "none" else "none",
            "grant_types": list(grant_types),
        }
        if client.secret is not None:
            answer["client_secret"] = client.secret
            answer["client_secret_expires_at"] = 0
        return JSONResponse(answer, status_code=201)

    async def authorize(self, request: Request) -> Response:
        params = dict(request.query_params)
        self.log.append({"endpoint": "authorize", **_public(params)})
        try:
            client = await self._client(params.get("client_id", ""))
            redirect_uri = params.get("redirect_uri", "")
            if redirect_uri not in client.redirect_uris:
                raise OAuthError(
                    "invalid_request", f"redirect_uri {redirect_uri!r} is not registered"
                )
        except OAuthError as error:
            # Without a trusted redirect URI the error can only be shown here.
            return HTMLResponse(_error_page(error), status_code=400)
        try:
            if params.get("response_type") != "code":
                raise OAuthError("unsupported_response_type", "response_type must be code")
            if params.get("code_challenge_method") != "S256" or not params.get("code_challenge"):
                raise OAuthError("invalid_request", "PKCE with S256 is required")
            self._check_resource(params.get("resource"))
            self._scopes(params.get("scope"))
        except OAuthError as error:
            return self._redirect(redirect_uri, params.get("state"), error=error)
        request_id = secrets.token_urlsafe(16)
        self.pending[request_id] = params
        return HTMLResponse(_consent_page(request_id, client, self._scopes(params.get("scope"))))

    async def decide(self, request: Request) -> Response:
        form = await request.form()
        params = self.pending.pop(str(form.get("request", "")), None)
        if params is None:
            return HTMLResponse(
                _error_page(OAuthError("invalid_request", "unknown or used request")), 400
            )
        if form.get("decision") != "approve":
            denied = OAuthError("access_denied", "the user denied the request")
            return self._redirect(params["redirect_uri"], params.get("state"), error=denied)
        code = secrets.token_urlsafe(24)
        self.codes[code] = Grant(
            client_id=params["client_id"],
            scopes=self._scopes(params.get("scope")),
            resource=params["resource"],
            expires_at=time.time() + CODE_SECONDS,
            redirect_uri=params["redirect_uri"],
            code_challenge=params["code_challenge"],
        )
        return self._redirect(params["redirect_uri"], params.get("state"), code=code)

    async def token(self, request: Request) -> Response:
        form = {key: str(value) for key, value in (await request.form()).items()}
        grant_type = form.get("grant_type", "")
        self.log.append({"endpoint": "token", **_public(form)})
        try:
            client = await self._authenticate(request, form)
            if grant_type not in client.grant_types and not (
                grant_type == "refresh_token" and client.secret is None
            ):
                raise OAuthError("unauthorized_client", f"{grant_type} is not allowed")
            if grant_type == "authorization_code":
                grant = self._redeem_code(client, form)
            elif grant_type == "refresh_token":
                grant = self._redeem_refresh(client, form)
            elif grant_type == "client_credentials":
                if client.secret is None:
                    raise OAuthError("unauthorized_client", "public clients cannot use it")
                self._check_resource(form.get("resource"))
                grant = Grant(
                    client.client_id, self._scopes(form.get("scope")), form["resource"], 0.0
                )
            else:
                raise OAuthError("unsupported_grant_type", f"unknown grant_type {grant_type!r}")
        except OAuthError as error:
            return error.response()
        return JSONResponse(
            self._issue(grant, refresh=grant_type != "client_credentials"),
            headers={"Cache-Control": "no-store"},
        )

    # --- Checks ----------------------------------------------------------------------

    async def _client(self, client_id: str) -> Client:
        if client_id in self.clients:
            return self.clients[client_id]
        if self.cimd and client_id.startswith(("https://", "http://")):
            client = await self._fetch_metadata_document(client_id)
            self.clients[client_id] = client
            return client
        raise OAuthError("invalid_client", f"unknown client {client_id!r}", 401)

    async def _fetch_metadata_document(self, url: str) -> Client:
        try:
            async with httpx.AsyncClient(timeout=5.0) as http:
                response = await http.get(url, headers={"Accept": "application/json"})
            document = response.json()
        except (httpx.HTTPError, ValueError) as error:
            raise OAuthError(
                "invalid_client", f"cannot read the metadata document: {error}", 401
            ) from error
        if response.status_code != 200 or document.get("client_id") != url:
            raise OAuthError(
                "invalid_client", "the metadata document's client_id is not its URL", 401
            )
        return Client(
            client_id=url,
            redirect_uris=tuple(document.get("redirect_uris") or ()),
            grant_types=tuple(document.get("grant_types") or ["authorization_code"]),
            name=str(document.get("client_name", "")),
        )

    async def _authenticate(self, request: Request, form: dict[str, str]) -> Client:
        client_id, secret = form.get("client_id", ""), form.get("client_secret")
        basic = request.headers.get("authorization", "")
        if basic.lower().startswith("basic "):
            try:
                decoded = base64.b64decode(basic[6:]).decode()
            except (ValueError, UnicodeDecodeError):
                raise OAuthError("invalid_client", "malformed Basic credentials", 401) from None
            client_id, _, secret = decoded.partition(":")
        client = await self._client(client_id)
        if client.secret is not None and not hmac.compare_digest(client.secret, secret or ""):
            raise OAuthError("invalid_client", "wrong client secret", 401)
        return client

    def _check_resource(self, resource: str | None) -> None:
        if (resource or "").rstrip("/") != self.resource.rstrip("/"):
            raise OAuthError(
                "invalid_target", f"resource must be {self.resource}, not {resource!r}"
            )

    def _scopes(self, scope: str | None) -> tuple[str, ...]:
        requested = tuple((scope or BASE_SCOPE).split())
        unknown = [name for name in requested if name not in SCOPES]
        if unknown:
            raise OAuthError("invalid_scope", f"unknown scopes: {' '.join(unknown)}")
        return requested

    def _redeem_code(self, client: Client, form: dict[str, str]) -> Grant:
        grant = self.codes.pop(form.get("code", ""), None)
        if grant is None or grant.expires_at < time.time() or grant.client_id != client.client_id:
            raise OAuthError("invalid_grant", "unknown, used or expired code")
        if form.get("redirect_uri") != grant.redirect_uri:
            raise OAuthError("invalid_grant", "redirect_uri differs from the authorization request")
        challenge = _s256(form.get("code_verifier", ""))
        if not hmac.compare_digest(challenge, grant.code_challenge):
            raise OAuthError("invalid_grant", "code_verifier does not match code_challenge")
        self._check_resource(form.get("resource"))
        return grant

    def _redeem_refresh(self, client: Client, form: dict[str, str]) -> Grant:
        grant = self.refresh_tokens.pop(form.get("refresh_token", ""), None)
        if grant is None or grant.expires_at < time.time() or grant.client_id != client.client_id:
            raise OAuthError("invalid_grant", "unknown, used or expired refresh token")
        self._check_resource(form.get("resource"))
        scopes = self._scopes(form["scope"]) if form.get("scope") else grant.scopes
        if not set(scopes) <= set(grant.scopes):
            raise OAuthError("invalid_scope", "a refresh cannot widen the scopes")
        return Grant(grant.client_id, scopes, grant.resource, 0.0)

    # --- Tokens ----------------------------------------------------------------------

    def _issue(self, grant: Grant, *, refresh: bool) -> dict[str, Any]:
        now = time.time()
        claims = {
            "iss": self.issuer,
            "sub": grant.client_id,
            "aud": grant.resource,
            "client_id": grant.client_id,
            "scope": " ".join(grant.scopes),
            "iat": int(now),
            "exp": now + self.access_token_seconds,
            "jti": secrets.token_hex(8),
        }
        answer: dict[str, Any] = {
            "access_token": _sign(claims, self.key),
            "token_type": "Bearer",
            "expires_in": max(1, round(self.access_token_seconds)),
            "scope": claims["scope"],
        }
        if refresh:
            token = secrets.token_urlsafe(32)
            self.refresh_tokens[token] = Grant(
                grant.client_id, grant.scopes, grant.resource, now + REFRESH_SECONDS
            )
            answer["refresh_token"] = token
        return answer

    def verify_access_token(self, token: str) -> dict[str, Any] | None:
        """The token's claims if this server issued it for the resource and it is
        still valid; otherwise None."""
        claims = _verify(token, self.key)
        if claims is None:
            return None
        if claims.get("iss") != self.issuer or claims.get("aud") != self.resource:
            return None
        if float(claims.get("exp", 0)) < time.time():
            return None
        return claims

    def _redirect(
        self,
        redirect_uri: str,
        state: str | None,
        *,
        code: str = "",
        error: OAuthError | None = None,
    ) -> RedirectResponse:
        params = (
            {"code": code}
            if error is None
            else {"error": error.error, "error_description": error.description}
        )
        if state is not None:
            params["state"] = state
        params["iss"] = self.issuer
        separator = "&" if "?" in redirect_uri else "?"
        return RedirectResponse(f"{redirect_uri}{separator}{urlencode(params)}", status_code=302)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _s256(verifier: str) -> str:
    return _b64(hashlib.sha256(verifier.encode()).digest())


def _sign(claims: dict[str, Any], key: bytes) -> str:
    header = _b64(json.dumps({"alg": "HS256", "typ": "at+jwt"}).encode())
    payload = _b64(json.dumps(claims).encode())
    signature = hmac.new(key, f"{header}.{payload}".encode(), hashlib.sha256).digest()
    return f"{header}.{payload}.{_b64(signature)}"


def _verify(token: str, key: bytes) -> dict[str, Any] | None:
    parts = token.split(".")
    if len(parts) != 3:
        return None
    expected = hmac.new(key, f"{parts[0]}.{parts[1]}".encode(), hashlib.sha256).digest()
    try:
        if not hmac.compare_digest(expected, _unb64(parts[2])):
            return None
        claims = json.loads(_unb64(parts[1]))
    except ValueError:
        return None
    return claims if isinstance(claims, dict) else None


def _public(params: dict[str, str]) -> dict[str, str]:
    """Request parameters without the secrets, for the log."""
    hidden = {"client_secret", "code", "code_verifier", "refresh_token"}
    return {key: ("<present>" if key in hidden else value) for key, value in params.items()}


def _consent_page(request_id: str, client: Client, scopes: tuple[str, ...]) -> str:
    name = html.escape(client.name or client.client_id)
    items = "".join(f"<li>{html.escape(scope)}</li>" for scope in scopes)
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Authorize {name}</title></head>
<body><main>
<h1>Authorize {name}</h1>
<p>Client id: <code>{html.escape(client.client_id)}</code></p>
<p>It asks for these scopes:</p><ul>{items}</ul>
<form method="post" action="authorize/decision">
<input type="hidden" name="request" value="{html.escape(request_id)}">
<button type="submit" name="decision" value="approve">Approve</button>
<button type="submit" name="decision" value="deny">Deny</button>
</form>
</main></body></html>"""


def _error_page(error: OAuthError) -> str:
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Authorization error"
        f"</title></head><body><h1>{html.escape(error.error)}</h1>"
        f"<p>{html.escape(error.description)}</p></body></html>"
    )
