"""A deliberately misbehaving stdio server, written without any MCP library.

Usage: python -m tests.servers.broken_stdio BEHAVIOUR [BEHAVIOUR ...]

It answers `initialize` and `tools/call` like a minimal server, and misbehaves in the
ways named on the command line:

  noise         print a banner and log lines on stdout around the handshake
  invalid       send a frame that is not JSON, and one that is not JSON-RPC
  unknown-id    answer a tools/call twice: once with an id nobody sent, then properly
  string-id     echo numeric request ids back as strings
  crash         exit with code 3 in the middle of a tools/call
  silent        never answer tools/call
  slow=SECONDS  answer tools/call after SECONDS, whatever notifications/cancelled says
  flood=N       on tools/call, send N notifications/message before the result
  flood-on-start=N  once initialized, send N notifications/message unasked
  huge=BYTES    on tools/call, return a text content block of BYTES characters
  batch         send the initialize response and a log notification as one batch
  refuse        answer initialize with a JSON-RPC error
  exit-early    write to stderr and exit with code 2 before reading anything
  version=V     answer initialize with protocol version V
  silent-init   never answer initialize
  mute          never answer anything, and keep running after the input closes
  bad-cancel    after initialize, send notifications/cancelled with a list as requestId
  chatty        write to stderr when starting (in colour) and on each request
  no-tools      declare no tools capability, and answer tools/call with -32601
"""

from __future__ import annotations

import json
import sys
import time
from typing import Any


def send(message: Any) -> None:
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


def flood(count: int) -> None:
    for index in range(count):
        send(
            {
                "jsonrpc": "2.0",
                "method": "notifications/message",
                "params": {"level": "info", "data": {"n": index}},
            }
        )


def main(behaviours: list[str]) -> int:
    options = dict(item.partition("=")[::2] for item in behaviours)
    if "exit-early" in options:
        sys.stderr.write("fatal: missing configuration file\n")
        return 2
    if "noise" in options:
        print("Broken server v0 starting up...", flush=True)
    if "chatty" in options:
        sys.stderr.write("booting \x1b[31mred\x1b[0m\n")
        sys.stderr.flush()
    for line in sys.stdin:
        if not line.strip():
            continue
        message = json.loads(line)
        method = message.get("method")
        request_id = message.get("id")
        if method == "notifications/initialized" and "flood-on-start" in options:
            flood(int(options["flood-on-start"]))
        if request_id is None or "mute" in options:
            continue
        if "chatty" in options:
            sys.stderr.write(f"handled {method}\n")
            sys.stderr.flush()
        reply_id: Any = str(request_id) if "string-id" in options else request_id
        if method == "initialize":
            if "silent-init" in options:
                continue
            if "refuse" in options:
                send(
                    {
                        "jsonrpc": "2.0",
                        "id": reply_id,
                        "error": {
                            "code": -32602,
                            "message": "Unsupported protocol version",
                            "data": {"supported": ["1999-01-01"]},
                        },
                    }
                )
                continue
            version = options.get("version") or message["params"]["protocolVersion"]
            response = {
                "jsonrpc": "2.0",
                "id": reply_id,
                "result": {
                    "protocolVersion": version,
                    "capabilities": {"logging": {}}
                    if "no-tools" in options
                    else {"tools": {}, "logging": {}},
                    "serverInfo": {"name": "broken-server", "version": "0.0.1"},
                },
            }
            if "batch" in options:
                note = {
                    "jsonrpc": "2.0",
                    "method": "notifications/message",
                    "params": {"level": "info", "data": "batched"},
                }
                send([response, note])
            else:
                send(response)
            if "noise" in options:
                print("ready to serve requests", flush=True)
            if "bad-cancel" in options:
                send(
                    {
                        "jsonrpc": "2.0",
                        "method": "notifications/cancelled",
                        "params": {"requestId": [1]},
                    }
                )
            if "invalid" in options:
                sys.stdout.write("{this is not json\n")
                send({"jsonrpc": "1.0", "result": 5, "error": {"code": "x"}})
                sys.stdout.flush()
        elif method == "tools/call" and "no-tools" not in options:
            if "crash" in options:
                sys.stderr.write("panic: the tool exploded\n")
                sys.stderr.flush()
                return 3
            if "silent" in options:
                continue
            if "slow" in options:
                # Blocking on purpose: a cancellation is read only after the answer is out.
                time.sleep(float(options["slow"]))
            if "unknown-id" in options:
                send({"jsonrpc": "2.0", "id": 987654, "result": {"content": []}})
            flood(int(options.get("flood") or 0))
            text = "x" * int(options.get("huge") or 0) or "done"
            send(
                {
                    "jsonrpc": "2.0",
                    "id": reply_id,
                    "result": {"content": [{"type": "text", "text": text}]},
                }
            )
        elif method == "ping":
            send({"jsonrpc": "2.0", "id": reply_id, "result": {}})
        else:
            send(
                {
                    "jsonrpc": "2.0",
                    "id": reply_id,
                    "error": {"code": -32601, "message": f"Method not found: {method}"},
                }
            )
    if "mute" in options:
        time.sleep(3600)  # until the inspector stops it
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
