"""A stdio server that outlives a client that does not end it: it ignores the end of its
input (as some servers do) and has a child of its own. It writes its pid and its child's
to PIDFILE once initialized, answers `tools/list` (with no tools), and never answers
anything else.

Usage: python -m tests.servers.stubborn PIDFILE
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path


def send(message: object) -> None:
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


def main(pidfile: Path) -> None:
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
    for line in sys.stdin:
        message = json.loads(line)
        if message.get("method") == "initialize":
            result = {
                "protocolVersion": message["params"]["protocolVersion"],
                "capabilities": {"tools": {}},
                "serverInfo": {"name": "stubborn", "version": "0"},
            }
            send({"jsonrpc": "2.0", "id": message["id"], "result": result})
            pidfile.write_text(f"{os.getpid()} {child.pid}")
        elif message.get("method") == "tools/list":
            send({"jsonrpc": "2.0", "id": message["id"], "result": {"tools": []}})
    while True:  # the input ended: stay all the same
        time.sleep(1)


if __name__ == "__main__":
    main(Path(sys.argv[1]))
