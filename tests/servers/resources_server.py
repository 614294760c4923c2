"""A stdio server for the Resources and Prompts tabs, on the `mcp` package's low-level API.

The low-level `Server` is used because the high-level one pages nothing, completes
nothing and has no subscriptions. What it offers:

- resources, listed `PAGE_SIZE` at a time behind an opaque cursor, so that a listing has
  more than one page: plain text, JSON, Markdown with script and a `javascript:` link in
  it (which must stay inert), a PNG, a WAV, a binary blob, a counter that changes, and one
  whose read answers with a malformed result;
- templates with variables, and completions for them (`category` from a fixed list, `id`
  from the category already chosen, given in `context.arguments`);
- subscriptions: subscribing to the counter changes it half a second later, and the tool
  `bump` changes any subscribed resource, each followed by `notifications/resources/updated`;
- prompts with required and optional arguments and completions, one answering with
  text, image, audio, embedded resource and resource link messages, one malformed;
- slowness: `fixture://slow` answers after ten silent seconds; `fixture://slow/progress`
  and the prompt `slow` take `PROGRESS_STEPS` steps, reporting progress after each, so
  that they can be watched and cancelled (neither is in the resource listing).

Handlers answer with wire-shaped dicts, so the JSON on the wire is exactly what is here;
the SDK still checks them against the negotiated version. A middleware answers the two
malformed requests itself, which skips that check.
"""

from __future__ import annotations

import asyncio
import base64
import io
import json
import math
import re
import struct
import sys
import wave
import zlib
from collections.abc import Coroutine
from typing import Any

import anyio
import mcp_types as types
from mcp.server.context import CallNext, HandlerResult, ServerRequestContext
from mcp.server.lowlevel import NotificationOptions, Server
from mcp.server.stdio import stdio_server
from mcp.shared.exceptions import MCPError
from pydantic import BaseModel

PAGE_SIZE = 5
UPDATE_DELAY_SECONDS = 0.5
COUNTER_URI = "fixture://counter"
MALFORMED_URI = "fixture://malformed"
SLOW_URI = "fixture://slow"
SLOW_SECONDS = 10
PROGRESS_URI = "fixture://slow/progress"
PROGRESS_STEPS = 40
PROGRESS_STEP_SECONDS = 0.25
ITEM_TEMPLATE = "fixture://items/{category}/{id}"
SEARCH_TEMPLATE = "fixture://search{?q,limit}"
CATEGORIES = {"books": ["b-100", "b-101", "b-200"], "games": ["g-1", "g-2"], "music": ["m-7"]}
NAMES = ["Ada", "Alan", "Alonzo", "Barbara", "Grace", "Edsger"]
STYLES = ["formal", "casual", "pirate"]
COMPLETION_LIMIT = 3
ALL_IDS = [item for items in CATEGORIES.values() for item in items]
MARKDOWN = """# Read me

Some **bold** text, a [safe link](https://example.com/docs) and a
[dangerous link](javascript:document.body.dataset.pwned='link').

<script>document.body.dataset.pwned = "script"; alert("pwned")</script>

<img src="x" onerror="document.body.dataset.pwned='img'">

| column | value |
| --- | --- |
| a | 1 |
"""
ICON_HTTPS = {"src": "https://example.com/icon.png", "mimeType": "image/png"}
ICON_SCRIPT = {"src": "javascript:alert('icon')", "mimeType": "image/png"}


def png_pixel() -> bytes:
    """A 2x2 red PNG, built here so the fixture needs no image library."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0)
    rows = b"".join(b"\x00" + b"\xff\x00\x00" * 2 for _ in range(2))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def wav_tone() -> bytes:
    """A tenth of a second of a 440 Hz tone."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(8000)
        frames = (
            struct.pack("<h", int(8000 * math.sin(2 * math.pi * 440 * i / 8000)))
            for i in range(800)
        )
        out.writeframes(b"".join(frames))
    return buffer.getvalue()


PNG = base64.b64encode(png_pixel()).decode()
WAV = base64.b64encode(wav_tone()).decode()
BINARY = base64.b64encode(bytes(range(256))).decode()

RESOURCES: list[dict[str, Any]] = [
    {
        "uri": "fixture://text/plain",
        "name": "plain",
        "title": "Plain text",
        "description": "A line of plain text.",
        "mimeType": "text/plain",
        "icons": [ICON_HTTPS, ICON_SCRIPT],
    },
    {
        "uri": "fixture://data/config.json",
        "name": "config",
        "description": "Settings as JSON.",
        "mimeType": "application/json",
        "annotations": {
            "audience": ["user", "assistant"],
            "priority": 0.8,
            "lastModified": "2025-05-01T12:00:00Z",
        },
        "_meta": {"example.com/owner": "fixtures"},
    },
    {
        "uri": "fixture://docs/readme.md",
        "name": "readme",
        "title": "Read me",
        "mimeType": "text/markdown",
        "size": len(MARKDOWN.encode()),
    },
    {"uri": "fixture://images/pixel.png", "name": "pixel", "mimeType": "image/png"},
    {"uri": "fixture://audio/tone.wav", "name": "tone", "mimeType": "audio/wav"},
    {"uri": "fixture://binary/data.bin", "name": "bytes", "mimeType": "application/octet-stream"},
    {
        "uri": COUNTER_URI,
        "name": "counter",
        "title": "Counter",
        "description": "Changes after a subscription, and whenever the tool bump is called.",
        "mimeType": "text/plain",
    },
    {"uri": MALFORMED_URI, "name": "malformed", "title": "Malformed answer"},
]

TEMPLATES: list[dict[str, Any]] = [
    {
        "uriTemplate": ITEM_TEMPLATE,
        "name": "item",
        "title": "Catalog item",
        "description": "An item of a category.",
        "mimeType": "text/plain",
    },
    {"uriTemplate": SEARCH_TEMPLATE, "name": "search", "mimeType": "application/json"},
]

PROMPTS: list[dict[str, Any]] = [
    {
        "name": "greet",
        "title": "Greeting",
        "description": "Greet someone.",
        "arguments": [
            {
                "name": "name",
                "title": "Your name",
                "description": "Who to greet.",
                "required": True,
            },
            {"name": "style", "description": "formal, casual or pirate", "required": False},
        ],
    },
    {
        "name": "showcase",
        "description": "Messages with every kind of content.",
        "arguments": [{"name": "topic", "required": True}],
        "_meta": {"example.com/kind": "demo"},
    },
    {"name": "malformed", "title": "Malformed answer"},
    {
        "name": "slow",
        "title": "Slow prompt",
        "description": "Takes its time, reporting progress; cancel it.",
    },
]


class State:
    def __init__(self) -> None:
        self.counter = 0
        self.subscribed: set[str] = set()
        # Strong references: a task nobody holds may be collected before it runs.
        self.tasks: set[asyncio.Task[None]] = set()

    def spawn(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(work)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)


STATE = State()


def page(items: list[dict[str, Any]], key: str, cursor: str | None) -> dict[str, Any]:
    start = 0
    if cursor:
        match = re.fullmatch(r"after-(\d+)", cursor)
        if match is None:
            raise MCPError(code=types.INVALID_PARAMS, message=f"Invalid cursor {cursor!r}")
        start = int(match.group(1))
    result: dict[str, Any] = {key: items[start : start + PAGE_SIZE]}
    if start + PAGE_SIZE < len(items):
        result["nextCursor"] = f"after-{start + PAGE_SIZE}"
    return result


def cursor_of(params: types.PaginatedRequestParams | None) -> str | None:
    return params.cursor if params else None


async def list_resources(
    ctx: ServerRequestContext[Any, Any], params: types.PaginatedRequestParams | None
) -> HandlerResult:
    return page(RESOURCES, "resources", cursor_of(params))


async def list_templates(
    ctx: ServerRequestContext[Any, Any], params: types.PaginatedRequestParams | None
) -> HandlerResult:
    return page(TEMPLATES, "resourceTemplates", cursor_of(params))


def contents_of(uri: str) -> dict[str, Any]:
    fixed: dict[str, dict[str, Any]] = {
        "fixture://text/plain": {"mimeType": "text/plain", "text": "Plain text from the fixture."},
        "fixture://data/config.json": {
            "mimeType": "application/json",
            "text": json.dumps({"name": "fixture", "items": [1, 2, 3]}),
        },
        "fixture://docs/readme.md": {"mimeType": "text/markdown", "text": MARKDOWN},
        "fixture://images/pixel.png": {"mimeType": "image/png", "blob": PNG},
        "fixture://audio/tone.wav": {"mimeType": "audio/wav", "blob": WAV},
        "fixture://binary/data.bin": {"mimeType": "application/octet-stream", "blob": BINARY},
        COUNTER_URI: {"mimeType": "text/plain", "text": f"count: {STATE.counter}"},
        SLOW_URI: {"mimeType": "text/plain", "text": "At last."},
        PROGRESS_URI: {"mimeType": "text/plain", "text": "All steps done."},
    }
    if uri in fixed:
        return {"uri": uri, **fixed[uri]}
    item = re.fullmatch(r"fixture://items/([^/]+)/([^/]+)", uri)
    if item:
        return {"uri": uri, "mimeType": "text/plain", "text": f"Item {item[2]} of {item[1]}"}
    if uri.startswith("fixture://search"):
        return {"uri": uri, "mimeType": "application/json", "text": json.dumps({"query": uri})}
    raise MCPError(code=-32002, message=f"Resource not found: {uri}", data={"uri": uri})


async def with_progress(ctx: ServerRequestContext[Any, Any], what: str) -> None:
    """Work in steps, telling the client after each one when it gave a progress token."""
    meta = ctx.meta or {}
    token = meta.get("progressToken", meta.get("progress_token"))
    for step in range(1, PROGRESS_STEPS + 1):
        if isinstance(token, str | int):
            await ctx.session.send_progress_notification(
                token, step, PROGRESS_STEPS, f"{what} step {step}"
            )
        await anyio.sleep(PROGRESS_STEP_SECONDS)


async def read_resource(
    ctx: ServerRequestContext[Any, Any], params: types.ReadResourceRequestParams
) -> HandlerResult:
    if str(params.uri) == SLOW_URI:
        # Unlisted: for a client whose request timeout is shorter than this.
        await anyio.sleep(SLOW_SECONDS)
    if str(params.uri) == PROGRESS_URI:
        await with_progress(ctx, "reading")
    return {"contents": [contents_of(str(params.uri))]}


async def subscribe(
    ctx: ServerRequestContext[Any, Any], params: types.SubscribeRequestParams
) -> HandlerResult:
    uri = str(params.uri)
    STATE.subscribed.add(uri)
    if uri == COUNTER_URI:
        STATE.spawn(change_later(ctx, uri))
    return {}


async def unsubscribe(
    ctx: ServerRequestContext[Any, Any], params: types.UnsubscribeRequestParams
) -> HandlerResult:
    STATE.subscribed.discard(str(params.uri))
    return {}


async def change_later(ctx: ServerRequestContext[Any, Any], uri: str) -> None:
    await anyio.sleep(UPDATE_DELAY_SECONDS)
    await change(ctx, uri)


async def change(ctx: ServerRequestContext[Any, Any], uri: str) -> None:
    if uri == COUNTER_URI:
        STATE.counter += 1
    if uri in STATE.subscribed:
        await ctx.session.send_resource_updated(uri)


async def list_tools(
    ctx: ServerRequestContext[Any, Any], params: types.PaginatedRequestParams | None
) -> HandlerResult:
    schema = {"type": "object", "properties": {"uri": {"type": "string"}}}
    tool = {"name": "bump", "description": "Change a resource.", "inputSchema": schema}
    return {"tools": [tool]}


async def call_tool(
    ctx: ServerRequestContext[Any, Any], params: types.CallToolRequestParams
) -> HandlerResult:
    if params.name != "bump":
        raise MCPError(code=types.INVALID_PARAMS, message=f"Unknown tool {params.name!r}")
    uri = str((params.arguments or {}).get("uri") or COUNTER_URI)
    await change(ctx, uri)
    return {"content": [{"type": "text", "text": f"changed {uri}"}]}


async def list_prompts(
    ctx: ServerRequestContext[Any, Any], params: types.PaginatedRequestParams | None
) -> HandlerResult:
    return page(PROMPTS, "prompts", cursor_of(params))


async def get_prompt(
    ctx: ServerRequestContext[Any, Any], params: types.GetPromptRequestParams
) -> HandlerResult:
    arguments = params.arguments or {}
    if params.name == "greet":
        if not arguments.get("name"):
            raise MCPError(code=types.INVALID_PARAMS, message="Missing argument: name")
        style = arguments.get("style") or "casual"
        text = f"Say hello to {arguments['name']} in a {style} way."
        return {
            "description": "A greeting",
            "messages": [{"role": "user", "content": {"type": "text", "text": text}}],
        }
    if params.name == "showcase":
        topic = arguments.get("topic", "")
        return {
            "description": f"Everything about {topic}",
            "messages": [
                {"role": "user", "content": {"type": "text", "text": f"Tell me about {topic}."}},
                {
                    "role": "user",
                    "content": {"type": "image", "data": PNG, "mimeType": "image/png"},
                },
                {
                    "role": "user",
                    "content": {"type": "audio", "data": WAV, "mimeType": "audio/wav"},
                },
                {
                    "role": "assistant",
                    "content": {
                        "type": "resource",
                        "resource": {
                            "uri": "fixture://docs/readme.md",
                            "mimeType": "text/markdown",
                            "text": MARKDOWN,
                        },
                        "annotations": {"audience": ["user"], "priority": 0.5},
                    },
                },
                {
                    "role": "assistant",
                    "content": {
                        "type": "resource_link",
                        "uri": "fixture://text/plain",
                        "name": "plain",
                        "mimeType": "text/plain",
                    },
                },
            ],
        }
    if params.name == "slow":
        await with_progress(ctx, "writing")
        text = "Written slowly."
        return {"messages": [{"role": "user", "content": {"type": "text", "text": text}}]}
    raise MCPError(code=types.INVALID_PARAMS, message=f"Unknown prompt {params.name!r}")


def _matching(values: list[str], prefix: str) -> dict[str, Any]:
    found = [value for value in values if value.lower().startswith(prefix.lower())]
    shown = found[:COMPLETION_LIMIT]
    return {
        "completion": {"values": shown, "total": len(found), "hasMore": len(found) > len(shown)}
    }


async def complete(
    ctx: ServerRequestContext[Any, Any], params: types.CompleteRequestParams
) -> HandlerResult:
    ref = params.ref
    name = params.argument.name
    known = (params.context.arguments if params.context else None) or {}
    values: list[str] = []
    if isinstance(ref, types.PromptReference):
        values = {"name": NAMES, "style": STYLES, "topic": ["cats", "compilers"]}.get(name, [])
    elif isinstance(ref, types.ResourceTemplateReference) and ref.uri == ITEM_TEMPLATE:
        if name == "category":
            values = sorted(CATEGORIES)
        elif name == "id":
            # Without the category (an old client sends no context) every id is offered.
            category = known.get("category")
            values = CATEGORIES.get(category, []) if category else ALL_IDS
    return _matching(values, params.argument.value)


class Malformed:
    """Answers two requests with results no version allows, as broken servers do."""

    async def __call__(self, ctx: ServerRequestContext[Any, Any], call_next: CallNext) -> Any:
        params = ctx.params or {}
        if ctx.method == "resources/read" and params.get("uri") == MALFORMED_URI:
            return {"contents": "not a list"}
        if ctx.method == "prompts/get" and params.get("name") == "malformed":
            return {
                "messages": [
                    {"content": {"type": "text", "text": "A message without a role."}},
                    "not a message",
                    {"role": "assistant"},
                    {"role": "user", "content": {"type": "mystery", "value": 1}},
                ]
            }
        return await call_next(ctx)


def build(without: frozenset[str] = frozenset()) -> Server[Any]:
    server: Server[Any] = Server(
        "fixture-resources",
        version="0.1.0",
        title="Fixture Resources",
        instructions="Resources, templates, subscriptions, prompts and completions.",
    )
    handlers: list[tuple[str, type[BaseModel], Any]] = [
        ("resources/list", types.PaginatedRequestParams, list_resources),
        ("resources/templates/list", types.PaginatedRequestParams, list_templates),
        ("resources/read", types.ReadResourceRequestParams, read_resource),
        ("resources/subscribe", types.SubscribeRequestParams, subscribe),
        ("resources/unsubscribe", types.UnsubscribeRequestParams, unsubscribe),
        ("prompts/list", types.PaginatedRequestParams, list_prompts),
        ("prompts/get", types.GetPromptRequestParams, get_prompt),
        ("completion/complete", types.CompleteRequestParams, complete),
        ("tools/list", types.PaginatedRequestParams, list_tools),
        ("tools/call", types.CallToolRequestParams, call_tool),
    ]
    for method, params_type, handler in handlers:
        if method not in without:
            server.add_request_handler(method, params_type, handler)
    server.middleware.insert(0, Malformed())
    return server


async def main(without: frozenset[str]) -> None:
    server = build(without)
    options = server.create_initialization_options(NotificationOptions(resources_changed=True))
    async with stdio_server() as (read_stream, write_stream):
        await server.run(read_stream, write_stream, options)


if __name__ == "__main__":
    # `--without completion/complete` (repeatable) leaves a method, and its capability, out.
    args = sys.argv[1:]
    dropped = frozenset(args[i + 1] for i, arg in enumerate(args[:-1]) if arg == "--without")
    print("fixture-resources starting", file=sys.stderr)
    anyio.run(main, dropped)
