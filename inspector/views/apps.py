"""MCP Apps: the View shown under a tool's result, and the two doors its bridge (the
session page's apps-host.js) uses: a View's requests, sent through the session, and the
bridge's messages, recorded in the session's "app" lane."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponseBadRequest, JsonResponse
from django.urls import reverse
from django.views.decorators.http import require_POST

from inspector import services
from inspector.views.common import resident_snapshot

# A batch of bridge messages larger than this is refused whole (the page batches a few
# hundred at most, several times a second).
MAX_BODY_BYTES = 2 * 1024 * 1024
# How long a View has to say `ui/notifications/initialized`, in milliseconds.
INIT_TIMEOUT_MS = 10_000


async def app_context(
    session_id: str,
    tool_name: str,
    request: HttpRequest,
    *,
    arguments: Any,
    result: dict[str, Any],
) -> dict[str, Any]:
    """What the tool result's App panel shows: nothing for a tool without a View; else
    the View's configuration for apps-host.js (with the call's arguments and result, its
    tool-input and tool-result), or why it cannot be shown."""
    if await services.app_view_uri(session_id=session_id, name=tool_name) is None:
        return {}
    origin = settings.INSPECTOR_APPS_ORIGIN
    if not origin:
        return {
            "app_problem": "This tool has a View, but MCP Apps need the sandbox listener "
            "that the `inspector` command starts; this server has none."
        }
    host = f"{request.scheme}://{request.get_host()}"
    view = await services.app_view_get(session_id=session_id, name=tool_name, host=host)
    if view is None:
        return {}
    if view.problem:
        return {"app_view": view, "app_problem": view.problem}
    query = urlencode({"host": host, "csp": json.dumps(view.csp)})
    config = {
        "sandbox": f"{origin}/sandbox/?{query}",
        "sandboxOrigin": origin,
        "html": view.html,
        "csp": view.csp,
        "allow": view.allow,
        "uri": view.uri,
        "tool": view.tool,
        "protocolVersion": view.protocol_version,
        "initTimeoutMs": INIT_TIMEOUT_MS,
        "arguments": arguments if isinstance(arguments, dict) else {},
        "result": result,
        "requestUrl": reverse("session-app-request", args=[session_id]),
        "logUrl": reverse("session-app-log", args=[session_id]),
    }
    return {"app_view": view, "app_config_json": json.dumps(config)}


def _body(request: HttpRequest) -> dict[str, Any] | None:
    if len(request.body) > MAX_BODY_BYTES:
        return None
    try:
        body = json.loads(request.body)
    except ValueError:
        return None
    return body if isinstance(body, dict) else None


@require_POST
async def app_request(
    request: HttpRequest, session_id: str
) -> JsonResponse | HttpResponseBadRequest:
    """A View's `tools/call` or `resources/read`, through the session (consent mode holds
    it; the Protocol tab marks it as the app's)."""
    await resident_snapshot(session_id)
    body = _body(request)
    if body is None or not isinstance(body.get("method"), str):
        return HttpResponseBadRequest("A JSON object with a method.")
    answer = await services.app_request_send(
        session_id=session_id, method=body["method"], params=body.get("params")
    )
    if answer.error is not None:
        return JsonResponse({"error": answer.error})
    return JsonResponse({"result": answer.result})


@require_POST
async def app_log(request: HttpRequest, session_id: str) -> JsonResponse | HttpResponseBadRequest:
    """The bridge's messages, in batches, for the session's "app" lane."""
    await resident_snapshot(session_id)
    body = _body(request)
    messages = body.get("messages") if body is not None else None
    if not isinstance(messages, list):
        return HttpResponseBadRequest("A JSON object with a list of messages.")
    entries = [entry for entry in messages if isinstance(entry, dict)]
    kept = await services.app_bridge_record(session_id=session_id, messages=entries)
    return JsonResponse({"kept": kept})
