"""What the inbox shows of each approval: the server's request made readable."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Protocol

from inspector.mcp.trace import ORIGIN_DETAIL, ROUND_DETAIL, TraceEvent
from inspector.presenters.content import ContentView, message_content_views
from inspector.presenters.links import UrlView, url_view
from inspector.presenters.tools import Badge, annotation_badges, display_name
from inspector.presenters.wire import indented_json
from inspector.schemaform.state import ArgumentsState, fresh_state
from inspector.sessions.approvals import ApprovalKind

DEFAULT_MODEL_NAME = "inspector-manual"
STOP_REASONS = ("endTurn", "stopSequence", "maxTokens", "toolUse")
REFUSAL_LABELS = {
    ApprovalKind.SAMPLING: "Reject",
    ApprovalKind.ROOTS: "Reject",
    ApprovalKind.TOOL_CALL: "Refuse",
}


class ApprovalFacts(Protocol):
    """What the inbox reads of an approval (the services' `ApprovalSnapshot`)."""

    @property
    def id(self) -> str: ...
    @property
    def kind(self) -> ApprovalKind: ...
    @property
    def params(self) -> dict[str, Any]: ...
    @property
    def context(self) -> dict[str, Any]: ...
    @property
    def request_seq(self) -> int | None: ...
    @property
    def pending(self) -> bool: ...
    @property
    def related_task(self) -> str | None: ...


@dataclass(slots=True)
class SamplingMessageView:
    role: str
    blocks: list[ContentView]


@dataclass(slots=True)
class SamplingView:
    messages: list[SamplingMessageView]
    system_prompt: str
    include_context: str
    max_tokens: Any
    temperature: Any
    stop_sequences: list[str]
    hints: list[str]
    priorities: list[tuple[str, Any]]
    metadata: Any
    tools: list[dict[str, Any]]
    tool_choice: Any
    suggested_model: str

    @property
    def offers_tools(self) -> bool:
        return bool(self.tools)

    @property
    def metadata_json(self) -> str:
        return indented_json(self.metadata)

    @property
    def tool_choice_json(self) -> str:
        return json.dumps(self.tool_choice, ensure_ascii=False)


def sampling_view(params: dict[str, Any]) -> SamplingView:
    raw_messages = params.get("messages")
    messages = [
        SamplingMessageView(
            str(message.get("role", "?")) if isinstance(message, dict) else "?",
            message_content_views(
                message.get("content") if isinstance(message, dict) else message,
                f"params.messages.{index}.content",
            ),
        )
        for index, message in enumerate(raw_messages if isinstance(raw_messages, list) else [])
    ]
    preferences = params.get("modelPreferences")
    preferences = preferences if isinstance(preferences, dict) else {}
    hints = [
        str(hint["name"])
        for hint in preferences.get("hints") or []
        if isinstance(hint, dict) and isinstance(hint.get("name"), str)
    ]
    priorities = [
        (name, preferences[key])
        for key, name in (
            ("intelligencePriority", "intelligence"),
            ("speedPriority", "speed"),
            ("costPriority", "cost"),
        )
        if key in preferences
    ]
    stops = params.get("stopSequences")
    tools = params.get("tools")
    return SamplingView(
        messages=messages,
        system_prompt=str(params.get("systemPrompt") or ""),
        include_context=str(params.get("includeContext") or ""),
        max_tokens=params.get("maxTokens"),
        temperature=params.get("temperature"),
        stop_sequences=[str(stop) for stop in stops] if isinstance(stops, list) else [],
        hints=hints,
        priorities=priorities,
        metadata=params.get("metadata"),
        tools=[tool for tool in tools if isinstance(tool, dict)] if isinstance(tools, list) else [],
        tool_choice=params.get("toolChoice"),
        suggested_model=hints[0] if hints else DEFAULT_MODEL_NAME,
    )


@dataclass(slots=True)
class ElicitationView:
    message: str
    mode: str  # form or url
    form: ArgumentsState | None = None
    link: UrlView | None = None
    elicitation_id: str = ""
    problem: str = ""


def elicitation_prefix(approval_id: str) -> str:
    """Field names of one elicitation's form: two pending forms never share an id."""
    return f"elicit-{approval_id[:12]}"


def elicitation_view(
    params: dict[str, Any], prefix: str, state: ArgumentsState | None = None
) -> ElicitationView:
    mode = params.get("mode") or "form"
    view = ElicitationView(str(params.get("message") or ""), str(mode))
    if mode == "url":
        view.link = url_view(params.get("url"))
        elicitation_id = params.get("elicitationId")
        view.elicitation_id = elicitation_id if isinstance(elicitation_id, str) else ""
        if not view.elicitation_id:
            view.problem = "A URL elicitation must carry an elicitationId."
        return view
    if mode != "form":
        view.problem = f"Unknown elicitation mode {mode!r}; only Decline and Cancel make sense."
        return view
    schema = params.get("requestedSchema")
    view.form = state or fresh_state(schema, prefix=prefix)
    return view


@dataclass(slots=True)
class ToolCallView:
    name: str
    title: str
    arguments_json: str
    badges: list[Badge]
    destructive: bool
    known: bool
    # How the tool drifted from the saved server's baseline ("changed", "added"), and when
    # that baseline was pinned; empty when it did not, or nothing was pinned.
    drift: str = ""
    drift_pinned: str = ""


def tool_call_view(approval: ApprovalFacts) -> ToolCallView:
    tool = approval.context.get("tool") or {}
    name = str(approval.params.get("name", ""))
    annotations = tool.get("annotations") if isinstance(tool, dict) else None
    hints = annotations if isinstance(annotations, dict) else {}
    read_only = hints.get("readOnlyHint") is True
    drift = approval.context.get("drift")
    drift = drift if isinstance(drift, dict) else {}
    return ToolCallView(
        name=name,
        title=display_name(tool) if tool else name,
        arguments_json=indented_json(approval.params.get("arguments")),
        badges=annotation_badges(tool) if tool else [],
        # The spec's default for an unannotated tool is destructive, unless read-only.
        destructive=not read_only and hints.get("destructiveHint", True) is not False,
        known=bool(tool),
        drift=str(drift.get("change", "")),
        drift_pinned=str(drift.get("pinned", "")),
    )


@dataclass(frozen=True, slots=True)
class InputOrigin:
    """The request whose result asked for this input (a 2026-07-28 multi round-trip):
    answering it lets that request go on."""

    seq: int
    request: str  # what was asked: `tools/call ask_llm`, `resources/read <uri>`
    round: int
    key: str


def input_origin(asked: TraceEvent, origin: TraceEvent | None) -> InputOrigin | None:
    """Where an input request came from, as the event that carried it records."""
    seq, number = asked.detail.get(ORIGIN_DETAIL), asked.detail.get(ROUND_DETAIL)
    if not isinstance(seq, int) or not isinstance(number, int):
        return None
    request = f"request #{seq}"
    if origin is not None and origin.method:
        params = origin.params
        target = params.get("name") or params.get("uri") if params is not None else None
        request = f"{origin.method} {target}" if isinstance(target, str) else origin.method
    return InputOrigin(seq, request, number, str(asked.detail.get("input_key", "")))


@dataclass(slots=True)
class ApprovalCard:
    """One approval as the inbox draws it."""

    approval: ApprovalFacts
    origin: InputOrigin | None = None
    sampling: SamplingView | None = None
    elicitation: ElicitationView | None = None
    tool_call: ToolCallView | None = None
    roots: list[dict[str, Any]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    note: str = ""

    @property
    def refusal_label(self) -> str:
        return REFUSAL_LABELS.get(self.approval.kind, "Reject")

    @property
    def stop_reasons(self) -> tuple[str, ...]:
        return STOP_REASONS


def approval_card(
    approval: ApprovalFacts,
    roots: list[dict[str, Any]],
    *,
    elicitation_state: ArgumentsState | None = None,
) -> ApprovalCard:
    card = ApprovalCard(approval)
    if approval.kind is ApprovalKind.SAMPLING:
        card.sampling = sampling_view(approval.params)
    elif approval.kind is ApprovalKind.ELICITATION:
        prefix = elicitation_prefix(approval.id)
        card.elicitation = elicitation_view(approval.params, prefix, elicitation_state)
    elif approval.kind is ApprovalKind.TOOL_CALL:
        card.tool_call = tool_call_view(approval)
    elif approval.kind is ApprovalKind.ROOTS:
        card.roots = roots
    return card
