"""What a recorded session asked of its server, in order, with what it was answered:
the requests a replay sends again (lists, tool calls, reads, prompts, completions; not
the handshake, not notifications)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from inspector.sessions.archive import stored_message

REPLAYED_METHODS = (
    "tools/list",
    "resources/list",
    "resources/templates/list",
    "prompts/list",
    "tools/call",
    "resources/read",
    "prompts/get",
    "completion/complete",
)


@dataclass(frozen=True, slots=True)
class Step:
    seq: int  # the recorded request's event
    method: str
    params: dict[str, Any] | None
    # The recorded answer: {"result": ...} or {"error": ...}; empty when none was recorded.
    recorded: dict[str, Any]

    @property
    def may_change_things(self) -> bool:
        """A tool call may act on the world: it is replayed only when a person says so."""
        return self.method == "tools/call"

    @property
    def label(self) -> str:
        params = self.params or {}
        name = params.get("name") or params.get("uri") or ""
        return f"{self.method} {name}".strip()


class PlanReader:
    """Reads stored events (`TraceEvent.to_dict()`) one at a time, keeping only the
    replayable requests and their answers: a long session is read in pages."""

    def __init__(self) -> None:
        self._requests: dict[int, tuple[str, dict[str, Any] | None]] = {}
        self._answers: dict[int, dict[str, Any]] = {}

    def add(self, data: dict[str, Any]) -> None:
        if data.get("kind") != "message":
            return
        seq, kind = data.get("seq"), data.get("message_type")
        if (
            kind == "request"
            and data.get("direction") == "out"
            and data.get("method") in REPLAYED_METHODS
            and isinstance(seq, int)
        ):
            self._requests[seq] = (str(data["method"]), _params(stored_message(data)))
        elif kind in ("result", "error") and data.get("request_seq") in self._requests:
            message = stored_message(data)
            key = "result" if kind == "result" else "error"
            self._answers.setdefault(data["request_seq"], {key: message.get(key)})

    def steps(self) -> list[Step]:
        """In the order the requests were sent."""
        return [
            Step(seq, method, params, self._answers.get(seq, {}))
            for seq, (method, params) in sorted(self._requests.items())
        ]


def plan_of(events: Iterable[dict[str, Any]]) -> list[Step]:
    """The steps of stored events (see `PlanReader`)."""
    reader = PlanReader()
    for data in events:
        reader.add(data)
    return reader.steps()


def _params(message: dict[str, Any]) -> dict[str, Any] | None:
    """The request's params without `_meta`: the replaying session sends its own (its
    progress token, and in the modern era its envelope)."""
    params = message.get("params")
    if not isinstance(params, dict):
        return None
    return {key: value for key, value in params.items() if key != "_meta"}
