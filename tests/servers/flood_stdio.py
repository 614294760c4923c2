"""A fast stdio server for floods and huge results, written without any MCP library
(an SDK's per-message overhead would time the SDK, not the inspector).

Usage: python -m tests.servers.flood_stdio

Tools:
  echo(message)   answers "echo: <message>"
  flood(count, seconds)
                  sends `count` notifications/message (info, data {"n": i}), then answers
                  "flooded <count>"; spread over `seconds` (default 0: at once)
  big(size)       answers with one text block of `size` characters
"""

from __future__ import annotations

import json
import sys
import time
from typing import Any

# A spread flood is sent in chunks of this many notifications.
CHUNK = 500

TOOLS = [
    {
        "name": "echo",
        "description": "Answers with the message, after 'echo: '.",
        "inputSchema": {
            "type": "object",
            "properties": {"message": {"type": "string"}},
            "required": ["message"],
        },
    },
    {
        "name": "flood",
        "description": "Sends `count` log notifications, then answers.",
        "inputSchema": {
            "type": "object",
            "properties": {
                "count": {"type": "integer", "minimum": 0},
                "seconds": {"type": "number", "minimum": 0},
            },
            "required": ["count"],
        },
    },
    {
        "name": "big",
        "description": "Answers with one text block of `size` characters.",
        "inputSchema": {
            "type": "object",
            "properties": {"size": {"type": "integer", "minimum": 0}},
            "required": ["size"],
        },
    },
]


def send(message: Any) -> None:
    sys.stdout.write(json.dumps(message) + "\n")


def call(name: str, arguments: dict[str, Any]) -> dict[str, Any]:
    if name == "echo":
        text = "echo: " + str(arguments.get("message", ""))
    elif name == "flood":
        count = int(arguments.get("count", 0))
        pause = float(arguments.get("seconds", 0)) / max(1, count // CHUNK)
        for index in range(count):
            if pause and index and index % CHUNK == 0:
                sys.stdout.flush()
                time.sleep(pause)
            send(
                {
                    "jsonrpc": "2.0",
                    "method": "notifications/message",
                    "params": {"level": "info", "logger": "flood", "data": {"n": index}},
                }
            )
        text = f"flooded {count}"
    elif name == "big":
        text = "x" * int(arguments.get("size", 0))
    else:
        return {"content": [{"type": "text", "text": f"no tool {name}"}], "isError": True}
    return {"content": [{"type": "text", "text": text}]}


def main() -> int:
    for line in sys.stdin:
        if not line.strip():
            continue
        message = json.loads(line)
        method, request_id = message.get("method"), message.get("id")
        if request_id is None:
            continue
        params = message.get("params") or {}
        if method == "initialize":
            result: dict[str, Any] = {
                "protocolVersion": params.get("protocolVersion", "2025-06-18"),
                "capabilities": {"tools": {}, "logging": {}},
                "serverInfo": {"name": "flood-server", "version": "1.0.0"},
            }
        elif method == "tools/list":
            result = {"tools": TOOLS}
        elif method == "tools/call":
            result = call(str(params.get("name")), params.get("arguments") or {})
        elif method in ("ping", "logging/setLevel"):
            result = {}
        else:
            send(
                {
                    "jsonrpc": "2.0",
                    "id": request_id,
                    "error": {"code": -32601, "message": f"Method not found: {method}"},
                }
            )
            sys.stdout.flush()
            continue
        send({"jsonrpc": "2.0", "id": request_id, "result": result})
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
