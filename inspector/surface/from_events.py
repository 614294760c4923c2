"""A surface read back from a session's events (an exported file, a CLI trace): the
server's identity from the handshake, and each list as its last complete listing."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from inspector.sessions.archive import stored_message
from inspector.surface.model import LISTS, Surface, server_summary

_METHODS = {method: key for key, method, *_ in LISTS}


class SurfaceReader:
    """Reads a session's stored events (`TraceEvent.to_dict()`) one at a time, keeping only
    the lists being built: a long session is read in pages, never held whole."""

    def __init__(self, *, server: dict[str, Any] | None = None, target: str = "") -> None:
        """`server` is what the session recorded of its server (an archive's header);
        without it, the handshake's answer is used."""
        self.target = target
        self._summary = _summary_of_record(server) if server else {}
        self._cursors: dict[Any, bool] = {}  # our list requests: whether each had a cursor
        self._building: dict[str, list[dict[str, Any]]] = {}
        self._complete: dict[str, list[dict[str, Any]]] = {}

    def add(self, data: dict[str, Any]) -> None:
        if data.get("kind") != "message":
            return
        method = data.get("method")
        kind = data.get("message_type")
        if kind == "request" and data.get("direction") == "out" and method in _METHODS:
            params = stored_message(data).get("params")
            self._cursors[data.get("message_id")] = isinstance(params, dict) and "cursor" in params
        elif kind == "result" and data.get("direction") == "in":
            result = stored_message(data).get("result")
            if not isinstance(result, dict):
                return
            if method in ("initialize", "server/discover") and not self._summary:
                self._summary = _summary_of_handshake(method, result)
            elif method in _METHODS:
                self._page(_METHODS[method], data.get("message_id"), result)

    def _page(self, key: str, request_id: Any, result: dict[str, Any]) -> None:
        if not self._cursors.pop(request_id, False):
            self._building[key] = []  # a first page: a new listing starts
        items = result.get(key)
        self._building.setdefault(key, []).extend(
            item for item in (items if isinstance(items, list) else []) if isinstance(item, dict)
        )
        if not result.get("nextCursor"):
            self._complete[key] = self._building.pop(key)

    def surface(self) -> Surface:
        complete = self._complete
        return Surface(
            server=self._summary,
            lists=dict(complete),
            target=self.target,
            incomplete=[key for key, *_ in LISTS if key in self._building and key not in complete],
        )


def surface_of_events(
    events: Iterable[dict[str, Any]], *, server: dict[str, Any] | None = None, target: str = ""
) -> Surface:
    """The surface `events` show (see `SurfaceReader`)."""
    reader = SurfaceReader(server=server, target=target)
    for data in events:
        reader.add(data)
    return reader.surface()


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
