"""A surface read back from a session's events (an exported file, a CLI trace): the
server's identity from the handshake, and each list as its last complete listing."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from inspector.sessions.archive import stored_message
from inspector.surface.model import LISTS, Surface, server_summary

_METHODS = {method: key for key, method, *_ in LISTS}


def surface_of_events(
    events: Iterable[dict[str, Any]], *, server: dict[str, Any] | None = None, target: str = ""
) -> Surface:
    """`events` are stored events (`TraceEvent.to_dict()`); `server` is what the session
    recorded of its server (an archive's header), else the handshake's answer is used."""
    cursors: dict[Any, bool] = {}  # our list requests' ids: whether each asked for a cursor
    building: dict[str, list[dict[str, Any]]] = {}
    complete: dict[str, list[dict[str, Any]]] = {}
    summary = _summary_of_record(server) if server else {}
    for data in events:
        if data.get("kind") != "message":
            continue
        method = data.get("method")
        kind = data.get("message_type")
        if kind == "request" and data.get("direction") == "out" and method in _METHODS:
            params = stored_message(data).get("params")
            cursors[data.get("message_id")] = isinstance(params, dict) and "cursor" in params
        elif kind == "result" and data.get("direction") == "in":
            result = stored_message(data).get("result")
            if not isinstance(result, dict):
                continue
            if method in ("initialize", "server/discover") and not summary:
                summary = _summary_of_handshake(method, result)
            elif method in _METHODS:
                key = _METHODS[method]
                if not cursors.pop(data.get("message_id"), False):
                    building[key] = []  # a first page: a new listing starts
                items = result.get(key)
                building.setdefault(key, []).extend(
                    item for item in (items if isinstance(items, list) else [])
                    if isinstance(item, dict)
                )  # fmt: skip
                if not result.get("nextCursor"):
                    complete[key] = building.pop(key)
    return Surface(
        server=summary,
        lists=complete,
        target=target,
        incomplete=[key for key, *_ in LISTS if key in building and key not in complete],
    )


def _summary_of_record(server: dict[str, Any]) -> dict[str, Any]:
    return server_summary(
        server.get("server_info"),
        server.get("protocol_version"),
        server.get("capabilities"),
        server.get("instructions"),
    )


def _summary_of_handshake(method: str, result: dict[str, Any]) -> dict[str, Any]:
    version = result.get("protocolVersion")
    if method == "server/discover":
        versions = result.get("supportedVersions")
        version = versions[0] if isinstance(versions, list) and versions else ""
    return server_summary(
        result.get("serverInfo"), version, result.get("capabilities"), result.get("instructions")
    )
