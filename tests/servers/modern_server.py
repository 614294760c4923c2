"""A server of the modern era (2026-07-28), built with `mcp`'s MCPServer, which also
answers the legacy handshake. Over stdio when run as a module; `http_mcp.py` mounts one
at `/modern/mcp`.

- `add`: a plain tool;
- `greet`: asks for a name by elicitation, so a modern client gets `input_required`;
- `ask_llm`: asks the client's model by sampling, the same way;
- `slow`: runs until cancelled, and says on stderr (stdio) or in `cancelled()` that it was;
- `region_weather`: its `region` argument is mirrored into `Mcp-Param-Region`;
- `touch`: changes `memo://note` and tells listeners that it was updated.
"""

from __future__ import annotations

import sys
import warnings
from typing import Annotated

import anyio
from mcp.server.mcpserver import Context, Elicit, MCPServer, Resolve, Sample
from mcp_types import CreateMessageResult, SamplingMessage, TextContent
from pydantic import BaseModel, Field

# The 2026 era deprecates what the fixtures still offer for the legacy one (logging).
warnings.filterwarnings("ignore", category=DeprecationWarning)

NOTE_URI = "memo://note"


class Name(BaseModel):
    name: str


def ask_name() -> Elicit[Name]:
    return Elicit("Who is there?", Name)


def ask_model(question: str) -> Sample:
    return Sample(
        [SamplingMessage(role="user", content=TextContent(type="text", text=question))],
        max_tokens=50,
    )


def build_server(name: str = "modern-fixture") -> MCPServer:
    server = MCPServer(name=name, version="2.0.0", instructions="A modern fixture.")
    note = {"text": "first"}
    cancelled: list[str] = []

    @server.tool()
    def add(a: int, b: int) -> int:
        """Add two integers."""
        return a + b

    @server.tool()
    def greet(person: Annotated[Name, Resolve(ask_name)]) -> str:
        """Greet whoever the client names."""
        return f"Hello, {person.name}!"

    @server.tool()
    def ask_llm(answer: Annotated[CreateMessageResult, Resolve(ask_model)], question: str) -> str:
        """Ask the client's model a question."""
        content = answer.content
        text = content.text if isinstance(content, TextContent) else repr(content)
        return f"{answer.model} says {text}"

    @server.tool()
    async def slow(seconds: float = 60.0) -> str:
        """Sleep until done or cancelled."""
        try:
            await anyio.sleep(seconds)
        except anyio.get_cancelled_exc_class():
            cancelled.append("slow")
            print("slow was cancelled", file=sys.stderr, flush=True)
            raise
        return "done"

    @server.tool()
    def cancelled_calls() -> list[str]:
        """The tools whose calls were cancelled so far."""
        return list(cancelled)

    @server.tool()
    def region_weather(
        region: Annotated[str, Field(json_schema_extra={"x-mcp-header": "Region"})],
        ctx: Context,
    ) -> str:
        """The weather of a region, and the header that named it."""
        headers = ctx.headers or {}
        return f"{region}: sunny (header {headers.get('mcp-param-region')!r})"

    @server.resource(NOTE_URI, name="note", mime_type="text/plain")
    def read_note() -> str:
        return note["text"]

    @server.tool()
    async def touch(text: str, ctx: Context) -> str:
        """Change the note and notify its subscribers."""
        note["text"] = text
        await ctx.notify_resource_updated(NOTE_URI)
        return "touched"

    return server


if __name__ == "__main__":
    build_server().run()
