"""A stdio server whose surface comes in two versions, for `inspector snapshot`, `diff`
and the surface comparisons: `python -m tests.servers.surface_server v1|v2`.

From v1 to v2: `forecast`'s description changes, its `city` property becomes an integer,
`days` becomes required and `units` appears; `legacy_lookup` is removed and `geocode`
added; the `daily` prompt's `style` argument becomes required; the server's version and
instructions change. The tools come two to a page. A second argument `long` gives it
instructions long enough that a page shows only their beginning.
"""

from __future__ import annotations

import sys
from typing import Any

import anyio
from mcp import types
from mcp.server.lowlevel.server import Server
from mcp.server.stdio import stdio_server

PAGE_SIZE = 2


def tools(version: str) -> list[types.Tool]:
    city_type = "string" if version == "v1" else "integer"
    forecast_properties: dict[str, Any] = {
        "city": {"type": city_type, "description": "Where"},
        "days": {"type": "integer", "minimum": 1},
    }
    if version == "v2":
        forecast_properties["units"] = {"type": "string", "enum": ["metric", "imperial"]}
    listed = [
        types.Tool(
            name="forecast",
            description="The weather ahead." if version == "v1" else "The weather, ahead.",
            input_schema={
                "type": "object",
                "properties": forecast_properties,
                "required": ["city"] if version == "v1" else ["city", "days"],
            },
            annotations=types.ToolAnnotations(read_only_hint=True),
        ),
        types.Tool(
            name="alerts",
            description="Weather alerts.",
            input_schema={"type": "object", "properties": {"region": {"type": "string"}}},
        ),
    ]
    listed.append(
        types.Tool(
            name="legacy_lookup" if version == "v1" else "geocode",
            description="Look a place up.",
            input_schema={"type": "object", "properties": {"q": {"type": "string"}}},
        )
    )
    return listed


LONG_INSTRUCTIONS = "Ask about the weather. " + "Be specific about the place and the day. " * 15


def make_server(version: str, *, long: bool = False) -> Server[Any]:
    async def list_tools(
        ctx: Any, params: types.PaginatedRequestParams | None
    ) -> types.ListToolsResult:
        every = tools(version)
        start = int(params.cursor) if params is not None and params.cursor else 0
        more = start + PAGE_SIZE < len(every)
        return types.ListToolsResult(
            tools=every[start : start + PAGE_SIZE],
            next_cursor=str(start + PAGE_SIZE) if more else None,
        )

    async def list_prompts(
        ctx: Any, params: types.PaginatedRequestParams | None
    ) -> types.ListPromptsResult:
        style = types.PromptArgument(name="style", required=version == "v2")
        city = types.PromptArgument(name="city", description="Where", required=True)
        return types.ListPromptsResult(
            prompts=[types.Prompt(name="daily", description="A report.", arguments=[city, style])]
        )

    async def call_tool(ctx: Any, params: types.CallToolRequestParams) -> types.CallToolResult:
        return types.CallToolResult(content=[types.TextContent(type="text", text="sunny")])

    return Server(
        "surface-fixture",
        version="1.0.0" if version == "v1" else "2.0.0",
        instructions=LONG_INSTRUCTIONS
        if long
        else "Ask about the weather."
        if version == "v1"
        else "Ask about weather.",
        on_list_tools=list_tools,
        on_list_prompts=list_prompts,
        on_call_tool=call_tool,
    )


async def main(version: str, long: bool) -> None:
    server = make_server(version, long=long)
    async with stdio_server() as (read_stream, write_stream):
        await server.run(read_stream, write_stream, server.create_initialization_options())


if __name__ == "__main__":
    anyio.run(main, sys.argv[1] if len(sys.argv) > 1 else "v1", sys.argv[2:] == ["long"])
