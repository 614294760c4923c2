"""A stdio server whose tools ask things of the client, for the approvals inbox:

- `ask_llm`: `sampling/createMessage` with a system prompt, model preferences, context,
  stop sequences and an image; it returns what the client answered, or its refusal;
- `ask_llm_with_tools`: sampling with tools, a tool choice and tool_use/tool_result
  messages (2025-11-25);
- `ask_briefly`: sampling that the server itself gives up on after a second;
- `collect_profile`: a form elicitation with every kind of field and defaults;
- `connect_account`: a URL elicitation, completed by a notification shortly after;
- `odd_link`: a URL elicitation to a URL given as an argument (punycode, plain http);
- `needs_authorization`: error -32042 on the first call, success once "authorised";
- `show_roots`: `roots/list`; the server also re-lists roots when told they changed,
  and logs them;
- `delete_everything` (destructive) and `count_slowly` (progress) for consent mode.
"""

from __future__ import annotations

import json
from typing import Any

import anyio
from mcp import types
from mcp.server.lowlevel.server import Server
from mcp.server.stdio import stdio_server
from mcp.shared.exceptions import MCPError, UrlElicitationRequiredError

PNG_1PX = (
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQ"
    "AAAABJRU5ErkJggg=="
)
AUTH_URL = "https://auth.example.com/connect?account=42"

PROFILE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "name": {"type": "string", "title": "Your name", "minLength": 2, "default": "Ada"},
        "email": {"type": "string", "format": "email", "title": "Email"},
        "age": {"type": "integer", "minimum": 0, "maximum": 150, "default": 36},
        "score": {"type": "number", "minimum": 0, "maximum": 1},
        "newsletter": {"type": "boolean", "title": "Newsletter", "default": True},
        "color": {"type": "string", "enum": ["red", "green"], "default": "green"},
        "plan": {
            "type": "string",
            "oneOf": [
                {"const": "free", "title": "Free plan"},
                {"const": "pro", "title": "Pro plan"},
            ],
            "default": "free",
        },
        "size": {"type": "string", "enum": ["s", "m"], "enumNames": ["Small", "Medium"]},
        "topics": {
            "type": "array",
            "title": "Topics",
            "items": {"type": "string", "enum": ["mcp", "python", "rust"]},
            "default": ["mcp"],
        },
    },
    "required": ["name", "email"],
}


def _tool(name: str, description: str, **extra: Any) -> types.Tool:
    schema = extra.pop("schema", {"type": "object", "properties": {}})
    return types.Tool(name=name, description=description, input_schema=schema, **extra)


TOOLS = [
    _tool(
        "ask_llm",
        "Ask the client's model a question.",
        schema={"type": "object", "properties": {"question": {"type": "string"}}},
    ),
    _tool("ask_llm_with_tools", "Sampling that offers the model a tool."),
    _tool("ask_briefly", "Sampling the server gives up on after a second."),
    _tool("collect_profile", "Ask for a profile through a form."),
    _tool("connect_account", "Send the person to a URL to connect an account."),
    _tool(
        "odd_link",
        "A URL elicitation to any URL.",
        schema={"type": "object", "properties": {"url": {"type": "string"}}, "required": ["url"]},
    ),
    _tool("needs_authorization", "Fails with -32042 until authorised."),
    _tool("show_roots", "List the client's roots."),
    _tool(
        "delete_everything",
        "Deletes everything (not really).",
        annotations=types.ToolAnnotations(destructive_hint=True, read_only_hint=False),
    ),
    _tool(
        "count_slowly",
        "Counts with progress.",
        schema={"type": "object", "properties": {"steps": {"type": "integer", "default": 5}}},
    ),
]


def make_server() -> Server[Any]:
    state: dict[str, Any] = {"authorised": False, "roots_seen": 0}

    async def list_tools(
        ctx: Any, params: types.PaginatedRequestParams | None
    ) -> types.ListToolsResult:
        return types.ListToolsResult(tools=TOOLS)

    async def call_tool(ctx: Any, params: types.CallToolRequestParams) -> types.CallToolResult:
        arguments = params.arguments or {}
        name = params.name
        session = ctx.session
        if name == "ask_llm":
            question = str(arguments.get("question") or "What is MCP?")
            try:
                answer = await session.create_message(
                    [
                        types.SamplingMessage(
                            role="user", content=types.TextContent(type="text", text=question)
                        ),
                        types.SamplingMessage(
                            role="user",
                            content=types.ImageContent(
                                type="image", data=PNG_1PX, mime_type="image/png"
                            ),
                        ),
                    ],
                    max_tokens=200,
                    system_prompt="You are a careful assistant.",
                    include_context="thisServer",
                    temperature=0.2,
                    stop_sequences=["END"],
                    model_preferences=types.ModelPreferences(
                        hints=[types.ModelHint(name="claude-sonnet")], intelligence_priority=0.8
                    ),
                    related_request_id=ctx.request_id,
                )
            except MCPError as exc:
                return _result(f"sampling refused ({exc.error.code}): {exc.error.message}", True)
            return _result(_describe_answer(answer))
        if name == "ask_llm_with_tools":
            answer = await session.create_message(
                [
                    types.SamplingMessage(
                        role="user", content=types.TextContent(type="text", text="Weather?")
                    ),
                    types.SamplingMessage(
                        role="assistant",
                        content=[
                            types.ToolUseContent(
                                type="tool_use",
                                id="call-1",
                                name="get_weather",
                                input={"city": "Paris"},
                            )
                        ],
                    ),
                    types.SamplingMessage(
                        role="user",
                        content=[
                            types.ToolResultContent(
                                type="tool_result",
                                tool_use_id="call-1",
                                content=[types.TextContent(type="text", text="18°C, clear")],
                            )
                        ],
                    ),
                ],
                max_tokens=100,
                tools=[
                    types.Tool(
                        name="get_weather",
                        description="The weather in a city",
                        input_schema={"type": "object", "properties": {"city": {"type": "string"}}},
                    )
                ],
                tool_choice=types.ToolChoice(mode="auto"),
                related_request_id=ctx.request_id,
            )
            return _result(_describe_answer(answer))
        if name == "ask_briefly":
            with anyio.move_on_after(1.0):
                answer = await session.create_message(
                    [
                        types.SamplingMessage(
                            role="user", content=types.TextContent(type="text", text="Quick!")
                        )
                    ],
                    max_tokens=10,
                    related_request_id=ctx.request_id,
                )
                return _result(_describe_answer(answer))
            return _result("the server stopped waiting")
        if name == "collect_profile":
            result = await session.elicit_form(
                "Tell us about yourself.", PROFILE_SCHEMA, related_request_id=ctx.request_id
            )
            return _result(json.dumps({"action": result.action, "content": result.content}))
        if name == "connect_account":
            elicitation_id = "connect-42"
            result = await session.elicit_url(
                "Connect your account to continue.",
                AUTH_URL,
                elicitation_id,
                related_request_id=ctx.request_id,
            )
            if result.action == "accept":
                await anyio.sleep(0.3)
                await session.send_elicit_complete(elicitation_id)
            return _result(f"connect: {result.action}")
        if name == "odd_link":
            result = await session.elicit_url(
                "Open this link.", str(arguments["url"]), "odd-1", related_request_id=ctx.request_id
            )
            return _result(f"odd link: {result.action}")
        if name == "needs_authorization":
            if not state["authorised"]:
                state["authorised"] = True
                raise UrlElicitationRequiredError(
                    [
                        types.ElicitRequestURLParams(
                            message="Authorise access to your files first.",
                            url="https://auth.example.com/authorize?scope=files",
                            elicitation_id="files-1",
                        )
                    ]
                )
            return _result("authorised: here are your files")
        if name == "show_roots":
            roots = await session.list_roots()
            return _result(json.dumps([str(root.uri) for root in roots.roots]))
        if name == "delete_everything":
            return _result("deleted everything")
        if name == "count_slowly":
            steps = int(arguments.get("steps", 5))
            meta = ctx.meta or {}
            token = meta.get("progress_token", meta.get("progressToken"))
            for step in range(1, steps + 1):
                if token is not None:
                    await session.send_progress_notification(
                        token, step, steps, f"counted {step} of {steps}"
                    )
                await anyio.sleep(0.5)
            return _result(f"counted to {steps}")
        raise MCPError(code=-32602, message=f"Unknown tool {name}")

    async def roots_changed(ctx: Any, params: Any) -> None:
        roots = await ctx.session.list_roots()
        state["roots_seen"] += 1
        uris = ", ".join(str(root.uri) for root in roots.roots) or "none"
        await ctx.session.send_log_message("info", f"roots now: {uris}", logger="roots")

    return Server(
        "fixture-consent",
        version="0.1.0",
        title="Fixture Consent",
        on_list_tools=list_tools,
        on_call_tool=call_tool,
        on_roots_list_changed=roots_changed,
    )


def _describe_answer(answer: Any) -> str:
    content = answer.content
    blocks = content if isinstance(content, list) else [content]
    parts = [
        block.text if isinstance(block, types.TextContent) else f"<{block.type}>"
        for block in blocks
    ]
    return (
        f"{answer.role} said {' '.join(parts)!r} (model {answer.model}, stop {answer.stop_reason})"
    )


def _result(text: str, is_error: bool = False) -> types.CallToolResult:
    return types.CallToolResult(
        content=[types.TextContent(type="text", text=text)], is_error=is_error
    )


async def main() -> None:
    server = make_server()
    async with stdio_server() as (read_stream, write_stream):
        await server.run(read_stream, write_stream, server.create_initialization_options())


if __name__ == "__main__":
    anyio.run(main)
