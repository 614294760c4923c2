"""A well-behaved stdio server built with the `mcp` package: tools, resources, prompts."""

from __future__ import annotations

import sys

from mcp.server.mcpserver import Context, MCPServer

server = MCPServer(
    name="fixture-everything",
    title="Fixture Everything",
    version="1.2.3",
    instructions="A test server. Call add to add two numbers.",
)


@server.tool()
def add(a: int, b: int) -> int:
    """Add two integers."""
    return a + b


@server.tool()
def echo(message: str) -> str:
    """Echo a message back."""
    print(f"echo called with {message!r}", file=sys.stderr)
    return message


@server.tool()
async def slow_count(steps: int, ctx: Context) -> str:
    """Count slowly, reporting progress after each step."""
    import anyio

    for step in range(1, steps + 1):
        await ctx.report_progress(step, steps, f"step {step}")
        await anyio.sleep(0.2)
    return f"counted to {steps}"


@server.resource("fixture://greeting")
def greeting() -> str:
    """A friendly greeting."""
    return "Hello from the fixture."


@server.prompt()
def review(code: str) -> str:
    """Ask for a code review."""
    return f"Please review:\n{code}"


if __name__ == "__main__":
    print("fixture-everything starting", file=sys.stderr)
    server.run("stdio")
