"""Security lint of everything a model reads: server instructions, and the names,
descriptions and parameter descriptions of tools, prompts, resources and templates.

A model reads this text as instructions; a person usually never sees it. Characters a
person cannot see (zero-width, bidirectional overrides, Unicode tags), terminal escapes,
markup, and sentences aimed at the model ("ignore previous instructions") are how tool
poisoning hides. Each kind is one check naming where it was found.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from inspector.doctor.catalog import Catalog
from inspector.doctor.examination import Examination
from inspector.doctor.report import Section, Status, seqs

BIDI = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")
ZWJ = "\u200d"
ANSI = re.compile(r"\x1b[\[\]()#;?]*|\x9b")
MARKUP = re.compile(
    r"<\s*/?\s*(script|iframe|object|embed|style|img|svg|form|meta|link)\b|javascript:"
    r"|\bon(error|load|click)\s*=",
    re.IGNORECASE,
)
INJECTION = re.compile(
    r"ignore (all |any )?(the )?(previous|prior|above|earlier) (instructions|prompts?|rules)"
    r"|disregard (all |any )?(the )?(previous|prior|above) "
    r"|do not (tell|inform|mention (this |it )?to|show|reveal (this |it )?to) the user"
    r"|don't (tell|inform|show) the user"
    r"|without (telling|informing|asking) the user"
    r"|(reveal|print|output|send) (your|the) (system prompt|instructions)"
    r"|you are now (a|an|in) "
    r"|new instructions:"
    r"|<\s*(important|system|instructions?)\s*>",
    re.IGNORECASE,
)
# In a parameter's description, words that steer the model rather than describe the value.
STEERING = re.compile(
    r"\b(before (using|calling) (this|any) tool|you must|always (call|use|include|send|pass)"
    r"|read (the )?(file|contents of)|~/\.ssh|id_rsa|\.env\b|api[_ ]?key|password)",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class Text:
    where: str  # "tool echo: description"
    text: str
    seq: int
    parameter: bool = False


def texts(catalog: Catalog, instructions: str | None, instructions_seq: int) -> Iterator[Text]:
    if instructions:
        yield Text("server instructions", instructions, instructions_seq)
    for key, kind in (
        ("tools", "tool"),
        ("prompts", "prompt"),
        ("resources", "resource"),
        ("resourceTemplates", "template"),
    ):
        for item, seq in catalog.get(key).unique():
            name = str(item.get("name", "?"))
            for field in ("name", "title", "description"):
                value = item.get(field)
                if isinstance(value, str):
                    yield Text(f"{kind} {name}: {field}", value, seq)
            if kind == "tool":
                yield from _parameters(name, item.get("inputSchema"), seq)
            for argument in item.get("arguments") or [] if kind == "prompt" else []:
                if isinstance(argument, dict) and isinstance(argument.get("description"), str):
                    where = f"prompt {name}: argument {argument.get('name')}"
                    yield Text(where, argument["description"], seq, parameter=True)


def _parameters(tool: str, schema: Any, seq: int, path: str = "") -> Iterator[Text]:
    if not isinstance(schema, dict):
        return
    properties = schema.get("properties")
    if not isinstance(properties, dict):
        return
    for name, sub in properties.items():
        if not isinstance(sub, dict):
            continue
        for field in ("description", "title", "default"):
            value = sub.get(field)
            if isinstance(value, str):
                yield Text(f"tool {tool}: parameter {path}{name} {field}", value, seq, True)
        if len(path) < 200:
            yield from _parameters(tool, sub, seq, f"{path}{name}.")


def _invisible(text: Text) -> str | None:
    for index, char in enumerate(text.text):
        if char == ZWJ and index and unicodedata.category(text.text[index - 1]) == "So":
            continue  # joins the emoji before it to the next: visible
        if char in BIDI or 0xE0000 <= ord(char) <= 0xE007F:
            return f"U+{ord(char):04X} {unicodedata.name(char, 'tag character')}"
        if unicodedata.category(char) == "Cf":
            return f"U+{ord(char):04X} {unicodedata.name(char, 'format character')}"
    return None


def _ansi(text: Text) -> str | None:
    return "an ANSI escape sequence" if ANSI.search(text.text) else None


def _markup(text: Text) -> str | None:
    match = MARKUP.search(text.text)
    return f"{match.group(0)!r}" if match else None


def _injection(text: Text) -> str | None:
    match = INJECTION.search(text.text)
    return f"{match.group(0)!r}" if match else None


def _steering(text: Text) -> str | None:
    if not text.parameter:
        return None
    match = STEERING.search(text.text)
    return f"{match.group(0)!r}" if match else None


LINTS = (
    ("security.invisible-unicode", Status.FAIL, _invisible,
     "remove characters people cannot see (zero-width, bidirectional, tags): a model reads "
     "them, a reviewer does not"),
    ("security.ansi-escape", Status.FAIL, _ansi,
     "remove terminal escape sequences: they can hide or rewrite text in a terminal"),
    ("security.markup", Status.WARNING, _markup,
     "remove HTML and script: a host that renders it runs it"),
    ("security.injection", Status.FAIL, _injection,
     "remove text addressed to the model rather than describing the tool"),
    ("security.hidden-instructions", Status.WARNING, _steering,
     "describe the parameter's value only; instructions in parameter descriptions are how "
     "tool poisoning hides"),
)  # fmt: skip
PLANNED = (*(lint_id for lint_id, *_ in LINTS), "security.shadowing", "security.rug-pull")


def lint_texts(exam: Examination, catalog: Catalog, instructions_seq: int) -> None:
    server = exam.session.server
    found = list(texts(catalog, server.instructions if server else None, instructions_seq))
    for check_id, status, lint, fix in LINTS:
        if not found:
            exam.add(
                check_id,
                Section.SECURITY,
                Status.SKIPPED,
                "No text to read: the server listed nothing and gave no instructions.",
            )
            continue
        hits = [(text, problem) for text in found if (problem := lint(text))]
        if not hits:
            exam.add(
                check_id,
                Section.SECURITY,
                Status.PASS,
                f"Nothing found in {len(found)} texts a model reads.",
            )
            continue
        named = "; ".join(f"{text.where} ({problem})" for text, problem in hits[:6])
        more = f"; and {len(hits) - 6} more" if len(hits) > 6 else ""
        exam.add(
            check_id,
            Section.SECURITY,
            status,
            f"Found in {named}{more}. Fix: {fix}.",
            seqs(text.seq for text, _ in hits),
            places=[text.where for text, _ in hits],
        )


def compare_tools(
    exam: Examination, now: dict[str, str], before: dict[str, str] | None, evidence: tuple[int, ...]
) -> None:
    """The rug-pull check: tool definitions that changed since an earlier report."""
    if before is None:
        exam.add(
            "security.rug-pull",
            Section.SECURITY,
            Status.SKIPPED,
            "No earlier report to compare with: pass --previous REPORT.json.",
        )
        return
    changed = sorted(name for name in now.keys() & before.keys() if now[name] != before[name])
    added = sorted(now.keys() - before.keys())
    removed = sorted(before.keys() - now.keys())
    if changed:
        exam.add(
            "security.rug-pull",
            Section.SECURITY,
            Status.WARNING,
            f"{len(changed)} tool definition(s) changed since the earlier report: "
            f"{', '.join(changed)}. A definition that changes after people approved it can "
            "smuggle in new instructions: review the change.",
            evidence,
            changed=changed,
            added=added,
            removed=removed,
        )
        return
    exam.add(
        "security.rug-pull",
        Section.SECURITY,
        Status.PASS,
        f"No tool definition changed since the earlier report ({len(added)} added, "
        f"{len(removed)} removed).",
        evidence,
        added=added,
        removed=removed,
    )
