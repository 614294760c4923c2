"""Tools as a page shows them: names, annotation badges, and what a call returned."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from inspector.mcp.errors import JsonRpcError, McpError
from inspector.mcp.jsonrpc import URL_ELICITATION_REQUIRED
from inspector.presenters.content import SHOWN_TEXT_CHARS, ContentView, content_views
from inspector.presenters.failures import failure_of
from inspector.presenters.links import UrlView, url_view
from inspector.presenters.wire import indented_json
from inspector.schemaform.validation import UnusableSchema, Violation, validate
from inspector.sessions.calls import CallOutcome

# (annotation, label when true, label when false, the spec's default when unset)
_HINTS = (
    ("readOnlyHint", "read-only", "may modify", False),
    ("destructiveHint", "destructive", "non-destructive", True),
    ("idempotentHint", "idempotent", "not idempotent", False),
    ("openWorldHint", "open world", "closed world", True),
)


def display_name(item: dict[str, Any]) -> str:
    """title, then annotations.title, then name (the spec's order)."""
    annotations = item.get("annotations")
    for candidate in (
        item.get("title"),
        annotations.get("title") if isinstance(annotations, dict) else None,
        item.get("name"),
    ):
        if isinstance(candidate, str) and candidate:
            return candidate
    return "(unnamed)"


@dataclass(frozen=True, slots=True)
class Badge:
    label: str
    tone: str  # danger, safe, neutral
    assumed: bool  # the server did not say; the spec's default applies

    @property
    def title(self) -> str:
        source = "the spec's default (the server did not say)" if self.assumed else "the server"
        return f"A hint from {source}; hints are not guarantees and are not trusted."


def annotation_badges(tool: dict[str, Any]) -> list[Badge]:
    annotations = tool.get("annotations")
    annotations = annotations if isinstance(annotations, dict) else {}
    read_only = annotations.get("readOnlyHint") is True
    badges = []
    for key, when_true, when_false, default in _HINTS:
        value = annotations.get(key)
        assumed = not isinstance(value, bool)
        state = default if assumed else value
        if read_only and key in ("destructiveHint", "idempotentHint"):
            # The spec gives these meaning only for tools that modify their environment.
            continue
        label = when_true if state else when_false
        tone = (
            "danger"
            if (key == "destructiveHint" and state)
            else ("safe" if key == "readOnlyHint" and state else "neutral")
        )
        badges.append(Badge(label, tone, assumed))
    return badges


@dataclass(frozen=True, slots=True)
class UrlElicitation:
    message: str
    link: UrlView


@dataclass(slots=True)
class StructuredVerdict:
    state: str  # valid, invalid, missing, unchecked, none
    message: str = ""
    violations: list[Violation] = field(default_factory=list)


@dataclass(slots=True)
class ToolResultView:
    tool_name: str
    call: CallOutcome
    arguments: Any
    sent_invalid: list[Violation]
    content: list[ContentView] = field(default_factory=list)
    is_error: bool = False
    structured: Any = None
    has_structured: bool = False
    verdict: StructuredVerdict | None = None
    error_code: int | None = None
    error_message: str = ""
    error_data: Any = None
    failure: str = ""
    failure_kind: str = ""  # cancelled, timeout or failed, as `Failure.kind`
    failure_label: str = ""
    shape_problem: str = ""

    @property
    def structured_json(self) -> str:
        return self._structured_text[:SHOWN_TEXT_CHARS]

    @property
    def structured_size(self) -> int:
        return len(self._structured_text)

    @property
    def structured_truncated(self) -> bool:
        return self.structured_size > SHOWN_TEXT_CHARS

    @property
    def _structured_text(self) -> str:
        return indented_json(self.structured)

    @property
    def error_data_json(self) -> str:
        return indented_json(self.error_data)

    @property
    def arguments_json(self) -> str:
        return indented_json(self.arguments)

    @property
    def url_elicitations(self) -> list[UrlElicitation] | None:
        """The pages a -32042 error asks the person to visit before a retry."""
        if self.error_code != URL_ELICITATION_REQUIRED:
            return None
        listed = self.error_data.get("elicitations") if isinstance(self.error_data, dict) else None
        return [
            UrlElicitation(str(item.get("message") or ""), url_view(item.get("url")))
            for item in listed or []
            if isinstance(item, dict)
        ]

    @property
    def status(self) -> str:
        if self.failure:
            return self.failure_kind or "failed"
        if self.error_code is not None:
            return "jsonrpc-error"
        return "tool-error" if self.is_error else "ok"


def tool_result_view(
    tool: dict[str, Any], call: CallOutcome, arguments: Any, sent_invalid: list[Violation]
) -> ToolResultView:
    view = ToolResultView(str(tool.get("name", "")), call, arguments, sent_invalid)
    if call.error is not None:
        _with_error(view, call.error)
        return view
    result = call.result or {}
    content = result.get("content")
    if not isinstance(content, list):
        view.shape_problem = "The result has no content array, which every tool result must have."
    view.content = content_views(content, "result.content")
    view.is_error = result.get("isError") is True
    view.has_structured = "structuredContent" in result
    view.structured = result.get("structuredContent")
    view.verdict = _structured_verdict(tool.get("outputSchema"), view)
    return view


def _with_error(view: ToolResultView, error: McpError) -> None:
    if isinstance(error, JsonRpcError):
        view.error_code = error.code
        view.error_message = error.message
        view.error_data = error.data
    else:
        failure = failure_of(error)
        view.failure = failure.text
        view.failure_kind = failure.kind
        view.failure_label = failure.label


def _structured_verdict(schema: Any, view: ToolResultView) -> StructuredVerdict:
    if schema is None:
        return StructuredVerdict("none")
    if not view.has_structured:
        if view.is_error:
            return StructuredVerdict("unchecked", "A tool error need not carry structured content.")
        return StructuredVerdict(
            "missing",
            "The tool declares an outputSchema, so its result must carry structuredContent.",
        )
    try:
        violations = validate(schema, view.structured)
    except UnusableSchema as exc:
        return StructuredVerdict("unchecked", str(exc))
    if violations:
        return StructuredVerdict(
            "invalid", "structuredContent does not match the outputSchema.", violations
        )
    return StructuredVerdict("valid", "structuredContent matches the outputSchema.")
