"""A hand-written HTTP server with the awkward behaviours real MCP servers show.

Every URL is `/<token>/<scenario>`: a test picks a fresh token, so tests sharing the
process never share state, and `GET /_log/<token>` returns the requests the server got
for that token (method, scenario, lower-cased headers), for assertions from its side.

Streamable HTTP scenarios (initialize is always answered with JSON):

- `charset`: JSON bodies typed `application/json; charset=utf-8`; GET and DELETE → 405;
- `expired`: any POST that carries a session id → 404 (the session has expired);
- `resume`: a request's SSE stream sends only a priming event (`id`, `retry: 50`, empty
  data) and closes; the response comes on `GET` with `Last-Event-ID`; GET without it → 405;
- `lost`: a request's SSE stream sends a notification without event ids and closes;
- `chatty`: a request's SSE stream carries a server request (`ping`) and a notification
  before the response;
- `regget`: the standalone GET stream sends one notification and closes, twice (the
  second time it expects `Last-Event-ID`), then GET → 405;
- `stall`: like `resume`, but every resumption GET brings only a new priming event;
- `slow`: requests are answered with JSON after one second;
- `redirect`: 307 to `charset` on the same origin; `offsite`: 307 to another origin.
- `discover-503`: `server/discover` → 503 (the server is down), initialize as usual;
- `paged-headers`: a modern server whose tools/list has two pages; the tool `zoned`, on
  the second, mirrors its `zone` argument in `Mcp-Param-Zone`; a tools/call without that
  header → 400 with -32020 (HeaderMismatch);
- `discover-404`: `server/discover` → 404 whose body is a JSON-RPC -32601 error (a modern
  server's unknown method), initialize as usual.

Legacy HTTP+SSE scenarios:

- `legacy-offsite`: the endpoint event names another origin;
- `legacy-silent`: the stream never sends an endpoint;
- `legacy-flaky`: a relative endpoint, a keep-alive, an unknown event type, one message,
  then the stream closes; POSTs go to `/<token>/messages`;
- `legacy-badpost`: the endpoint is a URL that answers 404.

Authorization servers that an OAuth client must refuse (every POST → 401 whose
challenge's `resource_metadata` is the scenario's own URL; a GET there is the protected
resource metadata, naming the same URL as the issuer, whose RFC 8414 metadata is served
at `/.well-known/oauth-authorization-server/<token>/<scenario>`):

- `auth-nopkce`: the metadata lists only the `plain` PKCE method;
- `auth-wrongissuer`: the metadata's `issuer` is another server's;
- `auth-noissuer`: the metadata has an empty `issuer`;
- `auth-plainhttp`: the token endpoint is plain http on a host that is not loopback;
- `auth-badresource`: the protected resource metadata's `resource` is not a valid URL;
- `auth-deepjson`: the protected resource metadata is `[` nested thousands deep;
- `auth-fickle`: the first protected resource metadata names one authorization server
  (`/<token>/auth-fickle`), every later one another (`/<token>/auth-fickle-b`);
- `auth-noresource`: the protected resource metadata has no `resource`;
- `auth-otherresource`: the protected resource metadata is for another server's URL;
- `auth-dpop`: the token endpoint (`/<token>/auth-dpop/token`) issues a DPoP token.
  The root `/.well-known/oauth-authorization-server` (where a 2025-03-26 client looks)
  answers 503.
- `auth-endless`: GET answers a JSON body that never ends, 64 KiB at a time;
- `auth-trickle`: GET answers a JSON body one byte every 50 ms, for ever;
- `auth-noas`: there is no authorization server metadata at all.

Run by `tests/servers/http_harness.py` as `python http_broken.py --fd N`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import socket
from collections import defaultdict
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response, StreamingResponse
from starlette.routing import Route

SSE = "text/event-stream"
SESSION = "mcp-session-id"
REQUEST_LOG: dict[str, list[dict[str, Any]]] = defaultdict(list)
# Per token: the id of the request whose response the `resume` scenario still owes.
OWED: dict[str, Any] = {}
GET_COUNTS: dict[str, int] = defaultdict(int)

Handler = Callable[[Request, str, dict[str, Any] | None], Awaitable[Response]]


def sse(*events: str, linger: float = 0.0) -> StreamingResponse:
    """An SSE response made of raw event blocks, then (optionally) silence, then the end."""

    async def body() -> AsyncIterator[bytes]:
        for event in events:
            yield event.encode()
            await asyncio.sleep(0.01)
        if linger:
            await asyncio.sleep(linger)

    return StreamingResponse(body(), media_type=SSE)


def message_block(payload: dict[str, Any], event_id: str | None = None) -> str:
    lines = [f"id: {event_id}"] if event_id else []
    return "\n".join([*lines, f"data: {json.dumps(payload)}"]) + "\n\n"


def initialize_result(message: dict[str, Any]) -> dict[str, Any]:
    version = (message.get("params") or {}).get("protocolVersion", "2025-11-25")
    return {
        "jsonrpc": "2.0",
        "id": message["id"],
        "result": {
            "protocolVersion": version,
            "capabilities": {},
            "serverInfo": {"name": "fixture-broken", "version": "0.0.1"},
        },
    }


def is_request(message: dict[str, Any] | None) -> bool:
    return message is not None and "method" in message and "id" in message


def accepted() -> Response:
    return Response(status_code=202)


def initialized(message: dict[str, Any], token: str, scenario: str) -> Response:
    return JSONResponse(
        initialize_result(message), headers={"Mcp-Session-Id": f"{scenario}-{token}"}
    )


# --- Streamable HTTP scenarios ---------------------------------------------------------


async def charset(request: Request, token: str, message: dict[str, Any] | None) -> Response:
    if request.method != "POST":
        return PlainTextResponse("Method Not Allowed", status_code=405)
    if not is_request(message):
        return accepted()
    assert message is not None
    payload = (
        initialize_result(message)
        if message["method"] == "initialize"
        else {"jsonrpc": "2.0", "id": message["id"], "result": {"echo": message["method"]}}
    )
    headers = {"Mcp-Session-Id": f"charset-{token}"} if message["method"] == "initialize" else {}
    return Response(
        json.dumps(payload), media_type="application/json; charset=utf-8", headers=headers
    )


async def expired(request: Request, token: str, message: dict[str, Any] | None) -> Response:
    if request.headers.get(SESSION):
        return PlainTextResponse("Session not found", status_code=404)
    if message is not None and message.get("method") == "initialize":
        return initialized(message, token, "expired")
    return accepted()


async def resume(request: Request, token: str, message: dict[str, Any] | None) -> Response:
    if request.method == "GET":
        if request.headers.get("last-event-id") != f"{token}-1" or token not in OWED:
            return PlainTextResponse("Method Not Allowed", status_code=405)
        answer = {"jsonrpc": "2.0", "id": OWED.pop(token), "result": {"resumed": True}}
        return sse(message_block(answer, f"{token}-2"))
    if request.method == "DELETE":
        return Response(status_code=200)
    if message is not None and message.get("method") == "initialize":
        return initialized(message, token, "resume")
    if not is_request(message):
        return accepted()
    assert message is not None
    OWED[token] = message["id"]
    return sse(f"id: {token}-1\nretry: 50\ndata: \n\n")


async def stall(request: Request, token: str, message: dict[str, Any] | None) -> Response:
    if message is not None and message.get("method") == "initialize":
        return initialized(message, token, "stall")
    if request.method == "GET":
        GET_COUNTS[token] += 1
        return sse(f"id: {token}-{GET_COUNTS[token] + 1}\ndata: \n\n")
    if not is_request(message):
        return accepted()
    return sse(f"id: {token}-1\nretry: 50\ndata: \n\n")


async def slow(request: Request, token: str, message: dict[str, Any] | None) -> Response:
    if message is not None and message.get("method") == "initialize":
        return initialized(message, token, "slow")
    if not is_request(message):
        return accepted()
    assert message is not None
    await asyncio.sleep(1.0)
    return JSONResponse({"jsonrpc": "2.0", "id": message["id"], "result": {"slow": True}})


async def lost(request: Request, token: str, message: dict[str, Any] | None) -> Response:
    if message is not None and message.get("method") == "initialize":
        return initialized(message, token, "lost")
    if not is_request(message):
        return accepted()
    note = {"jsonrpc": "2.0", "method": "notifications/message", "params": {"level": "info"}}
    return sse(message_block(note))


async def chatty(request: Request, token: str, message: dict[str, Any] | None) -> Response:
    if message is not None and message.get("method") == "initialize":
        return initialized(message, token, "chatty")
    if not is_request(message):
        return accepted()
    assert message is not None
    ping = {"jsonrpc": "2.0", "id": "srv-1", "method": "ping"}
    note = {"jsonrpc": "2.0", "method": "notifications/message", "params": {"data": "hi"}}
    answer = {"jsonrpc": "2.0", "id": message["id"], "result": {"content": []}}
    return sse(message_block(ping), message_block(note), message_block(answer))


async def regget(request: Request, token: str, message: dict[str, Any] | None) -> Response:
    if message is not None and message.get("method") == "initialize":
        return initialized(message, token, "regget")
    if request.method == "GET":
        GET_COUNTS[token] += 1
        count = GET_COUNTS[token]
        if count > 2:
            return PlainTextResponse("Method Not Allowed", status_code=405)
        note = {"jsonrpc": "2.0", "method": "notifications/message", "params": {"n": count}}
        return sse("retry: 50\n\n", message_block(note, f"g-{count}"))
    return accepted() if request.method == "POST" else Response(status_code=200)


async def redirect(request: Request, token: str, message: dict[str, Any] | None) -> Response:
    return Response(status_code=307, headers={"Location": f"/{token}/charset"})


async def offsite(request: Request, token: str, message: dict[str, Any] | None) -> Response:
    port = request.url.port
    return Response(
        status_code=307, headers={"Location": f"http://localhost:{port}/{token}/charset"}
    )


# --- Legacy HTTP+SSE scenarios ---------------------------------------------------------


async def legacy_offsite(request: Request, token: str, message: dict[str, Any] | None) -> Response:
    return sse("event: endpoint\ndata: http://attacker.invalid/messages?s=1\n\n", linger=30)


async def legacy_silent(request: Request, token: str, message: dict[str, Any] | None) -> Response:
    return sse(": nothing to see\n\n", linger=30)


async def legacy_flaky(request: Request, token: str, message: dict[str, Any] | None) -> Response:
    note = {"jsonrpc": "2.0", "method": "notifications/message", "params": {"data": "one"}}
    return sse(
        "event: endpoint\ndata: messages?session=abc\n\n",
        "event: message\ndata:\n\n",
        "event: surprise\ndata: boo\n\n",
        message_block(note, "m-1"),
        linger=0.3,
    )


async def legacy_badpost(request: Request, token: str, message: dict[str, Any] | None) -> Response:
    return sse("event: endpoint\ndata: nowhere\n\n", linger=30)


async def messages(request: Request, token: str, message: dict[str, Any] | None) -> Response:
    return PlainTextResponse("Accepted", status_code=202)


def _gets(token: str, scenario: str) -> int:
    return sum(
        entry["method"] == "GET" and entry["scenario"] == scenario for entry in REQUEST_LOG[token]
    )


async def auth_refusal(request: Request, token: str, message: dict[str, Any] | None) -> Response:
    own_url = str(request.url.replace(query=""))
    scenario = request.path_params["scenario"]
    if request.method == "GET" and scenario == "auth-deepjson":
        return Response("[" * 5000, media_type="application/json")
    if request.method == "GET":
        resource = {
            "auth-badresource": "http://[::1",
            "auth-otherresource": "https://other.example.com/mcp",
        }.get(scenario, own_url)
        issuer = own_url
        if scenario == "auth-fickle" and _gets(token, scenario) > 1:
            issuer = own_url + "-b"
        document = {"resource": resource, "authorization_servers": [issuer]}
        if scenario == "auth-noresource":
            del document["resource"]
        return JSONResponse(document)
    return JSONResponse(
        {"error": "invalid_token"},
        status_code=401,
        headers={"WWW-Authenticate": f'Bearer resource_metadata="{own_url}"'},
    )


async def auth_endless(request: Request, token: str, message: dict[str, Any] | None) -> Response:
    async def body() -> AsyncIterator[bytes]:
        yield b'{"padding": "'
        while True:
            yield b"x" * 65536
            await asyncio.sleep(0)

    return StreamingResponse(body(), media_type="application/json")


async def auth_trickle(request: Request, token: str, message: dict[str, Any] | None) -> Response:
    async def body() -> AsyncIterator[bytes]:
        yield b"{"
        while True:
            await asyncio.sleep(0.05)
            yield b" "

    return StreamingResponse(body(), media_type="application/json")


async def as_metadata(request: Request) -> Response:
    token, scenario = request.path_params["token"], request.path_params["scenario"]
    issuer = f"{request.url.scheme}://{request.url.netloc}/{token}/{scenario}"
    metadata = {
        "issuer": issuer,
        "authorization_endpoint": f"{issuer}/authorize",
        "token_endpoint": f"{issuer}/token",
        "response_types_supported": ["code"],
        "code_challenge_methods_supported": ["S256"],
    }
    if scenario == "auth-nopkce":
        metadata["code_challenge_methods_supported"] = ["plain"]
    elif scenario == "auth-wrongissuer":
        metadata["issuer"] = "https://elsewhere.example"
    elif scenario == "auth-noissuer":
        metadata["issuer"] = ""
    elif scenario == "auth-plainhttp":
        metadata["token_endpoint"] = "http://as.example.test/token"
    elif scenario not in ("auth-fickle", "auth-fickle-b", "auth-noresource", "auth-dpop"):
        # auth-noas
        return PlainTextResponse("No such authorization server", status_code=404)
    return JSONResponse(metadata)


async def token_endpoint(request: Request) -> Response:
    if request.path_params["scenario"] != "auth-dpop":
        return PlainTextResponse("No such token endpoint", status_code=404)
    return JSONResponse(
        {"access_token": "dpop-bound-access-token", "token_type": "DPoP", "expires_in": 60}
    )


async def discover_refused(
    request: Request, token: str, message: dict[str, Any] | None
) -> Response:
    if message is None or message.get("method") != "server/discover":
        return await charset(request, token, message)
    if request.path_params["scenario"] == "discover-503":
        return PlainTextResponse("Service Unavailable", status_code=503)
    error = {"code": -32601, "message": "Method not found: server/discover"}
    return JSONResponse({"jsonrpc": "2.0", "id": message["id"], "error": error}, status_code=404)


async def paged_headers(request: Request, token: str, message: dict[str, Any] | None) -> Response:
    if message is None or not is_request(message):
        return accepted()
    method = message["method"]
    params = message.get("params") or {}
    result: dict[str, Any]
    if method == "server/discover":
        result = {"supportedVersions": ["2026-07-28"], "capabilities": {"tools": {}}}
    elif method == "tools/list" and not params.get("cursor"):
        schema = {"type": "object", "properties": {}}
        result = {"tools": [{"name": "plain", "inputSchema": schema}], "nextCursor": "2"}
    elif method == "tools/list":
        zone = {"type": "string", "x-mcp-header": "Zone"}
        schema = {"type": "object", "properties": {"zone": zone}}
        result = {"tools": [{"name": "zoned", "inputSchema": schema}]}
    elif method == "tools/call" and "mcp-param-zone" not in request.headers:
        error = {"code": -32020, "message": "Header mismatch: Mcp-Param-Zone is missing"}
        body = {"jsonrpc": "2.0", "id": message["id"], "error": error}
        return JSONResponse(body, status_code=400)
    else:
        seen = request.headers.get("mcp-param-zone", "")
        result = {"content": [{"type": "text", "text": f"zone {seen}"}]}
    return JSONResponse({"jsonrpc": "2.0", "id": message["id"], "result": result})


async def root_as_metadata(_: Request) -> Response:
    return PlainTextResponse("The metadata store is down", status_code=503)


SCENARIOS: dict[str, Handler] = {
    "charset": charset,
    "expired": expired,
    "resume": resume,
    "stall": stall,
    "slow": slow,
    "lost": lost,
    "chatty": chatty,
    "regget": regget,
    "redirect": redirect,
    "offsite": offsite,
    "discover-503": discover_refused,
    "discover-404": discover_refused,
    "paged-headers": paged_headers,
    "legacy-offsite": legacy_offsite,
    "legacy-silent": legacy_silent,
    "legacy-flaky": legacy_flaky,
    "legacy-badpost": legacy_badpost,
    "messages": messages,
    "auth-nopkce": auth_refusal,
    "auth-wrongissuer": auth_refusal,
    "auth-noissuer": auth_refusal,
    "auth-plainhttp": auth_refusal,
    "auth-badresource": auth_refusal,
    "auth-deepjson": auth_refusal,
    "auth-fickle": auth_refusal,
    "auth-noresource": auth_refusal,
    "auth-otherresource": auth_refusal,
    "auth-dpop": auth_refusal,
    "auth-endless": auth_endless,
    "auth-trickle": auth_trickle,
    "auth-noas": auth_refusal,
}


async def dispatch(request: Request) -> Response:
    token = request.path_params["token"]
    scenario = request.path_params["scenario"]
    body = await request.body()
    REQUEST_LOG[token].append(
        {
            "method": request.method,
            "scenario": scenario,
            "query": request.url.query,
            "headers": dict(request.headers),
            "body": body.decode(errors="replace"),
        }
    )
    handler = SCENARIOS.get(scenario)
    if handler is None:
        return PlainTextResponse("No such scenario", status_code=404)
    try:
        message = json.loads(body) if body else None
    except ValueError:
        return PlainTextResponse("Bad JSON", status_code=400)
    return await handler(request, token, message if isinstance(message, dict) else None)


async def request_log(request: Request) -> JSONResponse:
    return JSONResponse(REQUEST_LOG.get(request.path_params["token"], []))


async def healthz(_: Request) -> PlainTextResponse:
    return PlainTextResponse("ok")


app = Starlette(
    routes=[
        Route("/healthz", healthz),
        Route("/_log/{token}", request_log),
        Route("/.well-known/oauth-authorization-server", root_as_metadata),
        Route("/.well-known/oauth-authorization-server/{token}/{scenario}", as_metadata),
        Route("/{token}/{scenario}/token", token_endpoint, methods=["POST"]),
        Route("/{token}/{scenario}", dispatch, methods=["GET", "POST", "DELETE"]),
    ]
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--fd", type=int, required=True, help="an inherited listening socket")
    args = parser.parse_args()
    config = uvicorn.Config(app, log_level="warning", lifespan="off")
    uvicorn.Server(config).run(sockets=[socket.socket(fileno=args.fd)])


if __name__ == "__main__":
    main()
