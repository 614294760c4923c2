"""How a modern server refuses a request, told apart from a legacy server's errors."""

from __future__ import annotations

import json

from inspector.mcp import jsonrpc
from inspector.mcp.errors import HttpStatusError, JsonRpcError, McpError

# The errors only a modern server sends: any of them means the server is modern.
MODERN_ERROR_CODES = frozenset(
    {
        jsonrpc.HEADER_MISMATCH,
        jsonrpc.MISSING_REQUIRED_CLIENT_CAPABILITY,
        jsonrpc.UNSUPPORTED_PROTOCOL_VERSION,
    }
)


def modern_error(error: McpError) -> JsonRpcError | None:
    """The JSON-RPC error in a failure, if it is one only a modern server would send.

    Over HTTP a modern server answers such errors with 400 (or 404 with -32601 for an
    unknown method, which a legacy 404 never carries); the body tells them apart.
    """
    found = jsonrpc_error(error)
    if found is None:
        return None
    if found.code in MODERN_ERROR_CODES:
        return found
    if (
        isinstance(error, HttpStatusError)
        and error.status == 404
        and found.code == jsonrpc.METHOD_NOT_FOUND
    ):
        return found
    return None


def jsonrpc_error(error: McpError) -> JsonRpcError | None:
    """A JSON-RPC error, whether delivered as a response or as the body of an HTTP error."""
    if isinstance(error, JsonRpcError):
        return error
    if not isinstance(error, HttpStatusError):
        return None
    try:
        body = json.loads(error.body)
    except ValueError:
        return None
    payload = body.get("error") if isinstance(body, dict) else None
    code = payload.get("code") if isinstance(payload, dict) else None
    if not isinstance(code, int) or isinstance(code, bool):
        return None
    assert isinstance(payload, dict)
    return JsonRpcError(code, str(payload.get("message", "")), payload.get("data"))


def supported_versions(error: JsonRpcError) -> list[str]:
    """The versions an UnsupportedProtocolVersion error lists as the server's."""
    data = error.data if isinstance(error.data, dict) else {}
    listed = data.get("supported")
    return [v for v in listed if isinstance(v, str)] if isinstance(listed, list) else []
