"""A language model at hand: an OpenAI-compatible `chat/completions` endpoint.

The inspector is the MCP client, so a sampling request is its to answer; with a model
configured, a person can have a draft answer written for them. Everything here is the
wire: the request built from a `sampling/createMessage`'s params (what the person sees
before it goes, the spec's "the actual prompt that will be sent"), the call through the
guarded outbound client, and each way it can fail said in words a person can act on.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx

from inspector.mcp.network import http_client

TIMEOUT = httpx.Timeout(60.0, connect=10.0)

# OpenAI's `finish_reason` to MCP's `stopReason`; others are passed on as they are.
_STOP_REASONS = {"stop": "endTurn", "length": "maxTokens", "tool_calls": "toolUse"}

# OpenAI's function names: letters, digits, "_" and "-", at most 64. An MCP tool name may
# hold dots and slashes and run to 128 characters, and such a name is refused whole.
_NOT_IN_FUNCTION_NAME = re.compile(r"[^A-Za-z0-9_-]")
FUNCTION_NAME_LIMIT = 64


@dataclass(frozen=True, slots=True)
class ModelEndpoint:
    """Where the model is and how to reach it (the key is a secret: never shown)."""

    base_url: str
    model: str
    api_key: str

    @property
    def completions_url(self) -> str:
        return self.base_url.rstrip("/") + "/chat/completions"

    @property
    def host(self) -> str:
        parts = urlsplit(self.base_url)
        return parts.netloc or self.base_url


class ModelEndpointError(Exception):
    """The model could not answer; `kind` is one of unreachable, bad-key, unknown-model,
    http-status, malformed."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message


@dataclass(frozen=True, slots=True)
class ModelReply:
    """The first choice of a completion, in MCP's terms."""

    text: str
    model: str
    stop_reason: str
    tool_calls: tuple[dict[str, Any], ...] = ()
    message: dict[str, Any] | None = None  # the assistant message, to send back in a chat


def chat_request(params: dict[str, Any], model: str) -> dict[str, Any]:
    """The `chat/completions` body for a `sampling/createMessage` request's params.

    The configured model is used: model preferences are hints for a client that can
    choose among models, and this one has one.
    """
    messages: list[dict[str, Any]] = []
    system = params.get("systemPrompt")
    if isinstance(system, str) and system:
        messages.append({"role": "system", "content": system})
    for message in params.get("messages") or []:
        if not isinstance(message, dict):
            continue
        role = message.get("role") if message.get("role") in ("user", "assistant") else "user"
        messages.append({"role": role, "content": _content(message.get("content"))})
    body: dict[str, Any] = {"model": model, "messages": messages}
    if isinstance(params.get("maxTokens"), int):
        body["max_tokens"] = params["maxTokens"]
    temperature = params.get("temperature")
    if isinstance(temperature, int | float) and not isinstance(temperature, bool):
        body["temperature"] = temperature
    stops = params.get("stopSequences")
    if isinstance(stops, list) and stops:
        body["stop"] = [str(stop) for stop in stops]
    return body


def _content(content: Any) -> str | list[dict[str, Any]]:
    """MCP content (one block or a list) as OpenAI message content: a string when it is
    all text, else a list of parts; blocks OpenAI has no part for go as their JSON."""
    blocks = content if isinstance(content, list) else [content]
    parts: list[dict[str, Any]] = []
    for block in blocks:
        kind = block.get("type") if isinstance(block, dict) else None
        if kind == "text":
            parts.append({"type": "text", "text": str(block.get("text", ""))})
        elif kind == "image" and isinstance(block, dict):
            url = f"data:{block.get('mimeType', 'image/png')};base64,{block.get('data', '')}"
            parts.append({"type": "image_url", "image_url": {"url": url}})
        else:
            parts.append({"type": "text", "text": json.dumps(block, ensure_ascii=False)})
    if all(part["type"] == "text" for part in parts):
        return "\n".join(part["text"] for part in parts)
    return parts


async def complete(endpoint: ModelEndpoint, body: dict[str, Any]) -> ModelReply:
    """Send `body` to the endpoint; `ModelEndpointError` says what went wrong."""
    # Local servers (Ollama, llama.cpp) often need no key: then no Authorization at all.
    headers = {"Authorization": f"Bearer {endpoint.api_key}"} if endpoint.api_key else {}
    try:
        async with http_client(timeout=TIMEOUT) as client:
            response = await client.post(endpoint.completions_url, json=body, headers=headers)
    except httpx.TimeoutException as error:
        raise ModelEndpointError(
            "unreachable", f"The model endpoint at {endpoint.host} did not answer in time."
        ) from error
    except httpx.HTTPError as error:
        why = str(error) or type(error).__name__
        raise ModelEndpointError(
            "unreachable", f"The model endpoint at {endpoint.host} is unreachable: {why}"
        ) from error
    return _reply(endpoint, body, response)


def _reply(endpoint: ModelEndpoint, body: dict[str, Any], response: httpx.Response) -> ModelReply:
    status = response.status_code
    if status in (401, 403):
        raise ModelEndpointError(
            "bad-key",
            f"{endpoint.host} refused the API key (HTTP {status}): check the key.",
        )
    if status == 404:
        raise ModelEndpointError(
            "unknown-model",
            f"{endpoint.host} does not know the model {body.get('model')!r} (HTTP 404): "
            f"check the model name (and that the base URL ends where /chat/completions "
            f"follows, like …/v1).",
        )
    if status >= 400:
        raise ModelEndpointError(
            "http-status",
            f"{endpoint.host} answered HTTP {status}: {_excerpt(response.text)}",
        )
    try:
        data = response.json()
        choice = data["choices"][0]
        message = choice["message"]
        text = message.get("content") or ""
        if not isinstance(text, str):
            raise TypeError("message.content is not a string")
        calls = message.get("tool_calls") or []
        if not isinstance(calls, list):
            raise TypeError("message.tool_calls is not a list")
    except (ValueError, KeyError, IndexError, TypeError, AttributeError) as error:
        raise ModelEndpointError(
            "malformed",
            f"The answer from {endpoint.host} is not a chat completion ({error}): "
            f"{_excerpt(response.text)}",
        ) from error
    finish = str(choice.get("finish_reason") or "stop")
    return ModelReply(
        text=text,
        model=str(data.get("model") or body.get("model") or ""),
        stop_reason=_STOP_REASONS.get(finish, finish),
        tool_calls=tuple(call for call in calls if isinstance(call, dict)),
        message=message if isinstance(message, dict) else None,
    )


def _excerpt(text: str, limit: int = 300) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit] + "…"


async def check(endpoint: ModelEndpoint) -> ModelReply:
    """A one-token completion: reaches the host, proves the key and names the model."""
    body = {
        "model": endpoint.model,
        "messages": [{"role": "user", "content": "Say OK."}],
        "max_tokens": 1,
    }
    return await complete(endpoint, body)


def function_names(tool_names: Iterable[str]) -> dict[str, str]:
    """A function name for each tool name, mapped back to it: the tool's own where the
    model's API accepts it, else with the other characters made "_" and cut to the limit,
    and numbered when two would meet."""
    names: dict[str, str] = {}
    for tool_name in tool_names:
        base = _NOT_IN_FUNCTION_NAME.sub("_", tool_name)[:FUNCTION_NAME_LIMIT] or "tool"
        candidate, number = base, 1
        while candidate in names:
            number += 1
            suffix = f"_{number}"
            candidate = base[: FUNCTION_NAME_LIMIT - len(suffix)] + suffix
        names[candidate] = tool_name
    return names


def function_tools(tools: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """MCP tools as OpenAI `tools` (function definitions): a name the API accepts (see
    `function_names`), the description, and the input schema as the parameters."""
    named = [tool for tool in tools if isinstance(tool.get("name"), str) and tool["name"]]
    function_of = {
        tool: function for function, tool in function_names(t["name"] for t in named).items()
    }
    converted = []
    for tool in named:
        schema = tool.get("inputSchema")
        function: dict[str, Any] = {
            "name": function_of[tool["name"]],
            "parameters": schema if isinstance(schema, dict) else {"type": "object"},
        }
        description = tool.get("description") or tool.get("title")
        if isinstance(description, str) and description:
            function["description"] = description
        converted.append({"type": "function", "function": function})
    return converted


def tool_result_text(result: dict[str, Any] | None, error: str | None) -> str:
    """A tool call's outcome as the `tool` message a model reads: its text content, or
    its structured content or blocks as JSON, or what went wrong."""
    if error is not None:
        return f"The tool call failed: {error}"
    if result is None:
        return "The tool call returned nothing."
    content = result.get("content")
    blocks: list[Any] = content if isinstance(content, list) else []
    texts = [
        str(b.get("text", "")) for b in blocks if isinstance(b, dict) and b.get("type") == "text"
    ]
    if texts and len(texts) == len(blocks):
        text = "\n".join(texts)
    else:
        text = json.dumps(result.get("structuredContent") or blocks, ensure_ascii=False)
    return f"(the tool reported an error) {text}" if result.get("isError") else text
