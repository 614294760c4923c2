"""Real MCP servers over HTTP, built with the `mcp` package, in one uvicorn process.

Mounts (one server instance each, so their sessions are independent):

- `/stream/mcp`: Streamable HTTP, requests answered with SSE streams (the SDK default);
- `/json/mcp`: Streamable HTTP, requests answered with JSON bodies;
- `/resumable/mcp`: Streamable HTTP with an event store and `retry: 100`; the tool
  `interrupted` closes its own SSE stream mid-call, so the client must resume with GET and
  `Last-Event-ID` (2025-11-25 clients only: the SDK primes streams for those alone);
- `/legacy/sse`: the legacy HTTP+SSE transport; messages go to `/legacy/messages/`;
- `/modern/mcp`: the modern-era fixture of `modern_server.py` (it answers both eras);
- `/healthz`: answers 200 once the process serves.

Run by `tests/servers/http_harness.py` as `python http_mcp.py --fd N`, where N is a
listening socket inherited from the test process (so there is no race for the port).
"""

from __future__ import annotations

import argparse
import socket
import sys
import warnings
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path

import anyio
import uvicorn
from mcp.server.mcpserver import Context, MCPServer
from mcp.server.streamable_http import EventCallback, EventMessage, EventStore
from mcp.server.transport_security import TransportSecuritySettings
from mcp_types import JSONRPCMessage
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Mount, Route

# Run as a script, Python puts this directory on the path, not the repository's root.
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.servers.modern_server import build_server as build_modern_server

# The logging capability is deprecated for the 2026 era only; these servers speak 2025.
warnings.filterwarnings("ignore", category=DeprecationWarning)

SECURITY = TransportSecuritySettings(
    enable_dns_rebinding_protection=True,
    allowed_hosts=["127.0.0.1:*", "localhost:*"],
    allowed_origins=["http://127.0.0.1:*", "http://localhost:*"],
)


class MemoryEventStore(EventStore):
    """Every event of every stream, kept in order, for replay after a Last-Event-ID."""

    def __init__(self) -> None:
        self._events: list[tuple[str, str, JSONRPCMessage | None]] = []

    async def store_event(self, stream_id: str, message: JSONRPCMessage | None) -> str:
        event_id = f"{stream_id}/{len(self._events)}"
        self._events.append((event_id, stream_id, message))
        return event_id

    async def replay_events_after(
        self, last_event_id: str, send_callback: EventCallback
    ) -> str | None:
        positions = [
            i for i, (event_id, _, _) in enumerate(self._events) if event_id == last_event_id
        ]
        if not positions:
            return None
        stream_id = self._events[positions[0]][1]
        for event_id, stream, message in self._events[positions[0] + 1 :]:
            if stream == stream_id and message is not None:
                await send_callback(EventMessage(message, event_id))
        return stream_id


def build_server(name: str) -> MCPServer:
    server = MCPServer(name=name, version="1.0.0")

    @server.tool()
    def add(a: int, b: int) -> int:
        """Add two integers."""
        return a + b

    @server.tool()
    async def chatty(ctx: Context) -> str:
        """Log twice before answering, so the answer comes on an SSE stream after them."""
        await ctx.info("first log line")
        await ctx.info("second log line")
        return "done talking"

    @server.tool()
    async def wait(seconds: float) -> str:
        """Answer after the given time; over /json the POST has no status until then."""
        await anyio.sleep(seconds)
        return f"waited {seconds:g} s"

    @server.tool()
    async def interrupted(ctx: Context) -> str:
        """Close this request's SSE stream, then keep working and answer later."""
        await ctx.info("before the break")
        await ctx.close_sse_stream()
        await anyio.sleep(0.3)
        await ctx.info("after the break")
        return "answered after a break"

    return server


def build_app() -> Starlette:
    stream = build_server("fixture-http-stream").streamable_http_app(transport_security=SECURITY)
    json_app = build_server("fixture-http-json").streamable_http_app(
        json_response=True, transport_security=SECURITY
    )
    resumable = build_server("fixture-http-resumable").streamable_http_app(
        event_store=MemoryEventStore(), retry_interval=100, transport_security=SECURITY
    )
    legacy = build_server("fixture-http-legacy").sse_app(transport_security=SECURITY)
    modern = build_modern_server("fixture-http-modern").streamable_http_app(
        transport_security=SECURITY
    )
    mounted = {
        "/stream": stream,
        "/json": json_app,
        "/resumable": resumable,
        "/legacy": legacy,
        "/modern": modern,
    }

    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        # Mounted apps' lifespans do not run by themselves; their session managers need to.
        async with AsyncExitStack() as stack:
            for app in mounted.values():
                await stack.enter_async_context(app.router.lifespan_context(app))
            yield

    async def healthz(_: Request) -> PlainTextResponse:
        return PlainTextResponse("ok")

    routes: list[Route | Mount] = [Route("/healthz", healthz)]
    routes += [Mount(path, app=app) for path, app in mounted.items()]
    return Starlette(routes=routes, lifespan=lifespan)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--fd", type=int, required=True, help="an inherited listening socket")
    args = parser.parse_args()
    listener = socket.socket(fileno=args.fd)
    config = uvicorn.Config(build_app(), log_level="warning", lifespan="on")
    uvicorn.Server(config).run(sockets=[listener])


if __name__ == "__main__":
    main()
