"""A stdio server for load tests, built with the `mcp` package, that watches how it is
loaded:

- `add`: adds two integers after sleeping `--sleep-ms` (default 20) milliseconds, and
  counts the calls in flight at once;
- `flaky`: fails every third call: an `isError` result, and every second such failure a
  JSON-RPC error (-32000) instead;
- `stats`: what the server saw, as JSON text: `max_in_flight`, `calls`, and `starts`
  (each `add` call's arrival, in seconds since the first one).
"""

from __future__ import annotations

import argparse
import json
import time

import anyio
from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp.shared.exceptions import MCPError

server = MCPServer(name="fixture-load-target", version="1.0.0")
SLEEP_SECONDS = 0.02


class Watch:
    in_flight = 0
    max_in_flight = 0
    starts: list[float] = []
    flaky_calls = 0


@server.tool()
async def add(a: int, b: int) -> int:
    """Add two integers, slowly."""
    Watch.starts.append(time.monotonic())
    Watch.in_flight += 1
    Watch.max_in_flight = max(Watch.max_in_flight, Watch.in_flight)
    try:
        await anyio.sleep(SLEEP_SECONDS)
    finally:
        Watch.in_flight -= 1
    return a + b


@server.tool()
def flaky() -> str:
    """Fails every third call."""
    Watch.flaky_calls += 1
    count = Watch.flaky_calls
    if count % 6 == 0:
        raise MCPError(code=-32000, message=f"planned protocol failure at call {count}")
    if count % 3 == 0:
        raise ToolError(f"planned failure at call {count}")
    return f"call {count} went well"


@server.tool()
def stats() -> str:
    """What the server saw of the load."""
    first = Watch.starts[0] if Watch.starts else 0.0
    return json.dumps(
        {
            "max_in_flight": Watch.max_in_flight,
            "calls": len(Watch.starts),
            "starts": [round(start - first, 6) for start in Watch.starts],
        }
    )


def main() -> None:
    global SLEEP_SECONDS
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sleep-ms", type=float, default=20.0)
    SLEEP_SECONDS = parser.parse_args().sleep_ms / 1000
    server.run("stdio")


if __name__ == "__main__":
    main()
