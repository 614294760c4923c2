"""An OpenAI-compatible model of our own, for the model at hand (no network, no real model).

- `POST /v1/chat/completions` wants `Authorization: Bearer fixture-key` (else 401) and one
  of the models below (else 404). Its answer depends on the input:
  - `fixture-model` answers "Fixture answer to: <the last user text>" (or "OK" when
    `max_tokens` is 1, the connection test), finish reason "stop";
  - given `tools` and a last user message saying "call tool NAME" (optionally followed by
    a JSON object of arguments), it asks for that tool call (finish reason "tool_calls");
    after a `tool` message it answers "The tool said: <its content>";
  - `broken-model` answers 200 with something that is not a chat completion;
  - `failing-model` answers 503.
- `GET /v1/models` lists the models; `GET /v1/last` is the last completion request's body
  (for tests to see what was sent); `/healthz` answers 200 once the process serves.

Run by `tests/servers/http_harness.py` as `python openai_fixture.py --fd N`.
"""

from __future__ import annotations

import argparse
import re
import socket
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

API_KEY = "fixture-key"
MODELS = ("fixture-model", "broken-model", "failing-model")
_CALL = re.compile(r"call tool (?P<name>[\w.-]+)\s*(?P<arguments>\{.*\})?", re.DOTALL)

last_request: dict[str, Any] = {}


def _text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return " ".join(str(part.get("text", "")) for part in content if isinstance(part, dict))
    return ""


def _answer(body: dict[str, Any]) -> dict[str, Any]:
    messages = body.get("messages") or []
    last = messages[-1] if messages else {}
    message: dict[str, Any] = {"role": "assistant", "content": ""}
    finish = "stop"
    called = _CALL.search(_text(last.get("content"))) if last.get("role") == "user" else None
    if last.get("role") == "tool":
        message["content"] = f"The tool said: {_text(last.get('content'))}"
    elif called and body.get("tools"):
        message["content"] = None
        message["tool_calls"] = [
            {
                "id": f"call_{len(messages)}",
                "type": "function",
                "function": {
                    "name": called["name"],
                    "arguments": called["arguments"] or "{}",
                },
            }
        ]
        finish = "tool_calls"
    elif body.get("max_tokens") == 1:
        message["content"] = "OK"
    else:
        said = [_text(m.get("content")) for m in messages if m.get("role") == "user"]
        said = [text for text in said if text]
        message["content"] = f"Fixture answer to: {said[-1] if said else ''}"
    return {
        "id": "chatcmpl-fixture",
        "object": "chat.completion",
        "model": body.get("model"),
        "choices": [{"index": 0, "message": message, "finish_reason": finish}],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
    }


def _refused(request: Request) -> Response | None:
    if request.headers.get("authorization") != f"Bearer {API_KEY}":
        error = {"message": "Incorrect API key provided.", "type": "invalid_request_error"}
        return JSONResponse({"error": error}, status_code=401)
    return None


async def completions(request: Request) -> Response:
    refused = _refused(request)
    if refused is not None:
        return refused
    body = await request.json()
    last_request.clear()
    last_request.update(body)
    model = body.get("model")
    if model not in MODELS:
        error = {"message": f"The model `{model}` does not exist.", "code": "model_not_found"}
        return JSONResponse({"error": error}, status_code=404)
    if model == "broken-model":
        return JSONResponse({"answer": "not what you expected"})
    if model == "failing-model":
        return PlainTextResponse("upstream overloaded", status_code=503)
    return JSONResponse(_answer(body))


async def models(request: Request) -> Response:
    refused = _refused(request)
    if refused is not None:
        return refused
    return JSONResponse({"object": "list", "data": [{"id": m, "object": "model"} for m in MODELS]})


async def last(_: Request) -> Response:
    return JSONResponse(last_request)


async def healthz(_: Request) -> Response:
    return PlainTextResponse("ok")


def build_app() -> Starlette:
    return Starlette(
        routes=[
            Route("/v1/chat/completions", completions, methods=["POST"]),
            Route("/v1/models", models),
            Route("/v1/last", last),
            Route("/healthz", healthz),
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--fd", type=int, required=True, help="an inherited listening socket")
    args = parser.parse_args()
    listener = socket.socket(fileno=args.fd)
    config = uvicorn.Config(build_app(), log_level="warning", lifespan="off")
    uvicorn.Server(config).run(sockets=[listener])


if __name__ == "__main__":
    main()
