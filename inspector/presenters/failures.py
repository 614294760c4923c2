"""A request that produced no result, as a page says it: a JSON-RPC error, a cancel, a
timeout (naming the limit it ran into), or some other failure."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from inspector.mcp.errors import JsonRpcError, McpError, RequestCancelled, RequestTimeout
from inspector.presenters.wire import indented_json


@dataclass(slots=True)
class Failure:
    """A request that got no result: a JSON-RPC error, or none at all (timeout, lost
    connection, cancel). `kind` is one of jsonrpc, cancelled, timeout, failed."""

    text: str
    code: int | None = None
    data: Any = None
    kind: str = "failed"
    label: str = "request failed"

    @property
    def data_json(self) -> str:
        return indented_json(self.data)

    @property
    def cancelled(self) -> bool:
        return self.kind == "cancelled"


def failure_of(error: McpError) -> Failure:
    """What went wrong, with a short label that says it plainly: a cancel is not a
    failure of the server, and a timeout names the limit it ran into."""
    if isinstance(error, JsonRpcError):
        return Failure(
            error.message, error.code, error.data, "jsonrpc", f"JSON-RPC error {error.code}"
        )
    text = str(error) or type(error).__name__
    if isinstance(error, RequestCancelled):
        return Failure(text, kind="cancelled", label="Cancelled")
    if isinstance(error, RequestTimeout):
        return Failure(text, kind="timeout", label=f"Timed out ({error.limit.value})")
    return Failure(text)


def failure_text(error: McpError) -> str:
    """A failed request in one line, as a person reads it (a JSON-RPC error reads
    "JSON-RPC error <code>: <message>")."""
    return str(error) or type(error).__name__
