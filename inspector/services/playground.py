"""The Playground: a chat with the configured model, which sees the session's tools.

The conversation is the OpenAI `messages` list; the page holds it (a person's own chat,
sent back with each turn), so nothing here keeps state between requests. When the model
asks for a tool call, the turn stops there: the person confirms or refuses it, a
confirmed call goes through the live session (it shows in the Protocol tab like any
other), and its outcome goes back to the model.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from inspector.mcp.model_endpoint import (
    ModelEndpointError,
    chat_request,
    complete,
    function_names,
    function_tools,
    tool_result_text,
)
from inspector.services.calls import catalog_item_get, catalog_keys, listing_page, tool_call
from inspector.services.model import load_endpoint
from inspector.sessions.catalog import Listing

REFUSED = "The person refused this tool call."
Message = dict[str, Any]


@dataclass(frozen=True, slots=True)
class PlaygroundTurn:
    """The conversation after a turn, the tool call waiting for the person, if any,
    and what went wrong, if anything."""

    messages: list[Message] = field(default_factory=list)
    pending: Message | None = None  # an OpenAI tool call: id, function name, arguments
    error: str = ""
    tool_count: int = 0

    @property
    def messages_json(self) -> str:
        return json.dumps(self.messages, ensure_ascii=False)


async def playground_send(
    *, session_id: str, owner_id: int | None, messages: list[Message], text: str
) -> PlaygroundTurn:
    """The person says `text`; the model answers or asks for a tool call."""
    return await _ask(session_id, owner_id, [*messages, {"role": "user", "content": text}])


async def playground_decide(
    *, session_id: str, owner_id: int | None, messages: list[Message], confirm: bool
) -> PlaygroundTurn:
    """Confirm or refuse the tool call the model asked for; then the model goes on."""
    pending = _pending(messages)
    if pending is None:
        return PlaygroundTurn(messages, error="No tool call waits for an answer.")
    call_id = str(pending.get("id", ""))
    if confirm:
        content = await _run(session_id, pending)
    else:
        content = REFUSED
    messages = [*messages, {"role": "tool", "tool_call_id": call_id, "content": content}]
    if _pending(messages) is not None:  # the model asked for several: the next one waits
        return PlaygroundTurn(messages, _pending(messages))
    return await _ask(session_id, owner_id, messages)


async def _run(session_id: str, call: Message) -> str:
    asked = call.get("function")
    function: dict[str, Any] = asked if isinstance(asked, dict) else {}
    # The model names the function; the server knows the tool by its own name.
    asked_name = str(function.get("name", ""))
    tools = await _tools(session_id)
    name = function_names(str(t.get("name", "")) for t in tools).get(asked_name, asked_name)
    try:
        arguments = json.loads(function.get("arguments") or "{}")
    except ValueError as bad:
        return f"The tool call was not made: its arguments are not JSON ({bad})."
    outcome = await tool_call(
        session_id=session_id,
        name=name,
        arguments=arguments,
        call_key=f"playground-{call.get('id', '')}",
    )
    failure = str(outcome.error) if outcome.error is not None else None
    return tool_result_text(outcome.result, failure)


def _pending(messages: list[Message]) -> Message | None:
    """The first tool call of the last assistant message that has no answer yet."""
    for index in range(len(messages) - 1, -1, -1):
        message = messages[index]
        if message.get("role") == "assistant":
            answered = {m.get("tool_call_id") for m in messages[index + 1 :]}
            for call in message.get("tool_calls") or []:
                if isinstance(call, dict) and call.get("id") not in answered:
                    return call
            return None
    return None


async def _tools(session_id: str) -> list[dict[str, Any]]:
    names = await catalog_keys(session_id=session_id, listing=Listing.TOOLS)
    if not names:
        await listing_page(
            session_id=session_id, listing=Listing.TOOLS, cursor=None, call_key="playground-tools"
        )
        names = await catalog_keys(session_id=session_id, listing=Listing.TOOLS)
    return [
        await catalog_item_get(session_id=session_id, listing=Listing.TOOLS, key=n) for n in names
    ]


async def _ask(session_id: str, owner_id: int | None, messages: list[Message]) -> PlaygroundTurn:
    endpoint = await load_endpoint(owner_id)
    tools = function_tools(await _tools(session_id))
    body = chat_request({}, endpoint.model)
    body["messages"] = messages
    if tools:
        body["tools"] = tools
    try:
        reply = await complete(endpoint, body)
    except ModelEndpointError as error:
        return PlaygroundTurn(messages, error=error.message, tool_count=len(tools))
    answer: Message = {"role": "assistant", "content": reply.text or None}
    if reply.tool_calls:
        answer["tool_calls"] = list(reply.tool_calls)
    messages = [*messages, answer]
    return PlaygroundTurn(messages, _pending(messages), tool_count=len(tools))
