"""A session's HTTP exchanges as an HTTP Archive (HAR 1.2), which browsers' devtools open.

The exchanges are the transport's (`http` events: MCP POSTs, GET streams, DELETEs) and
the OAuth flow's (each step of an `auth` event), as recorded: headers and bodies already
masked. The document is written piece by piece, an entry at a time, so a long session
never sits whole in memory.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from inspector.mcp.trace import EventKind

MEDIA_TYPE = "application/json"
# The events that record HTTP exchanges; no other kind gives an entry.
EVENT_KINDS = (EventKind.HTTP.value, EventKind.AUTH.value)


def document_ends(*, creator_version: str) -> tuple[str, str]:
    """What comes before the first entry and after the last."""
    creator = {"name": "MCP Inspector", "version": creator_version}
    opening = '{"log": {"version": "1.2", "creator": ' + json.dumps(creator) + ', "entries": [\n'
    return opening, "]}}\n"


def har_entries_json(data: dict[str, Any]) -> list[str]:
    """The HAR entries of one stored event, each as JSON text."""
    return [json.dumps(entry, ensure_ascii=False) for entry in entries_of(data)]


def join_entries(entries: list[str]) -> str:
    return ",\n".join(entries)


def entries_of(data: dict[str, Any]) -> list[dict[str, Any]]:
    """The HAR entries of one stored event: one per HTTP exchange it records."""
    detail = data.get("detail")
    if not isinstance(detail, dict):
        return []
    ended = float(data.get("timestamp", 0.0))
    if data.get("kind") == EventKind.HTTP.value and "method" in detail:
        return [_entry(detail, ended, response_body=detail.get("body"))]
    step = detail.get("step")
    if data.get("kind") == EventKind.AUTH.value and isinstance(step, dict):
        exchanges = step.get("exchanges")
        return [
            _entry(
                exchange,
                ended,
                request_body=exchange.get("request_body"),
                response_body=exchange.get("response_body"),
            )
            for exchange in exchanges or []
            if isinstance(exchange, dict) and "method" in exchange
        ]
    return []


def _entry(
    exchange: dict[str, Any],
    ended: float,
    *,
    request_body: Any = None,
    response_body: Any = None,
) -> dict[str, Any]:
    duration = float(exchange.get("duration_ms") or 0.0)
    url = str(exchange.get("url", ""))
    request_headers = _headers(exchange.get("request_headers"))
    response_headers = _headers(exchange.get("response_headers"))
    status = exchange.get("status")
    request: dict[str, Any] = {
        "method": str(exchange.get("method", "")),
        "url": url,
        "httpVersion": "HTTP/1.1",
        "cookies": [],
        "headers": request_headers,
        "queryString": [
            {"name": name, "value": value}
            for name, value in parse_qsl(urlsplit(url).query, keep_blank_values=True)
        ],
        "headersSize": -1,
        "bodySize": -1,
    }
    if isinstance(request_body, str):
        request["postData"] = {
            "mimeType": _header(request_headers, "content-type") or MEDIA_TYPE,
            "text": request_body,
        }
    text = response_body if isinstance(response_body, str) else ""
    response: dict[str, Any] = {
        "status": status if isinstance(status, int) else 0,
        "statusText": _reason(status),
        "httpVersion": "HTTP/1.1",
        "cookies": [],
        "headers": response_headers,
        "content": {
            "size": len(text.encode()),
            "mimeType": str(
                exchange.get("content_type") or _header(response_headers, "content-type") or ""
            ),
            **({"text": text} if text else {}),
        },
        "redirectURL": _header(response_headers, "location"),
        "headersSize": -1,
        "bodySize": -1,
    }
    if exchange.get("error"):
        response["_error"] = str(exchange["error"])  # HAR's custom fields start with "_"
    started = datetime.fromtimestamp(ended - duration / 1000, tz=UTC)
    return {
        "startedDateTime": started.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "time": duration,
        "request": request,
        "response": response,
        "cache": {},
        "timings": {"send": 0, "wait": duration, "receive": 0},
    }


def _headers(headers: Any) -> list[dict[str, str]]:
    if not isinstance(headers, dict):
        return []
    return [{"name": str(name), "value": str(value)} for name, value in headers.items()]


def _header(headers: list[dict[str, str]], name: str) -> str:
    return next((each["value"] for each in headers if each["name"].lower() == name), "")


def _reason(status: Any) -> str:
    try:
        return HTTPStatus(status).phrase
    except (ValueError, TypeError):
        return ""
