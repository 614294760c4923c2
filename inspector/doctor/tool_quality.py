"""Tool quality: a schema portability lint, and what a host shows people about a tool.

The spec allows any JSON Schema object as a tool's `inputSchema`; the hosts that turn it
into a model's function declaration do not. Their common refusals are checked here: a root
that is not `type: object`, a top-level `oneOf`/`anyOf`/`allOf`, a `$ref` to another
document, no `properties`, a schema too large to send with every request, and `format`s
outside JSON Schema's own list. Each kind of problem is one check naming the tools that
have it, with the seq of the page that listed them.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

from inspector.doctor.catalog import Listed
from inspector.doctor.examination import Examination
from inspector.doctor.report import Section, Status, seqs

HUGE_SCHEMA_BYTES = 32 * 1024
KNOWN_FORMATS = frozenset(
    {
        "date-time", "date", "time", "duration", "email", "idn-email", "hostname",
        "idn-hostname", "ipv4", "ipv6", "uri", "uri-reference", "iri", "iri-reference",
        "uuid", "uri-template", "json-pointer", "relative-json-pointer", "regex",
    }
)  # fmt: skip
COMBINATORS = ("oneOf", "anyOf", "allOf")

Lint = Callable[[dict[str, Any]], str | None]


def _root_type(tool: dict[str, Any]) -> str | None:
    schema = tool.get("inputSchema")
    if not isinstance(schema, dict):
        return "no inputSchema object"
    if schema.get("type") != "object":
        return f"root type is {json.dumps(schema.get('type'))}"
    return None


def _combinator(tool: dict[str, Any]) -> str | None:
    schema = _schema(tool)
    found = [name for name in COMBINATORS if name in schema]
    return f"top-level {', '.join(found)}" if found else None


def _remote_ref(tool: dict[str, Any]) -> str | None:
    refs = [
        value
        for key, value in _walk(_schema(tool))
        if key == "$ref" and isinstance(value, str) and not value.startswith("#")
    ]
    return f"$ref {refs[0]}" if refs else None


def _no_properties(tool: dict[str, Any]) -> str | None:
    schema = _schema(tool)
    if schema.get("type") == "object" and not isinstance(schema.get("properties"), dict):
        return "no properties"
    return None


def _huge(tool: dict[str, Any]) -> str | None:
    size = len(json.dumps(tool.get("inputSchema"), ensure_ascii=False).encode())
    return f"{size // 1024} KB" if size > HUGE_SCHEMA_BYTES else None


def _unknown_format(tool: dict[str, Any]) -> str | None:
    formats = sorted(
        {
            value
            for key, value in _walk(_schema(tool))
            if key == "format" and isinstance(value, str) and value not in KNOWN_FORMATS
        }
    )
    return f"format {', '.join(formats)}" if formats else None


def _no_description(tool: dict[str, Any]) -> str | None:
    description = tool.get("description")
    return None if isinstance(description, str) and description.strip() else "no description"


def _no_title(tool: dict[str, Any]) -> str | None:
    annotations = tool.get("annotations")
    annotated = isinstance(annotations, dict) and annotations.get("title")
    return None if tool.get("title") or annotated else "no title"


def _no_annotations(tool: dict[str, Any]) -> str | None:
    annotations = tool.get("annotations")
    hints = ("readOnlyHint", "destructiveHint", "idempotentHint", "openWorldHint")
    if isinstance(annotations, dict) and any(hint in annotations for hint in hints):
        return None
    return "no behaviour hints"


# id, status when found, what to fix, the lint
LINTS: tuple[tuple[str, Status, str, Lint], ...] = (
    ("tools.schema.root-object", Status.FAIL,
     "make the inputSchema's root `type: object` (hosts build function calls from it)",
     _root_type),
    ("tools.schema.top-level-combinator", Status.WARNING,
     "move oneOf/anyOf/allOf below the root: several hosts reject them at the top",
     _combinator),
    ("tools.schema.remote-ref", Status.WARNING,
     "inline the referenced schema: hosts do not fetch other documents",
     _remote_ref),
    ("tools.schema.properties", Status.WARNING,
     "declare `properties` (an empty object for a tool without arguments)",
     _no_properties),
    ("tools.schema.size", Status.WARNING,
     f"shrink the schema below {HUGE_SCHEMA_BYTES // 1024} KB: it is sent with every request",
     _huge),
    ("tools.schema.format", Status.WARNING,
     "use JSON Schema's own formats only: hosts reject or drop others",
     _unknown_format),
    ("tools.description", Status.WARNING,
     "describe each tool: the model chooses tools by their description", _no_description),
    ("tools.title", Status.WARNING,
     "give each tool a human-readable title, shown to people in hosts", _no_title),
    ("tools.annotations", Status.WARNING,
     "add annotations (readOnlyHint, destructiveHint, ...) so hosts can ask for consent "
     "wisely", _no_annotations),
)  # fmt: skip
PLANNED = (*(lint_id for lint_id, *_ in LINTS), "tools.output-schema", "tools.read-only")


def lint_tools(exam: Examination, listed: Listed | None) -> None:
    if listed is None:
        reason = "The server declares no tools capability."
        for check_id in PLANNED:
            exam.add(check_id, Section.TOOLS, Status.SKIPPED, reason)
        return
    tools = listed.unique()
    if not tools and not listed.complete:
        for check_id in PLANNED:
            exam.add(
                check_id,
                Section.TOOLS,
                Status.SKIPPED,
                "The tool list could not be read (see catalog.tools).",
            )
        return
    for check_id, status, fix, lint in LINTS:
        hits = [(tool, seq, problem) for tool, seq in tools if (problem := lint(tool))]
        if not hits:
            exam.add(check_id, Section.TOOLS, Status.PASS, f"All {len(tools)} tools are fine here.")
            continue
        named = ", ".join(f"{_name(tool)} ({problem})" for tool, _, problem in hits[:8])
        more = f" and {len(hits) - 8} more" if len(hits) > 8 else ""
        exam.add(
            check_id,
            Section.TOOLS,
            status,
            f"{len(hits)} of {len(tools)} tools: {named}{more}. Fix: {fix}.",
            seqs(seq for _, seq, _ in hits),
            tools=[_name(tool) for tool, _, _ in hits],
        )
    with_output = [_name(tool) for tool, _ in tools if isinstance(tool.get("outputSchema"), dict)]
    exam.add(
        "tools.output-schema",
        Section.TOOLS,
        Status.PASS,
        f"{len(with_output)} of {len(tools)} tools declare an outputSchema "
        "(needed only by tools that return structuredContent).",
        tools=with_output,
    )
    read_only = [
        _name(tool)
        for tool, _ in tools
        if isinstance(tool.get("annotations"), dict) and tool["annotations"].get("readOnlyHint")
    ]
    exam.add(
        "tools.read-only",
        Section.TOOLS,
        Status.PASS,
        (
            f"Read-only by their annotations, safest to try with --call-tool: "
            f"{', '.join(read_only)}."
            if read_only
            else "No tool says it is read-only; tools are called only with --call-tool."
        ),
        tools=read_only,
    )


def _schema(tool: dict[str, Any]) -> dict[str, Any]:
    schema = tool.get("inputSchema")
    return schema if isinstance(schema, dict) else {}


def _name(tool: dict[str, Any]) -> str:
    return str(tool.get("name", "?"))


def _walk(value: Any, depth: int = 0) -> Iterator[tuple[str, Any]]:
    """Every (key, value) pair of a JSON document, to a sane depth."""
    if depth > 64:
        return
    if isinstance(value, dict):
        for key, item in value.items():
            yield key, item
            yield from _walk(item, depth + 1)
    elif isinstance(value, list):
        for item in value:
            yield from _walk(item, depth + 1)
