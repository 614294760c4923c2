"""A protected MCP server and its own OAuth 2.1 authorization server, on two origins.

The MCP server is the `mcp` package's (Streamable HTTP, JSON responses) at `/api/mcp`,
behind a guard of our own, because `mcp.server.auth`'s guard sends no `scope=` in its
challenges and knows no per-tool scopes:

- no valid token → 401 with `WWW-Authenticate: Bearer resource_metadata="…", scope="mcp:tools"`;
- a token without `mcp:tools` → 403 `insufficient_scope`;
- calling the tool `admin_secret` without `mcp:admin` → 403 `error="insufficient_scope",
  scope="mcp:admin"` (step-up: the client asks again with the union of its scopes);
- RFC 9728 metadata at the path-aware `/.well-known/oauth-protected-resource/api/mcp`
  (with `--no-resource-metadata`, a planted fault: none, and no `resource_metadata=` in
  the challenge; with `--advertised-issuer URL`, that URL instead of the real issuer in
  the metadata's `authorization_servers`).

A token is valid only if `oauth_as.py`'s server issued it for this MCP server's URL and it
has not expired. The authorization server is described in `oauth_as.py`.

Run by `oauth_harness.run_oauth_servers()` as `python oauth_mcp.py --fd AS --fd MCP [options]`:
two listening sockets inherited from the test process, the first for the authorization
server, the second for the MCP server.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import socket
import warnings
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import uvicorn
from mcp.server.mcpserver import MCPServer
from mcp.server.transport_security import TransportSecuritySettings
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse
from starlette.routing import Mount, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

try:  # run as a script, or imported as part of the tests package
    from oauth_as import (  # type: ignore[import-not-found]
        ADMIN_SCOPE,
        BASE_SCOPE,
        SCOPES,
        AuthorizationServer,
    )
except ImportError:
    from tests.servers.oauth_as import ADMIN_SCOPE, BASE_SCOPE, SCOPES, AuthorizationServer

warnings.filterwarnings("ignore", category=DeprecationWarning)

MCP_PATH = "/api/mcp"
METADATA_PATH = "/.well-known/oauth-protected-resource" + MCP_PATH
SCOPED_TOOLS = {"admin_secret": ADMIN_SCOPE}
ADMIN_SECRET = "the vault code is 0451"
SECURITY = TransportSecuritySettings(
    enable_dns_rebinding_protection=True,
    allowed_hosts=["127.0.0.1:*", "localhost:*"],
    allowed_origins=["http://127.0.0.1:*", "http://localhost:*"],
)


def build_mcp_server() -> MCPServer:
    server = MCPServer(name="fixture-oauth-protected", version="1.0.0")

    @server.tool()
    def add(a: int, b: int) -> int:
        """Add two integers."""
        return a + b

    @server.tool()
    def admin_secret() -> str:
        """Reveal the secret; needs the mcp:admin scope."""
        return ADMIN_SECRET

    return server


class BearerGuard:
    """Lets a request through only with a valid access token that has the scopes the
    request needs; otherwise answers the RFC 6750 challenge."""

    def __init__(
        self, app: ASGIApp, authority: AuthorizationServer, metadata_url: str | None
    ) -> None:
        self.app = app
        self.authority = authority
        self.metadata_url = metadata_url

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {key.decode().lower(): value.decode() for key, value in scope["headers"]}
        authorization = headers.get("authorization", "")
        token = authorization[7:] if authorization.lower().startswith("bearer ") else ""
        claims = self.authority.verify_access_token(token) if token else None
        if claims is None:
            error = "invalid_token" if token else None
            await self._challenge(send, 401, error, BASE_SCOPE)
            return
        granted = set(str(claims.get("scope", "")).split())
        if BASE_SCOPE not in granted:
            await self._challenge(send, 403, "insufficient_scope", BASE_SCOPE)
            return
        body, receive = await _buffered(receive)
        needed = _scope_needed(body)
        if needed is not None and needed not in granted:
            await self._challenge(send, 403, "insufficient_scope", needed)
            return
        await self.app(scope, receive, send)

    async def _challenge(self, send: Send, status: int, error: str | None, scope: str) -> None:
        parts = [f'scope="{scope}"']
        if self.metadata_url is not None:
            parts.insert(0, f'resource_metadata="{self.metadata_url}"')
        if error is not None:
            parts.insert(0, f'error="{error}"')
        body = json.dumps({"error": error or "unauthorized"}).encode()
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    (b"www-authenticate", f"Bearer {', '.join(parts)}".encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


async def _buffered(receive: Receive) -> tuple[bytes, Receive]:
    """The whole request body, and a `receive` that hands it to the app again."""
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            break
    body = b"".join(chunks)
    delivered = False

    async def replay() -> Message:
        nonlocal delivered
        if not delivered:
            delivered = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return body, replay


def _scope_needed(body: bytes) -> str | None:
    try:
        message = json.loads(body) if body else None
    except ValueError:
        return None
    if not isinstance(message, dict) or message.get("method") != "tools/call":
        return None
    params = message.get("params")
    name = params.get("name") if isinstance(params, dict) else None
    return SCOPED_TOOLS.get(name) if isinstance(name, str) else None


async def healthz(_: Request) -> PlainTextResponse:
    return PlainTextResponse("ok")


def build_apps(
    as_origin: str, mcp_origin: str, options: argparse.Namespace
) -> tuple[Starlette, Starlette]:
    resource = mcp_origin + MCP_PATH
    authority = AuthorizationServer(
        issuer=as_origin + options.issuer_path,
        resource=resource,
        access_token_seconds=options.access_token_seconds,
        cimd=not options.no_cimd,
        registration=not options.no_registration,
        public_clients=not options.no_public_clients,
        s256=not options.no_s256,
    )
    as_app = Starlette(routes=[Route("/healthz", healthz), *authority.routes(options.issuer_path)])

    mcp_app = build_mcp_server().streamable_http_app(
        streamable_http_path=MCP_PATH, json_response=True, transport_security=SECURITY
    )
    metadata = {
        "resource": resource,
        "authorization_servers": [options.advertised_issuer or authority.issuer],
        "scopes_supported": list(SCOPES),
        "bearer_methods_supported": ["header"],
        "resource_name": "Fixture protected MCP server",
    }

    async def resource_metadata(_: Request) -> JSONResponse:
        return JSONResponse(metadata)

    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        async with mcp_app.router.lifespan_context(mcp_app):
            yield

    published = not options.no_resource_metadata
    guarded = BearerGuard(mcp_app, authority, mcp_origin + METADATA_PATH if published else None)
    routes = [Route("/healthz", healthz), Mount("/", app=guarded)]
    if published:
        routes.insert(1, Route(METADATA_PATH, resource_metadata))
    protected = Starlette(routes=routes, lifespan=lifespan)
    return as_app, protected


def _origin(listener: socket.socket) -> str:
    host, port = listener.getsockname()[:2]
    return f"http://{host}:{port}"


async def _serve(apps_and_sockets: list[tuple[Starlette, socket.socket]]) -> None:
    servers = [
        uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
        for app, _ in apps_and_sockets
    ]
    await asyncio.gather(
        *(
            server.serve(sockets=[sock])
            for server, (_, sock) in zip(servers, apps_and_sockets, strict=True)
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--fd", type=int, action="append", required=True)
    parser.add_argument("--access-token-seconds", type=float, default=3600.0)
    parser.add_argument("--issuer-path", default="", help="e.g. /tenant: an issuer with a path")
    parser.add_argument("--no-cimd", action="store_true", help="no Client ID Metadata Documents")
    parser.add_argument("--no-registration", action="store_true", help="no /register")
    parser.add_argument(
        "--no-public-clients", action="store_true", help="no 'none' token endpoint auth"
    )
    parser.add_argument("--no-s256", action="store_true", help='PKCE "plain" only')
    parser.add_argument("--no-resource-metadata", action="store_true", help="no RFC 9728 metadata")
    parser.add_argument("--advertised-issuer", default="", help="authorization_servers[0]")
    options = parser.parse_args()
    as_socket, mcp_socket = (socket.socket(fileno=fd) for fd in options.fd)
    as_app, mcp_app = build_apps(_origin(as_socket), _origin(mcp_socket), options)
    asyncio.run(_serve([(as_app, as_socket), (mcp_app, mcp_socket)]))


if __name__ == "__main__":
    main()
