"""A stdio server that misbehaves in the modern era, written without any MCP library.

Usage: python -m tests.servers.raw_modern_stdio BEHAVIOUR [BEHAVIOUR ...]

It answers `initialize` as a legacy 2025-11-25 server would, `server/discover` as a
modern 2026-07-28 one, `tools/list` with one tool and `tools/call` with a text result,
and misbehaves in the ways named on the command line:

  discover=JSON     answer server/discover with the result JSON
  discover-error=C  answer every server/discover with error C (listing 2026-07-28)
  exit-on-unknown   exit (a strict legacy server) on any request other than initialize
                    and tools/*
  inputs=N          answer tools/call (without inputResponses) with N elicitation
                    inputRequests in one round
  refuse-and-wait   answer tools/call with two inputRequests: a sampling request and
                    an elicitation
  ask=METHOD        answer tools/call with one inputRequest for METHOD
  listen-drop       declare tools.listChanged; end the first subscriptions/listen with an
                    error (a dropped stream), acknowledge later ones and send
                    notifications/tools/list_changed on them, then one more that names
                    the dropped stream's subscription id (late, so stale)
  listen-silent     declare tools.listChanged; never acknowledge subscriptions/listen
  listen-refuse     declare tools.listChanged; refuse every subscriptions/listen (-32601)
  listen-flaky      declare tools.listChanged; acknowledge each of the first 7
                    subscriptions/listen, then end it with an error (a stream a proxy
                    cut); the 8th stays open
  list-asks         answer tools/list with an input_required result (a protocol violation)
  endless-task      answer tools/call with a task that stays `working` for ever
"""

from __future__ import annotations

import json
import sys
from typing import Any

MODERN = "2026-07-28"


def send(message: Any) -> None:
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


def elicitation(text: str) -> dict[str, Any]:
    schema = {"type": "object", "properties": {"ok": {"type": "boolean"}}}
    return {"method": "elicitation/create", "params": {"message": text, "requestedSchema": schema}}


def sampling() -> dict[str, Any]:
    messages = [{"role": "user", "content": {"type": "text", "text": "hello"}}]
    return {"method": "sampling/createMessage", "params": {"messages": messages, "maxTokens": 5}}


def call_result(options: dict[str, str], params: dict[str, Any]) -> dict[str, Any]:
    if "inputResponses" in params:
        return {"content": [{"type": "text", "text": "answered"}]}
    if "inputs" in options:
        count = int(options["inputs"])
        requests = {f"q{n}": elicitation(f"Question {n}") for n in range(count)}
        return {"resultType": "input_required", "inputRequests": requests}
    if "endless-task" in options:
        return {"resultType": "task", "taskId": "t1", "status": "working", "pollIntervalMs": 100}
    if "ask" in options:
        return {"resultType": "input_required", "inputRequests": {"x": {"method": options["ask"]}}}
    if "refuse-and-wait" in options:
        requests = {"a": sampling(), "b": elicitation("Still there?")}
        return {"resultType": "input_required", "inputRequests": requests}
    return {"content": [{"type": "text", "text": "done"}]}


def answer(options: dict[str, str], method: str, params: dict[str, Any]) -> dict[str, Any]:
    """The reply's `result` or `error` member."""
    if method == "initialize":
        info = {"name": "raw-legacy", "version": "0"}
        result = {"protocolVersion": "2025-11-25", "capabilities": {"tools": {}}}
        return {"result": {**result, "serverInfo": info}}
    if method == "server/discover":
        if "discover-error" in options:
            code = int(options["discover-error"])
            data = {"supported": [MODERN], "requested": MODERN}
            return {"error": {"code": code, "message": "Refused", "data": data}}
        if "discover" in options:
            return {"result": json.loads(options["discover"])}
        info = {"name": "raw-modern", "version": "0"}
        listens = any(name.startswith("listen-") for name in options)
        tools = {"listChanged": True} if listens else {}
        return {
            "result": {
                "supportedVersions": [MODERN],
                "capabilities": {"tools": tools},
                "serverInfo": info,
            }
        }
    if method == "tools/list" and "list-asks" in options:
        requests = {"x": elicitation("Which tools?")}
        return {"result": {"resultType": "input_required", "inputRequests": requests}}
    if method == "tools/list":
        schema = {"type": "object", "properties": {}}
        return {"result": {"tools": [{"name": "ask", "inputSchema": schema}]}}
    if method == "tasks/get":
        return {"result": {"taskId": "t1", "status": "working", "pollIntervalMs": 100}}
    if method == "tasks/cancel":
        return {"result": {"taskId": "t1", "status": "cancelled"}}
    if method == "tools/call":
        return {"result": call_result(options, params)}
    return {"error": {"code": -32601, "message": f"Method not found: {method}"}}


def listen(message: dict[str, Any], listens: int) -> None:
    """The stream: the first one drops, later ones stay open with two notifications."""
    if listens == 1:
        error = {"code": -32603, "message": "Stream reset"}
        send({"jsonrpc": "2.0", "id": message["id"], "error": error})
        return
    meta = {"io.modelcontextprotocol/subscriptionId": message["id"]}
    granted = {"toolsListChanged": True}
    params = {"notifications": granted, "_meta": meta}
    send({"jsonrpc": "2.0", "method": "notifications/subscriptions/acknowledged", "params": params})
    send(
        {"jsonrpc": "2.0", "method": "notifications/tools/list_changed", "params": {"_meta": meta}}
    )
    stale = {"io.modelcontextprotocol/subscriptionId": message["id"] - 1}
    send(
        {"jsonrpc": "2.0", "method": "notifications/tools/list_changed", "params": {"_meta": stale}}
    )


FLAKY_CUTS = 7


def acknowledge_then_cut(message: dict[str, Any], *, cut: bool) -> None:
    meta = {"io.modelcontextprotocol/subscriptionId": message["id"]}
    params = {"notifications": {"toolsListChanged": True}, "_meta": meta}
    send({"jsonrpc": "2.0", "method": "notifications/subscriptions/acknowledged", "params": params})
    if cut:
        error = {"code": -32603, "message": "Stream reset"}
        send({"jsonrpc": "2.0", "id": message["id"], "error": error})


def main(behaviours: list[str]) -> int:
    options = dict(item.partition("=")[::2] for item in behaviours)
    listens = 0
    for line in sys.stdin:
        if not line.strip():
            continue
        message = json.loads(line)
        method = message.get("method")
        if "id" not in message:
            continue
        known = method == "initialize" or str(method).startswith("tools/")
        if "exit-on-unknown" in options and not known:
            sys.stderr.write(f"unknown method {method}; exiting\n")
            return 1
        if method == "subscriptions/listen" and "listen-silent" in options:
            continue
        if method == "subscriptions/listen" and "listen-refuse" in options:
            refusal = {"code": -32601, "message": "No subscriptions here"}
            send({"jsonrpc": "2.0", "id": message["id"], "error": refusal})
            continue
        if method == "subscriptions/listen" and "listen-flaky" in options:
            listens += 1
            acknowledge_then_cut(message, cut=listens <= FLAKY_CUTS)
            continue
        if method == "subscriptions/listen":
            listens += 1
            listen(message, listens)
            continue
        reply = answer(options, str(method), message.get("params") or {})
        send({"jsonrpc": "2.0", "id": message["id"], **reply})
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
