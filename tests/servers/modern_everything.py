"""A server for the 2026-07-28 ("modern", stateless) era, on the `mcp` low-level API.

The SDK's low-level `Server` answers both eras: a first request carrying the modern
`_meta` envelope makes the connection modern, `initialize` makes it legacy. Everything
here is written for the modern era:

- tools: `add`; `regional_greeting`, whose `region` argument is mirrored into the
  `Mcp-Param-Region` header (`x-mcp-header`; over HTTP the SDK checks the header against
  the body and the tool says what header it saw); `bad_header`, whose `x-mcp-header` is
  not an RFC 9110 token, so a client MUST leave the tool out; `log` (a log message, sent
  only when the request opted in with a log level in `_meta`); `bump` (changes a resource
  and publishes `notifications/resources/updated`); `add_note` (a new resource and
  `notifications/resources/list_changed`); `count` (progress, cancellable);
- multi round-trip tools: `ask_llm` answers `input_required` with a sampling request,
  `collect_profile` with a form elicitation, and `ask_both` with both at once; the tool
  result arrives when the client retries with the answers (and the sealed request state);
- resources, a template with completions, and prompts (`greet`, and `confirm_greeting`
  which asks for an elicitation through `input_required` before it answers);
- `subscriptions/listen`: acknowledged first; a subscription to the counter changes it
  half a second later, so an update arrives without further action;
- caching hints (`ttlMs`, `cacheScope`) on every list and read result.

Over stdio by default; with `--fd N` (see `http_harness.py`) it serves Streamable HTTP at
`/mcp` on the inherited listening socket, with `/healthz` for readiness.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import socket
import warnings
from collections.abc import AsyncIterator, Coroutine, Mapping
from contextlib import asynccontextmanager
from typing import Any

import anyio
import mcp_types as types
import uvicorn
from mcp.server.caching import CacheHint
from mcp.server.context import HandlerResult, ServerRequestContext
from mcp.server.lowlevel import Server
from mcp.server.request_state import RequestStateBoundary, RequestStateSecurity
from mcp.server.stdio import stdio_server
from mcp.server.subscriptions import (
    InMemorySubscriptionBus,
    ListenHandler,
    ResourcesListChanged,
    ResourceUpdated,
)
from mcp.server.transport_security import TransportSecuritySettings
from mcp.shared.exceptions import MCPDeprecationWarning, MCPError
from pydantic import BaseModel
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Mount, Route

# Logging is deprecated by the same revision that makes it per request; the fixture uses it.
warnings.filterwarnings("ignore", category=MCPDeprecationWarning)

SERVER_NAME = "fixture-modern"
UPDATE_DELAY_SECONDS = 0.5
COUNTER_URI = "modern://counter"
NOTES_PREFIX = "modern://notes/"
ITEM_TEMPLATE = "modern://items/{category}/{id}"
CATEGORIES = {"books": ["b-1", "b-2"], "games": ["g-1"]}
CACHE_HINTS: dict[Any, CacheHint] = {
    "tools/list": CacheHint(ttl_ms=60_000, scope="public"),
    "prompts/list": CacheHint(ttl_ms=60_000, scope="public"),
    "resources/list": CacheHint(ttl_ms=30_000, scope="public"),
    "resources/templates/list": CacheHint(ttl_ms=300_000, scope="public"),
    "resources/read": CacheHint(ttl_ms=5_000, scope="private"),
}
SECURITY = TransportSecuritySettings(
    enable_dns_rebinding_protection=True,
    allowed_hosts=["127.0.0.1:*", "localhost:*"],
    allowed_origins=["http://127.0.0.1:*", "http://localhost:*"],
)
PROFILE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "name": {"type": "string", "title": "Your name", "minLength": 2, "default": "Ada"},
        "newsletter": {"type": "boolean", "title": "Newsletter", "default": False},
    },
    "required": ["name"],
}
EMPTY_SCHEMA: dict[str, Any] = {"type": "object", "properties": {}}


def _schema(properties: dict[str, Any], *required: str) -> dict[str, Any]:
    return {"type": "object", "properties": properties, "required": list(required)}


TOOLS: list[dict[str, Any]] = [
    {
        "name": "add",
        "title": "Add",
        "description": "Add two integers.",
        "inputSchema": _schema({"a": {"type": "integer"}, "b": {"type": "integer"}}, "a", "b"),
    },
    {
        "name": "regional_greeting",
        "description": "Greets in a region; the region travels in the Mcp-Param-Region header.",
        "inputSchema": _schema(
            {
                "region": {"type": "string", "x-mcp-header": "Region"},
                "name": {"type": "string"},
            },
            "region",
            "name",
        ),
    },
    {
        "name": "bad_header",
        "description": "Declares a header name that is not an HTTP token.",
        "inputSchema": _schema({"zone": {"type": "string", "x-mcp-header": "Bad Zone"}}),
    },
    {
        "name": "log",
        "description": "Sends a log message at a level (if the request asked for logs).",
        "inputSchema": _schema(
            {"level": {"type": "string"}, "message": {"type": "string"}}, "level", "message"
        ),
    },
    {
        "name": "bump",
        "description": "Change a resource; listeners subscribed to it hear about it.",
        "inputSchema": _schema({"uri": {"type": "string"}}),
    },
    {
        "name": "add_note",
        "description": "Add a note resource; the resource list changes.",
        "inputSchema": _schema({"text": {"type": "string"}}, "text"),
    },
    {
        "name": "count",
        "description": "Counts with progress; cancel it.",
        "inputSchema": _schema({"steps": {"type": "integer", "default": 5}}),
    },
    {
        "name": "ask_llm",
        "description": "Asks the client's model through input_required (sampling).",
        "inputSchema": _schema({"question": {"type": "string"}}),
    },
    {
        "name": "collect_profile",
        "description": "Asks the person for a profile through input_required (elicitation).",
        "inputSchema": EMPTY_SCHEMA,
    },
    {
        "name": "ask_both",
        "description": "Asks for a sampling and an elicitation in one round.",
        "inputSchema": EMPTY_SCHEMA,
    },
]

PROMPTS: list[dict[str, Any]] = [
    {
        "name": "greet",
        "title": "Greeting",
        "description": "Greet someone.",
        "arguments": [
            {"name": "name", "description": "Who to greet.", "required": True},
            {"name": "style", "description": "formal or casual", "required": False},
        ],
    },
    {
        "name": "confirm_greeting",
        "description": "Asks the person (input_required) who to greet, then greets.",
    },
]

TEMPLATES: list[dict[str, Any]] = [
    {
        "uriTemplate": ITEM_TEMPLATE,
        "name": "item",
        "title": "Catalog item",
        "mimeType": "text/plain",
    }
]


class State:
    def __init__(self) -> None:
        self.counter = 0
        self.notes: list[str] = []
        self.bus = InMemorySubscriptionBus()
        self.listen = ListenHandler(self.bus)
        # Strong references: a task nobody holds may be collected before it runs.
        self.tasks: set[asyncio.Task[None]] = set()

    def spawn(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(work)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    def resources(self) -> list[dict[str, Any]]:
        listed: list[dict[str, Any]] = [
            {
                "uri": "modern://hello",
                "name": "hello",
                "title": "Hello",
                "mimeType": "text/plain",
            },
            {"uri": "modern://config.json", "name": "config", "mimeType": "application/json"},
            {
                "uri": COUNTER_URI,
                "name": "counter",
                "title": "Counter",
                "description": "Changes after a subscription, and whenever bump is called.",
                "mimeType": "text/plain",
            },
        ]
        listed += [
            {"uri": f"{NOTES_PREFIX}{n}", "name": f"note {n}", "mimeType": "text/plain"}
            for n in range(1, len(self.notes) + 1)
        ]
        return listed

    def contents(self, uri: str) -> dict[str, Any]:
        if uri == "modern://hello":
            return {"uri": uri, "mimeType": "text/plain", "text": "Hello from the modern era."}
        if uri == "modern://config.json":
            return {"uri": uri, "mimeType": "application/json", "text": json.dumps({"era": 2026})}
        if uri == COUNTER_URI:
            return {"uri": uri, "mimeType": "text/plain", "text": f"count: {self.counter}"}
        if uri.startswith(NOTES_PREFIX):
            index = uri.removeprefix(NOTES_PREFIX)
            if index.isdigit() and 1 <= int(index) <= len(self.notes):
                return {"uri": uri, "mimeType": "text/plain", "text": self.notes[int(index) - 1]}
        if uri.startswith("modern://items/"):
            category, _, item = uri.removeprefix("modern://items/").partition("/")
            return {"uri": uri, "mimeType": "text/plain", "text": f"Item {item} of {category}"}
        # 2026-07-28 reports an unknown resource as invalid params (no more -32002).
        raise MCPError(code=types.INVALID_PARAMS, message=f"Resource not found: {uri}")

    async def change(self, uri: str) -> None:
        if uri == COUNTER_URI:
            self.counter += 1
        await self.bus.publish(ResourceUpdated(uri=uri))


STATE = State()


def final(result: dict[str, Any]) -> dict[str, Any]:
    """A final result: the 2026-07-28 schema requires `resultType` on every result."""
    return {"resultType": "complete", **result}


def text_result(text: str, *, is_error: bool = False) -> dict[str, Any]:
    return final({"content": [{"type": "text", "text": text}], "isError": is_error})


def input_required(requests: dict[str, Any], state: str) -> dict[str, Any]:
    return {"resultType": "input_required", "inputRequests": requests, "requestState": state}


def sampling_request(question: str) -> dict[str, Any]:
    return {
        "method": "sampling/createMessage",
        "params": {
            "messages": [{"role": "user", "content": {"type": "text", "text": question}}],
            "systemPrompt": "You are a careful assistant.",
            "maxTokens": 200,
        },
    }


def elicitation_request(message: str) -> dict[str, Any]:
    return {
        "method": "elicitation/create",
        "params": {"mode": "form", "message": message, "requestedSchema": PROFILE_SCHEMA},
    }


def responses_of(ctx: ServerRequestContext[Any, Any]) -> Mapping[str, Any]:
    """The client's answers to the previous round, as sent (keys are ours)."""
    answers = (ctx.params or {}).get("inputResponses")
    return answers if isinstance(answers, Mapping) else {}


def require_capability(ctx: ServerRequestContext[Any, Any], name: str) -> None:
    """A server may only ask for what the client declared on this very request."""
    declared = ctx.session.client_capabilities
    if declared is None or getattr(declared, name) is None:
        raise MCPError(
            code=types.MISSING_REQUIRED_CLIENT_CAPABILITY,
            message=f"This tool needs the client capability {name!r}",
            data={"requiredCapabilities": {name: {}}},
        )


def describe_sampling(answer: Any) -> str:
    if not isinstance(answer, Mapping):
        return f"no sampling answer: {answer!r}"
    content = answer.get("content")
    blocks = content if isinstance(content, list) else [content]
    words = " ".join(
        str(block.get("text")) if isinstance(block, Mapping) and "text" in block else "<media>"
        for block in blocks
    )
    return f"{answer.get('role')} said {words!r} (model {answer.get('model')})"


def describe_elicitation(answer: Any) -> str:
    if not isinstance(answer, Mapping):
        return f"no elicitation answer: {answer!r}"
    return json.dumps({"action": answer.get("action"), "content": answer.get("content")})


async def list_tools(
    ctx: ServerRequestContext[Any, Any], params: types.PaginatedRequestParams | None
) -> HandlerResult:
    return final({"tools": TOOLS})


async def call_tool(
    ctx: ServerRequestContext[Any, Any], params: types.CallToolRequestParams
) -> HandlerResult:
    arguments = params.arguments or {}
    name = params.name
    if name == "add":
        return text_result(str(int(arguments["a"]) + int(arguments["b"])))
    if name == "regional_greeting":
        request = ctx.request
        seen = request.headers.get("mcp-param-region") if isinstance(request, Request) else None
        heard = f" (header Mcp-Param-Region: {seen})" if seen is not None else ""
        return text_result(f"Hello {arguments['name']}, from {arguments['region']}{heard}")
    if name == "bad_header":
        return text_result("a client should never have called this")
    if name == "log":
        level = str(arguments["level"])
        await ctx.session.send_log_message(level, arguments["message"], logger="fixture")  # type: ignore[arg-type]
        return text_result(f"logged at {level}")
    if name == "bump":
        uri = str(arguments.get("uri") or COUNTER_URI)
        await STATE.change(uri)
        return text_result(f"changed {uri}")
    if name == "add_note":
        STATE.notes.append(str(arguments["text"]))
        await STATE.bus.publish(ResourcesListChanged())
        return text_result(f"added {NOTES_PREFIX}{len(STATE.notes)}")
    if name == "count":
        return await count(ctx, int(arguments.get("steps", 5)))
    if name == "ask_llm":
        require_capability(ctx, "sampling")
        answers = responses_of(ctx)
        if "llm" not in answers:
            question = str(arguments.get("question") or "What is MCP?")
            return input_required({"llm": sampling_request(question)}, "ask_llm:1")
        return text_result(describe_sampling(answers["llm"]))
    if name == "collect_profile":
        require_capability(ctx, "elicitation")
        answers = responses_of(ctx)
        if "profile" not in answers:
            request = elicitation_request("Tell us about yourself.")
            return input_required({"profile": request}, "collect_profile:1")
        return text_result(describe_elicitation(answers["profile"]))
    if name == "ask_both":
        require_capability(ctx, "sampling")
        require_capability(ctx, "elicitation")
        answers = responses_of(ctx)
        missing = {
            key: request
            for key, request in (
                ("llm", sampling_request("Name a colour.")),
                ("profile", elicitation_request("And who are you?")),
            )
            if key not in answers
        }
        if missing:
            return input_required(missing, "ask_both:1")
        both = f"{describe_sampling(answers['llm'])}; {describe_elicitation(answers['profile'])}"
        return text_result(both)
    raise MCPError(code=types.INVALID_PARAMS, message=f"Unknown tool {name!r}")


async def count(ctx: ServerRequestContext[Any, Any], steps: int) -> HandlerResult:
    meta = ctx.meta or {}
    token = meta.get("progressToken", meta.get("progress_token"))
    for step in range(1, steps + 1):
        if isinstance(token, str | int):
            await ctx.session.send_progress_notification(token, step, steps, f"step {step}")
        await anyio.sleep(0.4)
    return text_result(f"counted to {steps}")


async def list_resources(
    ctx: ServerRequestContext[Any, Any], params: types.PaginatedRequestParams | None
) -> HandlerResult:
    return final({"resources": STATE.resources()})


async def list_templates(
    ctx: ServerRequestContext[Any, Any], params: types.PaginatedRequestParams | None
) -> HandlerResult:
    return final({"resourceTemplates": TEMPLATES})


async def read_resource(
    ctx: ServerRequestContext[Any, Any], params: types.ReadResourceRequestParams
) -> HandlerResult:
    return final({"contents": [STATE.contents(str(params.uri))]})


async def listen(
    ctx: ServerRequestContext[Any, Any], params: types.SubscriptionsListenRequestParams
) -> types.SubscriptionsListenResult:
    """The SDK's listen handler, plus a change to the counter shortly after someone
    subscribes to it (so a test sees an update without calling anything)."""
    if COUNTER_URI in (params.notifications.resource_subscriptions or ()):
        STATE.spawn(change_later(COUNTER_URI))
    return await STATE.listen(ctx, params)


async def change_later(uri: str) -> None:
    await anyio.sleep(UPDATE_DELAY_SECONDS)
    await STATE.change(uri)


async def list_prompts(
    ctx: ServerRequestContext[Any, Any], params: types.PaginatedRequestParams | None
) -> HandlerResult:
    return final({"prompts": PROMPTS})


async def get_prompt(
    ctx: ServerRequestContext[Any, Any], params: types.GetPromptRequestParams
) -> HandlerResult:
    arguments = params.arguments or {}
    if params.name == "greet":
        if not arguments.get("name"):
            raise MCPError(code=types.INVALID_PARAMS, message="Missing argument: name")
        style = arguments.get("style") or "casual"
        text = f"Say hello to {arguments['name']} in a {style} way."
        return final(
            {
                "description": "A greeting",
                "messages": [{"role": "user", "content": {"type": "text", "text": text}}],
            }
        )
    if params.name == "confirm_greeting":
        require_capability(ctx, "elicitation")
        answer = responses_of(ctx).get("who")
        if not isinstance(answer, Mapping):
            return input_required({"who": elicitation_request("Who should be greeted?")}, "who:1")
        content = answer.get("content") if answer.get("action") == "accept" else None
        who = content.get("name") if isinstance(content, Mapping) else "nobody"
        text = f"Say hello to {who}."
        return final({"messages": [{"role": "user", "content": {"type": "text", "text": text}}]})
    raise MCPError(code=types.INVALID_PARAMS, message=f"Unknown prompt {params.name!r}")


async def complete(
    ctx: ServerRequestContext[Any, Any], params: types.CompleteRequestParams
) -> HandlerResult:
    values: list[str] = []
    if params.argument.name == "category":
        values = sorted(CATEGORIES)
    elif params.argument.name == "id":
        known = (params.context.arguments if params.context else None) or {}
        values = CATEGORIES.get(known.get("category", ""), [])
    found = [value for value in values if value.startswith(params.argument.value)]
    return final({"completion": {"values": found, "total": len(found), "hasMore": False}})


def build() -> Server[Any]:
    server: Server[Any] = Server(
        SERVER_NAME,
        version="2.0.0",
        title="Fixture Modern",
        instructions="A 2026-07-28 server: listen for changes, answer input_required rounds.",
        cache_hints=CACHE_HINTS,
        on_subscriptions_listen=listen,
    )
    # Handlers answer with wire-shaped dicts, so the JSON on the wire is exactly what is here.
    handlers: list[tuple[str, type[BaseModel], Any]] = [
        ("tools/list", types.PaginatedRequestParams, list_tools),
        ("tools/call", types.CallToolRequestParams, call_tool),
        ("resources/list", types.PaginatedRequestParams, list_resources),
        ("resources/templates/list", types.PaginatedRequestParams, list_templates),
        ("resources/read", types.ReadResourceRequestParams, read_resource),
        ("prompts/list", types.PaginatedRequestParams, list_prompts),
        ("prompts/get", types.GetPromptRequestParams, get_prompt),
        ("completion/complete", types.CompleteRequestParams, complete),
    ]
    for method, params_type, handler in handlers:
        server.add_request_handler(method, params_type, handler)
    # `requestState` comes back from the client: sealed on the way out, checked on the way in.
    boundary = RequestStateBoundary(RequestStateSecurity.ephemeral(), default_audience=SERVER_NAME)
    server.middleware.append(boundary)
    return server


async def serve_stdio() -> None:
    server = build()
    async with stdio_server() as (read_stream, write_stream):
        await server.run(read_stream, write_stream, server.create_initialization_options())


def http_app() -> Starlette:
    mcp_app = build().streamable_http_app(streamable_http_path="/mcp", transport_security=SECURITY)

    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        # A mounted app's lifespan does not run by itself; its session manager needs it.
        async with mcp_app.router.lifespan_context(mcp_app):
            yield

    async def healthz(_: Request) -> PlainTextResponse:
        return PlainTextResponse("ok")

    return Starlette(
        routes=[Route("/healthz", healthz), Mount("/", app=mcp_app)], lifespan=lifespan
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--fd", type=int, help="serve Streamable HTTP on this inherited socket")
    args = parser.parse_args()
    if args.fd is None:
        anyio.run(serve_stdio)
        return
    listener = socket.socket(fileno=args.fd)
    config = uvicorn.Config(http_app(), log_level="warning", lifespan="on")
    uvicorn.Server(config).run(sockets=[listener])


if __name__ == "__main__":
    main()
