"""Resources as a page shows them: their facts, template expansion, and what a read returned.

Everything here comes from a server and may have any shape: a field of the wrong type is
left out of what is shown (the raw item is always one click away), never an exception.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

import uritemplate

from inspector.presenters.content import ContentView, resource_contents_view
from inspector.presenters.failures import Failure, failure_of
from inspector.presenters.wire import is_integer
from inspector.sessions.calls import CallOutcome

TEMPLATE_PREFIX = "template-var"
# Room for any real URI, but not for a page to push megabytes through a query string.
MAX_URI_CHARS = 8192


@dataclass(frozen=True, slots=True)
class Fact:
    label: str
    value: str


def resource_facts(item: dict[str, Any]) -> list[Fact]:
    """MIME type, size and annotations (audience, priority, lastModified) as text."""
    facts = []
    mime = item.get("mimeType")
    if isinstance(mime, str) and mime:
        facts.append(Fact("MIME type", mime))
    size = item.get("size")
    if is_integer(size):
        facts.append(Fact("Size", f"{size:,} byte{'' if size == 1 else 's'}"))
    annotations = item.get("annotations")
    annotations = annotations if isinstance(annotations, dict) else {}
    audience = annotations.get("audience")
    if isinstance(audience, list) and audience:
        facts.append(Fact("Audience", ", ".join(str(who) for who in audience)))
    priority = annotations.get("priority")
    if isinstance(priority, int | float) and not isinstance(priority, bool):
        facts.append(Fact("Priority", f"{priority:g} (0 to 1)"))
    modified = annotations.get("lastModified")
    if isinstance(modified, str) and modified:
        facts.append(Fact("Last modified", modified))
    return facts


@dataclass(slots=True)
class ReadView:
    uri: str
    call: CallOutcome
    contents: list[ContentView] = field(default_factory=list)
    failure: Failure | None = None
    shape_problem: str = ""
    meta: Any = None


def read_view(uri: str, call: CallOutcome) -> ReadView:
    view = ReadView(uri, call)
    if call.error is not None:
        view.failure = failure_of(call.error)
        return view
    result = call.result or {}
    view.meta = result.get("_meta")
    contents = result.get("contents")
    if not isinstance(contents, list):
        view.shape_problem = "The result has no contents array, which every read result must have."
        if contents is not None:
            view.contents = [ContentView("unknown", "result.contents", {"contents": contents})]
        return view
    if not contents:
        view.shape_problem = "The server returned no contents for this resource."
    view.contents = [
        resource_contents_view(item, f"result.contents.{index}")
        for index, item in enumerate(contents)
    ]
    return view


def template_variables(uri_template: str) -> list[str]:
    try:
        return [str(name) for name in uritemplate.URITemplate(uri_template).variable_names]
    except Exception:
        # A server's malformed template must not break the page; it just has no fields.
        return []


def template_schema(uri_template: str) -> dict[str, Any]:
    """A form of the template's variables: strings, none required (RFC 6570 leaves an
    undefined variable out of the expansion)."""
    properties = {
        name: {"type": "string", "title": name} for name in template_variables(uri_template)
    }
    return {"type": "object", "properties": properties}


def expand(uri_template: str, values: Any) -> tuple[str, str]:
    """The URI for these values, and a problem (empty when there is none)."""
    filled: dict[str, Any] = string_arguments(values)
    try:
        uri = str(uritemplate.URITemplate(uri_template).expand(filled))
    except Exception as exc:
        # The library is lenient, but the template is the server's: never trust it.
        return "", f"The template cannot be expanded: {exc}"
    if not uri:
        return "", "The expansion is empty."
    if len(uri) > MAX_URI_CHARS:
        return "", f"The expanded URI is longer than {MAX_URI_CHARS} characters."
    return uri, ""


def string_arguments(arguments: Any) -> dict[str, str]:
    return (
        {k: v for k, v in arguments.items() if isinstance(v, str)}
        if isinstance(arguments, dict)
        else {}
    )


@dataclass(frozen=True, slots=True)
class Subscription:
    uri: str

    @property
    def dom_id(self) -> str:
        """A stable element id for a URI, which may hold any character."""
        return "subscription-" + hashlib.sha256(self.uri.encode()).hexdigest()[:16]
