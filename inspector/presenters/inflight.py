"""Requests in flight as the In flight panel shows them: what each is, for how long it
has run, how far the server says it has got, and whether it may be cancelled."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from inspector.mcp.client.types import InFlight
from inspector.presenters.wire import as_mapping, as_text

SUMMARY_CHARS = 120
# The spec forbids cancelling initialize; disconnecting is the way out of a handshake.
NOT_CANCELLABLE = frozenset({"initialize"})


def progress_text(progress: float | None, total: float | None, message: str) -> str:
    """A request's progress in words, as its row and its call's box show it: the panel
    renders it, and the page's script writes it from the progress signal."""
    if progress is None:
        return ""
    counted = f"{progress:g} of {total:g}" if total else f"{progress:g}"
    return f"{message} ({counted})" if message else counted


def summary(method: str, params: Mapping[str, Any]) -> str:
    """What the request is about, in a few words: a tool, a URI, a prompt, a page."""
    if method in ("tools/call", "prompts/get"):
        text = as_text(params.get("name"))
    elif method.startswith("resources/") and "uri" in params:
        text = as_text(params.get("uri"))
    elif method == "completion/complete":
        ref = as_mapping(params.get("ref"))
        argument = as_mapping(params.get("argument"))
        target = as_text(ref.get("name")) or as_text(ref.get("uri"))
        text = f"{target} · {as_text(argument.get('name'))}".strip(" ·")
    elif method.endswith("/list"):
        text = "next page" if params.get("cursor") else "first page"
    elif method == "logging/setLevel":
        text = as_text(params.get("level"))
    elif method == "initialize":
        text = f"offering {as_text(params.get('protocolVersion'))}".strip()
    else:
        text = ""
    return text if len(text) <= SUMMARY_CHARS else text[: SUMMARY_CHARS - 1] + "…"


@dataclass(frozen=True, slots=True)
class InFlightRow:
    key: str  # the request id as text
    method: str
    summary: str
    elapsed: float  # seconds; the page's script words it and counts it on
    progress_token: str
    progress: float | None
    total: float | None
    progress_message: str
    cancellable: bool

    @property
    def label(self) -> str:
        """The request in words, for a button's accessible name."""
        about = f" {self.summary}" if self.summary else ""
        return f"{self.method}{about} (id {self.key})"

    @property
    def has_progress(self) -> bool:
        return self.progress is not None

    @property
    def bar_max(self) -> float | None:
        return self.total if self.total else None

    @property
    def bar_value(self) -> float | None:
        if self.progress is None or not self.total:
            return None
        return min(self.progress, self.total)

    @property
    def progress_text(self) -> str:
        return progress_text(self.progress, self.total, self.progress_message)


def in_flight_rows(requests: list[InFlight]) -> list[InFlightRow]:
    return [
        InFlightRow(
            key=str(request.id),
            method=request.method,
            summary=summary(request.method, request.params),
            elapsed=request.elapsed,
            # Tokens travel as text in the page's progress signals.
            progress_token="" if request.progress_token is None else str(request.progress_token),
            progress=request.progress,
            total=request.total,
            progress_message=request.progress_message,
            cancellable=request.method not in NOT_CANCELLABLE,
        )
        for request in requests
    ]
