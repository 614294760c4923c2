"""A stdio server of tools that exercise the Tools tab, built on the `mcp` low-level API
so that every schema, result and notification is exactly what the test needs:

- `create_user`: nested object through `$ref`, an array, titled enum, nullable integer,
  formats, defaults, and an outputSchema it honours;
- `bad_report` and `missing_structure`: structured content that breaks its outputSchema,
  and one that is missing;
- `failing` (isError), `media` (image, audio, resource link, embedded resource),
  `big_text` (a result of any size), `slow` (progress; cancellable), `log` (a log
  message), `mutate` (the tool list changes), `legacy_form` (draft-07, enumNames);
- `filler_NN` tools so that the list comes in two pages.
"""

from __future__ import annotations

import base64
import json
from typing import Any

import anyio
from mcp import types
from mcp.server.lowlevel.server import Server
from mcp.server.stdio import stdio_server

PAGE_SIZE = 10
PNG_1PX = (
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQ"
    "AAAABJRU5ErkJggg=="
)
WAV_SILENCE = base64.b64encode(
    b"RIFF$\x00\x00\x00WAVEfmt \x10\x00\x00\x00\x01\x00\x01\x00@\x1f\x00\x00\x80>\x00\x00"
    b"\x02\x00\x10\x00data\x00\x00\x00\x00"
).decode()

USER_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "properties": {
        "name": {"type": "string", "title": "Full name", "minLength": 2},
        "email": {"type": "string", "format": "email", "description": "Where to write to"},
        "age": {"type": ["integer", "null"], "minimum": 0},
        "role": {
            "oneOf": [
                {"const": "admin", "title": "Administrator"},
                {"const": "viewer", "title": "Viewer"},
            ],
            "default": "viewer",
        },
        "address": {"$ref": "#/$defs/Address"},
        "tags": {"type": "array", "items": {"type": "string"}},
        "active": {"type": "boolean", "default": True},
    },
    "required": ["name", "address"],
    "$defs": {
        "Address": {
            "type": "object",
            "properties": {
                "street": {"type": "string"},
                "city": {"type": "string"},
            },
            "required": ["city"],
        }
    },
}
USER_OUTPUT: dict[str, Any] = {
    "type": "object",
    "properties": {"id": {"type": "integer"}, "name": {"type": "string"}},
    "required": ["id", "name"],
}
REPORT_OUTPUT: dict[str, Any] = {
    "type": "object",
    "properties": {"count": {"type": "integer"}},
    "required": ["count"],
}
LEGACY_SCHEMA: dict[str, Any] = {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "type": "object",
    "properties": {
        "size": {
            "type": "string",
            "enum": ["s", "m", "l"],
            "enumNames": ["Small", "Medium", "Large"],
        }
    },
    "required": ["size"],
}


def _tool(name: str, description: str, schema: dict[str, Any], **extra: Any) -> types.Tool:
    return types.Tool(name=name, description=description, input_schema=schema, **extra)


def _number_schema(*names: str) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {name: {"type": "integer"} for name in names},
        "required": list(names),
    }


def all_tools(mutated: bool) -> list[types.Tool]:
    tools = [
        _tool(
            "create_user",
            "Create a user from a nested form.",
            USER_SCHEMA,
            title="Create user",
            output_schema=USER_OUTPUT,
            annotations=types.ToolAnnotations(read_only_hint=False, destructive_hint=False),
        ),
        _tool(
            "bad_report",
            "Structured content that breaks its schema.",
            {"type": "object"},
            output_schema=REPORT_OUTPUT,
        ),
        _tool(
            "missing_structure",
            "Declares an outputSchema, returns none.",
            {"type": "object"},
            output_schema=REPORT_OUTPUT,
        ),
        _tool("failing", "Always reports a tool error.", {"type": "object"}),
        _tool(
            "media", "Image, audio, a resource link and an embedded resource.", {"type": "object"}
        ),
        _tool("big_text", "A text result of the given size.", _number_schema("size")),
        _tool("slow", "Counts up with progress; cancel it.", _number_schema("steps")),
        _tool(
            "log",
            "Sends a log message.",
            {
                "type": "object",
                "properties": {"level": {"type": "string"}, "message": {"type": "string"}},
                "required": ["level", "message"],
            },
        ),
        _tool("mutate", "Adds a tool and says the list changed.", {"type": "object"}),
        _tool("legacy_form", "A draft-07 schema with enumNames.", LEGACY_SCHEMA),
        _tool(
            "wipe",
            "Deletes everything (pretend).",
            {"type": "object"},
            annotations=types.ToolAnnotations(title="Wipe all data", destructive_hint=True),
        ),
    ]
    tools += [_tool(f"filler_{n:02d}", "A filler tool.", {"type": "object"}) for n in range(1, 5)]
    if mutated:
        tools.append(_tool("added_later", "Appeared after mutate.", {"type": "object"}))
    return tools


def make_server() -> Server[Any]:
    state = {"mutated": False}

    async def list_tools(
        ctx: Any, params: types.PaginatedRequestParams | None
    ) -> types.ListToolsResult:
        tools = all_tools(state["mutated"])
        start = int(params.cursor) if params is not None and params.cursor else 0
        page = tools[start : start + PAGE_SIZE]
        more = start + PAGE_SIZE < len(tools)
        return types.ListToolsResult(
            tools=page, next_cursor=str(start + PAGE_SIZE) if more else None
        )

    async def call_tool(ctx: Any, params: types.CallToolRequestParams) -> types.CallToolResult:
        arguments = params.arguments or {}
        name = params.name
        if name == "create_user":
            user = {"id": 7, "name": str(arguments.get("name", ""))}
            return _result([_text(json.dumps(user))], structured=user)
        if name == "bad_report":
            return _result([_text('{"count": "three"}')], structured={"count": "three"})
        if name == "missing_structure":
            return _result([_text("no structure here")])
        if name == "failing":
            return _result([_text("the tool failed on purpose")], is_error=True)
        if name == "media":
            return _result(
                [
                    types.ImageContent(type="image", data=PNG_1PX, mime_type="image/png"),
                    types.AudioContent(type="audio", data=WAV_SILENCE, mime_type="audio/wav"),
                    types.ResourceLink(type="resource_link", uri="test://linked", name="linked"),
                    types.EmbeddedResource(
                        type="resource",
                        resource=types.TextResourceContents(
                            uri="test://embedded", mime_type="text/plain", text="embedded text"
                        ),
                    ),
                ]
            )
        if name == "big_text":
            size = int(arguments.get("size", 0))
            return _result([_text(("0123456789abcdef" * (size // 16 + 1))[:size])])
        if name == "slow":
            steps = int(arguments.get("steps", 3))
            # The package hands `_meta` over with its keys in Python spelling.
            meta = ctx.meta or {}
            token = meta.get("progress_token", meta.get("progressToken"))
            for step in range(1, steps + 1):
                if token is not None:
                    await ctx.session.send_progress_notification(token, step, steps, f"step {step}")
                await anyio.sleep(0.4)
            return _result([_text(f"counted to {steps}")])
        if name == "log":
            await ctx.session.send_log_message(
                arguments.get("level", "info"), arguments.get("message", ""), logger="fixture"
            )
            return _result([_text("logged")])
        if name == "mutate":
            state["mutated"] = True
            await ctx.session.send_tool_list_changed()
            return _result([_text("mutated")])
        return _result([_text(f"called {name}")])

    return Server(
        "fixture-tools",
        version="0.3.0",
        title="Fixture Tools",
        on_list_tools=list_tools,
        on_call_tool=call_tool,
        on_set_logging_level=_set_level,
    )


async def _set_level(ctx: Any, params: types.SetLevelRequestParams) -> types.EmptyResult:
    return types.EmptyResult()


def _text(text: str) -> types.TextContent:
    return types.TextContent(type="text", text=text)


def _result(
    content: list[Any], *, structured: dict[str, Any] | None = None, is_error: bool = False
) -> types.CallToolResult:
    return types.CallToolResult(content=content, structured_content=structured, is_error=is_error)


async def main() -> None:
    server = make_server()
    async with stdio_server() as (read_stream, write_stream):
        await server.run(read_stream, write_stream, server.create_initialization_options())


if __name__ == "__main__":
    anyio.run(main)
