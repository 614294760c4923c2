"""Prompts as a page shows them: an arguments form from their declared arguments, and the
messages a get returned, by role, with every content type."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from inspector.presenters.content import ContentView, content_view, content_views
from inspector.presenters.failures import Failure, failure_of
from inspector.presenters.tools import display_name
from inspector.presenters.wire import indented_json
from inspector.schemaform.validation import Violation
from inspector.sessions.calls import CallOutcome

PROMPT_PREFIX = "prompt-arg"
ROLES = frozenset({"user", "assistant"})


def prompt_schema(prompt: dict[str, Any]) -> dict[str, Any]:
    """A JSON schema of the prompt's arguments: all strings (the spec's `{str: str}`),
    labelled by title then name, required where the server says so."""
    properties: dict[str, Any] = {}
    required: list[str] = []
    arguments = prompt.get("arguments")
    for argument in arguments if isinstance(arguments, list) else []:
        if not isinstance(argument, dict):
            continue
        name = argument.get("name")
        if not isinstance(name, str) or not name or name in properties:
            continue
        label = display_name(argument)
        described = argument.get("description")
        notes = [described] if isinstance(described, str) and described else []
        if label != name:
            # The title is what people read; the name is what goes on the wire.
            notes.append(f"Argument name: {name}")
        prop: dict[str, Any] = {"type": "string", "title": label}
        if notes:
            prop["description"] = " · ".join(notes)
        properties[name] = prop
        if argument.get("required") is True:
            required.append(name)
    schema: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        schema["required"] = required
    return schema


@dataclass(slots=True)
class PromptMessageView:
    index: int
    role: str
    blocks: list[ContentView] = field(default_factory=list)
    problem: str = ""

    @property
    def role_class(self) -> str:
        return self.role if self.role in ROLES else "unknown"


def message_view(message: Any, index: int) -> PromptMessageView:
    at = f"result.messages.{index}"
    if not isinstance(message, dict):
        return PromptMessageView(
            index, "", [ContentView("unknown", at, {"value": message})], "Not a message object."
        )
    role = message.get("role")
    view = PromptMessageView(index, role if isinstance(role, str) else "")
    if not isinstance(role, str) or not role:
        view.problem = "The message has no role."
    elif role not in ROLES:
        view.problem = f"Unknown role {role!r}: a message is from the user or the assistant."
    content = message.get("content")
    if isinstance(content, list):
        view.blocks = content_views(content, f"{at}.content")
    elif content is None:
        view.problem = " ".join(filter(None, [view.problem, "The message has no content."]))
    else:
        view.blocks = [content_view(content, f"{at}.content")]
    return view


@dataclass(slots=True)
class PromptResultView:
    prompt_name: str
    call: CallOutcome
    arguments: dict[str, Any]
    sent_invalid: list[Violation]
    description: str = ""
    messages: list[PromptMessageView] = field(default_factory=list)
    failure: Failure | None = None
    shape_problem: str = ""
    meta: Any = None

    @property
    def arguments_json(self) -> str:
        return indented_json(self.arguments)


def prompt_result_view(
    name: str, call: CallOutcome, arguments: dict[str, Any], sent_invalid: list[Violation]
) -> PromptResultView:
    view = PromptResultView(name, call, arguments, sent_invalid)
    if call.error is not None:
        view.failure = failure_of(call.error)
        return view
    result = call.result or {}
    description = result.get("description")
    view.description = description if isinstance(description, str) else ""
    view.meta = result.get("_meta")
    messages = result.get("messages")
    if not isinstance(messages, list):
        view.shape_problem = (
            "The result has no messages array, which every prompt result must have."
        )
        return view
    view.messages = [message_view(message, index) for index, message in enumerate(messages)]
    return view
