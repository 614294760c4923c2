"""MCP Apps for the pages: the View a tool's result is shown in, the requests a View
sends through the session, and the bridge's messages for the session's log."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from inspector.mcp.apps import PROTOCOL_VERSION
from inspector.mcp.errors import JsonRpcError, McpError
from inspector.services.snapshots import resident_session
from inspector.sessions import apps
from inspector.sessions.catalog import Listing

AppRefused = apps.AppRefused


@dataclass(frozen=True, slots=True)
class AppView:
    """What the page needs to show a tool's View, or why it cannot."""

    tool_name: str
    uri: str
    html: str
    csp: dict[str, list[str]]
    csp_declared: bool
    csp_ignored: list[str]
    policy: str
    allow: str
    prefers_border: bool | None
    problem: str
    tool: dict[str, Any]
    protocol_version: str = PROTOCOL_VERSION


@dataclass(frozen=True, slots=True)
class AppAnswer:
    """A View's request as it ended: the result, or a JSON-RPC error for the View."""

    result: dict[str, Any] | None = None
    error: dict[str, Any] | None = None


async def app_view_uri(*, session_id: str, name: str) -> str | None:
    """The `ui://` resource the tool's results are shown in, if it has one."""
    return apps.tool_view_uri(resident_session(session_id), name)


async def app_view_get(*, session_id: str, name: str, host: str) -> AppView | None:
    """Read the tool's View through the session; None when the tool has none. `host` is
    the inspector's origin as the page reached it: the View's policy never allows it."""
    session = resident_session(session_id)
    uri = apps.tool_view_uri(session, name)
    if uri is None:
        return None
    resource = await apps.read_view(session, uri, host=host)
    tool = session.catalog.find(Listing.TOOLS, name) or {"name": name}
    return AppView(
        tool_name=name,
        uri=uri,
        html=resource.html,
        csp=resource.csp.to_wire(),
        csp_declared=resource.csp.declared,
        csp_ignored=list(resource.csp.ignored),
        policy=resource.csp.policy(),
        allow=resource.allow,
        prefers_border=resource.prefers_border,
        problem=resource.problem,
        tool={key: tool.get(key) for key in ("name", "title", "description", "inputSchema")},
    )


async def app_request_send(*, session_id: str, method: str, params: Any) -> AppAnswer:
    """A View's `tools/call` or `resources/read`, sent through the session."""
    session = resident_session(session_id)
    try:
        result = await apps.app_request(session, method, params if isinstance(params, dict) else {})
    except AppRefused as exc:
        return AppAnswer(error={"code": exc.code, "message": str(exc)})
    except JsonRpcError as exc:
        error: dict[str, Any] = {"code": exc.code, "message": exc.message}
        if exc.data is not None:
            error["data"] = exc.data
        return AppAnswer(error=error)
    except McpError as exc:
        return AppAnswer(error={"code": -32603, "message": str(exc)})
    return AppAnswer(result=result)


async def app_bridge_record(*, session_id: str, messages: list[dict[str, Any]]) -> int:
    """Log bridge messages in the session's "app" lane; how many were kept."""
    return apps.record_bridge(resident_session(session_id), messages)


async def tool_call_refusal(*, session_id: str, name: str) -> str:
    """Why the page may not call the tool itself (it is visible only to apps), or ""."""
    return apps.refuse_page_call(resident_session(session_id), name)
