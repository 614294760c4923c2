"""The corpus of real-world tool schemas, and a browser's view of a bound form.

Each `corpus/*.json` holds one schema with where its shape comes from, what the form
should make of it, and values to send through it. `posted` plays the browser: it turns a
bound field tree into the form data that `templates/inspector/schemaform/field.html` would
post for it, so a round trip here is the round trip a person makes.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from inspector.schemaform.binding import BoundField
from inspector.schemaform.nodes import SchemaNode

CORPUS = Path(__file__).parent / "corpus"


@dataclass(frozen=True)
class Invalid:
    value: Any
    paths: frozenset[tuple[str | int, ...]]


@dataclass(frozen=True)
class CorpusSchema:
    name: str
    source: str
    schema: Any
    kinds: dict[str, str]
    nullable: frozenset[str]
    notes: dict[str, str]
    labels: dict[str, list[str]]
    variants: dict[str, list[str]]
    defaults: Any
    values: list[Any]
    invalid: list[Invalid]
    unresolvable: str = ""

    def __str__(self) -> str:
        return self.name


def load_corpus() -> list[CorpusSchema]:
    return [_load(path) for path in sorted(CORPUS.glob("*.json"))]


def _load(path: Path) -> CorpusSchema:
    data = json.loads(path.read_text(encoding="utf-8"))
    return CorpusSchema(
        name=path.stem,
        source=data["source"],
        schema=data["schema"],
        kinds=data["kinds"],
        nullable=frozenset(data.get("nullable", [])),
        notes=data.get("notes", {}),
        labels=data.get("labels", {}),
        variants=data.get("variants", {}),
        defaults=data["defaults"],
        values=data["values"],
        invalid=[
            Invalid(case["value"], frozenset(tuple(p) for p in case["paths"]))
            for case in data["invalid"]
        ],
        unresolvable=data.get("unresolvable", ""),
    )


def node_at(node: SchemaNode, where: str) -> SchemaNode:
    """The node a corpus path names: `labels/[]/color` (an array's item is `[]`),
    `shape/<1>/width` (a union's variant is `<n>`), `` for the root."""
    for step in where.split("/") if where else []:
        if step == "[]":
            assert node.item is not None, f"{where}: no item at {step}"
            node = node.item
        elif step.startswith("<") and step.endswith(">"):
            node = node.variants[int(step[1:-1])]
        else:
            properties = dict(node.properties)
            assert step in properties, f"{where}: no property {step} in {list(properties)}"
            node = properties[step]
    return node


@dataclass
class PostedForm:
    """Form data as a browser posts it: every name may carry several values."""

    data: dict[str, list[str]] = field(default_factory=dict)

    def add(self, name: str, value: str) -> None:
        self.data.setdefault(name, []).append(value)

    def get(self, key: str, default: Any = None) -> Any:
        values = self.data.get(key)
        return values[-1] if values else default

    def getlist(self, key: str) -> list[Any]:
        return list(self.data.get(key, []))

    def without(self, name: str) -> PostedForm:
        return PostedForm({k: list(v) for k, v in self.data.items() if k != name})


def posted(root: BoundField, extra: Iterable[tuple[str, str]] = ()) -> PostedForm:
    """What submitting the rendered form, untouched, would send."""
    form = PostedForm()
    for bound in root.walk():
        _post_field(form, bound)
    for name, value in extra:
        form.add(name, value)
    return form


def _post_field(form: PostedForm, bound: BoundField) -> None:
    widget = bound.widget
    if widget == "array":
        form.add(bound.count_name, str(len(bound.children)))
    elif widget == "union":
        form.add(bound.variant_name, str(bound.variant))
        form.add(bound.shown_variant_name, str(bound.variant))
    elif widget == "checkbox":
        form.add(bound.present_name, "1")
        if bound.checked:
            form.add(bound.name, "true")
    elif widget == "tristate":
        form.add(bound.name, {True: "true", False: "false"}.get(bound.value, ""))
    elif widget == "select":
        form.add(bound.name, _selected_option(bound))
    elif widget == "checkboxes":
        form.add(bound.present_name, "1")
        keys = bound.selected_keys
        for option in bound.node.options:
            if option.key in keys:
                form.add(bound.name, option.key)
    elif widget != "object":
        form.add(bound.name, bound.text)
    if bound.node.nullable and bound.is_null:
        form.add(bound.null_name, "1")


def _selected_option(bound: BoundField) -> str:
    keys = bound.selected_keys
    for option in bound.node.options:
        if option.key in keys:
            return option.key
    if not bound.required or not keys:
        return ""  # the "not set" option the template puts first
    # With no option marked and no "not set" offered, a browser submits the first one.
    return bound.node.options[0].key if bound.node.options else ""


def _value_params(schemas: list[CorpusSchema]) -> list[Any]:
    return [
        pytest.param(case, value, id=f"{case.name}-{index}")
        for case in schemas
        for index, value in enumerate(case.values)
    ]


def _invalid_params(schemas: list[CorpusSchema]) -> list[Any]:
    return [
        pytest.param(case, invalid, id=f"{case.name}-{index}")
        for case in schemas
        for index, invalid in enumerate(case.invalid)
    ]


def count_nodes(node: SchemaNode) -> int:
    children = [child for _, child in node.properties] + node.variants
    if node.item is not None:
        children.append(node.item)
    return 1 + sum(count_nodes(child) for child in children)


SCHEMAS = load_corpus()
# Each (schema, value) pair, and each (schema, invalid case) pair, as its own test.
VALUES = _value_params(SCHEMAS)
INVALID = _invalid_params(SCHEMAS)


def named(name: str) -> CorpusSchema:
    (found,) = [case for case in SCHEMAS if case.name == name]
    return found
