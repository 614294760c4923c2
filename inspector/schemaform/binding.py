"""A compiled schema bound to a value: the fields a page renders, and reading them back.

A form's working value may hold `MISSING` where a field is empty (an array item just
added, say), so that what the person sees survives a round trip through the page; the
arguments actually sent are the working value with those holes removed (`strip_missing`).

Field names are the argument's path under a prefix, each step escaped as in a JSON
pointer (and `#` as `~2`), so that the markers a field needs beside its value
(`name/#count`, `name/#null`, `name/#variant`) can never collide with a property.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from inspector.schemaform.nodes import MISSING, Kind, SchemaNode

Path = tuple[str | int, ...]
COUNT = "#count"
NULL = "#null"
VARIANT = "#variant"
SHOWN_VARIANT = "#shown"
PRESENT = "#present"


class FormData(Protocol):
    """What a form post offers (Django's QueryDict has it)."""

    def get(self, key: str, default: Any = None) -> Any: ...

    def getlist(self, key: str) -> list[Any]: ...


def escape(token: str | int) -> str:
    return str(token).replace("~", "~0").replace("/", "~1").replace("#", "~2")


def child_name(parent: str, token: str | int) -> str:
    return f"{parent}/{escape(token)}"


def marker_name(name: str, marker: str) -> str:
    """The name of a marker beside a field's value; unescaped, so no property matches it."""
    return f"{name}/{marker}"


def html_id(name: str) -> str:
    return "f-" + re.sub(r"[^A-Za-z0-9_-]", lambda m: f"_{ord(m.group()):x}_", name)


def describe_path(path: Path) -> str:
    """A path as people read it: `address.lines[2]`, or `(the arguments)` for the root."""
    text = ""
    for step in path:
        text += f"[{step}]" if isinstance(step, int) else (f".{step}" if text else str(step))
    return text or "(the arguments)"


@dataclass(slots=True)
class BoundField:
    node: SchemaNode
    name: str
    path: Path
    label: str
    required: bool
    value: Any
    children: list[BoundField] = field(default_factory=list)
    variant: int = 0
    errors: list[str] = field(default_factory=list)
    # Whether an optional field starts out holding its schema's default (elicitation
    # forms, as the spec asks), or empty, its default only named (arguments sent to a
    # server, which applies its own defaults: only what the person set is sent).
    prefilled: bool = True

    @property
    def id(self) -> str:
        return html_id(self.name)

    @property
    def marked_required(self) -> bool:
        """Required, as a person should be told: an array's items go without saying."""
        return self.required and not (self.path and isinstance(self.path[-1], int))

    @property
    def widget(self) -> str:
        kind = self.node.kind
        if kind is Kind.BOOLEAN:
            # A checkbox always says true or false; left alone, an optional one says nothing.
            has_default = self.node.default is not MISSING and self.prefilled
            return "checkbox" if self.required or has_default else "tristate"
        if kind in (Kind.NUMBER, Kind.INTEGER):
            return "number"
        if kind is Kind.ENUM:
            return "select"
        if kind is Kind.MULTI_ENUM:
            return "checkboxes"
        if kind is Kind.STRING:
            return "text"
        return kind.value

    @property
    def default_hint(self) -> str:
        """The schema's default, when the field does not start out holding it."""
        default = self.node.default
        if self.prefilled or self.required or default is MISSING:
            return ""
        labels = [option.label for option in self.node.options if option.value == default]
        shown = labels[0] if labels else json.dumps(default, ensure_ascii=False)
        return f"Left empty, the server's default applies: {shown}"

    @property
    def is_null(self) -> bool:
        return self.node.nullable and self.value is None

    @property
    def text(self) -> str:
        """The value as the field's text input shows it."""
        value = self.value
        if value is MISSING:
            return ""
        # A JSON field's null is text like any other value, unless the null box carries it.
        if self.node.kind is Kind.JSON and not self.is_null:
            return json.dumps(value, indent=2, ensure_ascii=False)
        if value is None:
            return ""
        if isinstance(value, str):
            return value
        return json.dumps(value, ensure_ascii=False)

    @property
    def checked(self) -> bool:
        return self.value is True

    @property
    def selected_keys(self) -> set[str]:
        values = self.value if isinstance(self.value, list) else [self.value]
        return {json.dumps(v, sort_keys=True) for v in values if v is not MISSING}

    @property
    def count_name(self) -> str:
        return marker_name(self.name, COUNT)

    @property
    def null_name(self) -> str:
        return marker_name(self.name, NULL)

    @property
    def variant_name(self) -> str:
        return marker_name(self.name, VARIANT)

    @property
    def shown_variant_name(self) -> str:
        return marker_name(self.name, SHOWN_VARIANT)

    @property
    def present_name(self) -> str:
        return marker_name(self.name, PRESENT)

    @property
    def hints(self) -> list[str]:
        return self.node.hints

    @property
    def variants(self) -> list[tuple[int, str]]:
        return [(index, node.variant_label) for index, node in enumerate(self.node.variants)]

    def walk(self) -> list[BoundField]:
        fields = [self]
        for child in self.children:
            fields.extend(child.walk())
        return fields


def initial_value(node: SchemaNode, required: bool = True, *, prefill: bool = True) -> Any:
    """What a fresh form holds: the containers that must be there, and defaults (of the
    optional fields too when `prefill`)."""
    if node.default is not MISSING and (prefill or required):
        return node.default
    if node.kind is Kind.OBJECT:
        if not required:
            # Left out until wanted: filled with its fields' defaults it would be sent, and
            # its required fields, which nobody asked for, would fail.
            return MISSING
        return {
            name: initial
            for name, child in node.properties
            if (initial := initial_value(child, name in node.required, prefill=prefill))
            is not MISSING
        }
    if node.kind in (Kind.ARRAY, Kind.MULTI_ENUM):
        return [] if required else MISSING
    if node.kind is Kind.BOOLEAN and required:
        return False
    if node.kind is Kind.UNION and required and node.variants:
        return initial_value(node.variants[0], prefill=prefill)
    return MISSING


def strip_missing(value: Any) -> Any:
    """The value to send: holes left by empty fields removed."""
    if isinstance(value, dict):
        return {k: strip_missing(v) for k, v in value.items() if v is not MISSING}
    if isinstance(value, list):
        return [strip_missing(v) for v in value if v is not MISSING]
    return value


def bind(
    node: SchemaNode,
    value: Any,
    *,
    prefix: str,
    errors: Mapping[Path, list[str]] | None = None,
    choices: Mapping[str, int] | None = None,
    prefill: bool = True,
) -> BoundField:
    """The field tree for `value`, with each error placed on the field it concerns."""
    root = _Binder(choices or {}, prefill).bind(node, value, prefix, (), "Arguments", True)
    if errors:
        place_errors(root, errors)
    return root


class _Binder:
    def __init__(self, choices: Mapping[str, int], prefill: bool) -> None:
        self.choices = choices
        self.prefill = prefill

    def bind(
        self, node: SchemaNode, value: Any, name: str, path: Path, label: str, required: bool
    ) -> BoundField:
        bound = BoundField(node, name, path, node.title or label, required, value)
        bound.prefilled = self.prefill
        if node.kind is Kind.OBJECT:
            props = value if isinstance(value, dict) else {}
            bound.children = [
                self.bind(
                    child,
                    props.get(prop, MISSING),
                    child_name(name, prop),
                    (*path, prop),
                    prop,
                    prop in node.required,
                )
                for prop, child in node.properties
            ]
        elif node.kind is Kind.ARRAY and node.item is not None:
            items = value if isinstance(value, list) else []
            bound.children = [
                self.bind(
                    node.item,
                    item,
                    child_name(name, index),
                    (*path, index),
                    f"Item {index + 1}",
                    True,
                )
                for index, item in enumerate(items)
            ]
        elif node.kind is Kind.UNION and node.variants:
            chosen = self.choices.get(name)
            if chosen is None or not 0 <= chosen < len(node.variants):
                chosen = _matching_variant(node.variants, value)
            bound.variant = chosen
            inner = value if value is not None else MISSING
            variant = self.bind(node.variants[chosen], inner, name, path, bound.label, required)
            bound.children = [variant]
        return bound


def _matching_variant(variants: Sequence[SchemaNode], value: Any) -> int:
    if value is MISSING or value is None:
        return 0
    # Objects are told apart by their fixed (discriminator) properties and their required
    # ones; failing that, by the fixed ones alone, so a half-filled object still lands
    # on the variant it names.
    for strict in (True, False):
        for index, variant in enumerate(variants):
            if _accepts(variant, value, strict=strict):
                return index
    return 0


def _accepts(node: SchemaNode, value: Any, *, strict: bool = True) -> bool:
    kind = node.kind
    if kind is Kind.OBJECT and isinstance(value, dict):
        properties = dict(node.properties)
        fixed = [
            (properties[name], item)
            for name, item in value.items()
            if name in properties and properties[name].kind is Kind.ENUM
        ]
        return (not strict or node.required <= value.keys()) and all(
            (item is None and child.nullable) or _accepts(child, item) for child, item in fixed
        )
    if kind is Kind.STRING:
        return isinstance(value, str)
    if kind is Kind.INTEGER:
        return isinstance(value, int) and not isinstance(value, bool)
    if kind is Kind.NUMBER:
        return isinstance(value, int | float) and not isinstance(value, bool)
    if kind is Kind.BOOLEAN:
        return isinstance(value, bool)
    if kind is Kind.OBJECT:
        return isinstance(value, dict)
    if kind in (Kind.ARRAY, Kind.MULTI_ENUM):
        return isinstance(value, list)
    if kind is Kind.ENUM:
        return any(option.value == value for option in node.options)
    return True


def place_errors(root: BoundField, errors: Mapping[Path, list[str]]) -> None:
    """Each message goes to its field, or to the nearest field above it."""
    by_path = {f.path: f for f in root.walk()}
    for path, messages in errors.items():
        target = path
        while target not in by_path and target:
            target = target[:-1]
        owner = by_path.get(target, root)
        for message in messages:
            if message not in owner.errors:
                owner.errors.append(message)


# -- reading a posted form back --------------------------------------------------------


@dataclass(slots=True)
class FormReading:
    value: Any
    problems: dict[Path, list[str]] = field(default_factory=dict)
    choices: dict[str, int] = field(default_factory=dict)


def read_form(
    node: SchemaNode, data: FormData, *, prefix: str, prefill: bool = True
) -> FormReading:
    """The working value a posted form describes, and what could not be read."""
    reading = FormReading(MISSING)
    reading.value = _Reader(data, reading, prefill).read(node, prefix, (), True)
    return reading


class _Reader:
    def __init__(self, data: FormData, reading: FormReading, prefill: bool) -> None:
        self.data = data
        self.reading = reading
        self.prefill = prefill

    def problem(self, path: Path, message: str) -> None:
        self.reading.problems.setdefault(path, []).append(message)

    def read(self, node: SchemaNode, name: str, path: Path, required: bool) -> Any:
        if node.nullable and self.data.get(marker_name(name, NULL)) == "1":
            return None
        kind = node.kind
        if kind is Kind.OBJECT:
            value = {}
            for prop, child in node.properties:
                item = self.read(
                    child, child_name(name, prop), (*path, prop), prop in node.required
                )
                if item is not MISSING:
                    value[prop] = item
            fresh = initial_value(node, prefill=self.prefill)
            if not required and node.default is MISSING and value == fresh:
                # Nothing in it but a fresh one's defaults (a checkbox always posts one):
                # an optional object left alone.
                return MISSING
            return value
        if kind is Kind.ARRAY and node.item is not None:
            count = _int(self.data.get(marker_name(name, COUNT)))
            items = [
                self.read(node.item, child_name(name, index), (*path, index), True)
                for index in range(count)
            ]
            return items if items or required else MISSING
        if kind is Kind.UNION and node.variants:
            chosen = _int(self.data.get(marker_name(name, VARIANT)))
            chosen = chosen if chosen < len(node.variants) else 0
            self.reading.choices[name] = chosen
            shown = self.data.get(marker_name(name, SHOWN_VARIANT))
            if shown is not None and _int(shown) != chosen:
                # The person picked another variant: its fields start afresh.
                return initial_value(node.variants[chosen], required, prefill=self.prefill)
            return self.read(node.variants[chosen], name, path, required)
        if kind is Kind.MULTI_ENUM:
            if self.data.get(marker_name(name, PRESENT)) is None:
                return MISSING
            keys = set(self.data.getlist(name))
            chosen_values = [o.value for o in node.options if o.key in keys]
            return chosen_values if chosen_values or required else MISSING
        if kind is Kind.BOOLEAN:
            raw = self.data.get(name)
            if self.data.get(marker_name(name, PRESENT)) is not None:
                return raw == "true"
            return {"true": True, "false": False}.get(raw or "", MISSING)
        raw = self.data.get(name)
        if raw is None or raw == "":
            return MISSING
        if kind is Kind.ENUM:
            for option in node.options:
                if option.key == raw:
                    return option.value
            self.problem(path, f"{raw} is not one of the choices.")
            return raw
        if kind in (Kind.NUMBER, Kind.INTEGER):
            return self.number(str(raw).strip(), path)
        if kind is Kind.JSON:
            try:
                return json.loads(raw)
            except json.JSONDecodeError as exc:
                self.problem(
                    path, f"Not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})."
                )
                return raw
        return str(raw)

    def number(self, raw: str, path: Path) -> Any:
        try:
            return int(raw)
        except ValueError:
            pass
        try:
            number = float(raw)
        except ValueError:
            self.problem(path, f"{raw!r} is not a number; it would be sent as a string.")
            return raw
        if not math.isfinite(number):
            self.problem(path, f"{raw!r} is not a finite number; JSON cannot carry it.")
            return raw
        return number


def _int(raw: Any) -> int:
    try:
        return max(0, int(raw))
    except (TypeError, ValueError):
        return 0


# -- editing the working value ---------------------------------------------------------


def add_item(node: SchemaNode, value: Any, path: Path, *, prefill: bool = True) -> Any:
    """The working value with one more (empty) item in the array at `path`."""
    array_node = _node_at(node, value, path)
    if array_node is None or array_node.item is None:
        return value
    item = initial_value(array_node.item, prefill=prefill)
    return _replace(value, path, lambda items: [*(items if isinstance(items, list) else []), item])


def remove_item(value: Any, path: Path) -> Any:
    """The working value without the array item at `path` (its last step is the index)."""
    if not path or not isinstance(path[-1], int):
        return value
    index = path[-1]
    return _replace(
        value,
        path[:-1],
        lambda items: (
            [v for i, v in enumerate(items) if i != index] if isinstance(items, list) else items
        ),
    )


def parse_path(text: str) -> Path | None:
    """A path sent back by a page as JSON (`["tags", 0]`); None when malformed."""
    try:
        steps = json.loads(text)
    except json.JSONDecodeError:
        return None
    if not isinstance(steps, list) or not all(
        isinstance(s, str) or (isinstance(s, int) and not isinstance(s, bool)) for s in steps
    ):
        return None
    return tuple(steps)


def _node_at(node: SchemaNode, value: Any, path: Path) -> SchemaNode | None:
    for step in path:
        if node.kind is Kind.UNION and node.variants:
            node = node.variants[_matching_variant(node.variants, value)]
        if node.kind is Kind.OBJECT and isinstance(step, str):
            found = dict(node.properties).get(step)
            if found is None:
                return None
            node = found
            value = value.get(step, MISSING) if isinstance(value, dict) else MISSING
        elif node.kind is Kind.ARRAY and isinstance(step, int) and node.item is not None:
            node = node.item
            value = value[step] if isinstance(value, list) and step < len(value) else MISSING
        else:
            return None
    if node.kind is Kind.UNION and node.variants:
        node = node.variants[_matching_variant(node.variants, value)]
    return node


def _replace(value: Any, path: Path, change: Any) -> Any:
    if not path:
        return change(value)
    step, rest = path[0], path[1:]
    if isinstance(step, str):
        container = dict(value) if isinstance(value, dict) else {}
        container[step] = _replace(container.get(step, MISSING), rest, change)
        return container
    if isinstance(value, list) and step < len(value):
        items = list(value)
        items[step] = _replace(items[step], rest, change)
        return items
    return value
