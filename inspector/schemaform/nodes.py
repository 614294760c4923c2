"""A JSON Schema compiled into the shape of a form: what to ask for, and how.

Schemas come from servers and are not trusted: anything the form cannot express (a
network `$ref`, a recursive definition, a tuple) becomes a raw JSON field with a note
saying why, never an error and never a fetch.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Final

MAX_DEPTH: Final = 12
# Shared definitions referenced from many places multiply: past this many fields a
# schema is edited as JSON, so no server can make a form that stalls the inspector.
MAX_NODES: Final = 500


class Missing:
    """No value: the argument is left out of what is sent."""

    _instance: Missing | None = None

    def __new__(cls) -> Missing:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "MISSING"

    def __bool__(self) -> bool:
        return False


MISSING: Final = Missing()


class Kind(StrEnum):
    STRING = "string"
    NUMBER = "number"
    INTEGER = "integer"
    BOOLEAN = "boolean"
    ENUM = "enum"
    MULTI_ENUM = "multi-enum"
    OBJECT = "object"
    ARRAY = "array"
    UNION = "union"
    JSON = "json"  # anything the form cannot break down: edited as JSON text


@dataclass(frozen=True, slots=True)
class Option:
    value: Any
    label: str

    @property
    def key(self) -> str:
        """The option's value as it travels in a form: its JSON text."""
        return json.dumps(self.value, sort_keys=True)


# Input types for string formats the browser helps with; the rest stay plain text.
# Plain text for dates too: a date input empties any value it cannot parse, and values
# that break the format must stay sendable on purpose.
_FORMAT_INPUT_TYPES = {"email": "email", "uri": "url", "url": "url"}
_FORMAT_PLACEHOLDERS = {
    "date": "2025-01-31",
    "date-time": "2025-01-31T09:30:00Z",
    "time": "09:30:00",
    "uuid": "123e4567-e89b-12d3-a456-426614174000",
    "ipv4": "192.0.2.1",
    "ipv6": "2001:db8::1",
    "duration": "P1DT2H",
}
# A word with a count is a (singular, plural) pair: "at least 1 item", never "1 items".
_CONSTRAINT_WORDS: dict[str, str | tuple[str, str]] = {
    "minLength": ("at least {} character", "at least {} characters"),
    "maxLength": ("at most {} character", "at most {} characters"),
    "pattern": "matching {}",
    "minimum": "≥ {}",
    "maximum": "≤ {}",
    "exclusiveMinimum": "> {}",
    "exclusiveMaximum": "< {}",
    "multipleOf": "a multiple of {}",
    "minItems": ("at least {} item", "at least {} items"),
    "maxItems": ("at most {} item", "at most {} items"),
}


@dataclass(slots=True)
class SchemaNode:
    kind: Kind
    title: str = ""
    description: str = ""
    default: Any = MISSING
    nullable: bool = False
    format: str = ""
    options: list[Option] = field(default_factory=list)
    properties: list[tuple[str, SchemaNode]] = field(default_factory=list)
    required: frozenset[str] = frozenset()
    item: SchemaNode | None = None
    variants: list[SchemaNode] = field(default_factory=list)
    constraints: dict[str, Any] = field(default_factory=dict)
    examples: list[Any] = field(default_factory=list)
    deprecated: bool = False
    note: str = ""

    @property
    def input_type(self) -> str:
        return _FORMAT_INPUT_TYPES.get(self.format, "text")

    @property
    def placeholder(self) -> str:
        if self.examples and not isinstance(self.examples[0], dict | list):
            return str(self.examples[0])
        return _FORMAT_PLACEHOLDERS.get(self.format, "")

    @property
    def hints(self) -> list[str]:
        """The constraints in words, shown under the field."""
        words = [
            _counted(template, self.constraints[name])
            for name, template in _CONSTRAINT_WORDS.items()
            if name in self.constraints
        ]
        if self.format:
            words.insert(0, f"format {self.format}")
        return words

    @property
    def variant_label(self) -> str:
        return self.title or self.kind.value


def _counted(template: str | tuple[str, str], value: Any) -> str:
    if isinstance(template, str):
        return template.format(value)
    singular, plural = template
    return (singular if value == 1 else plural).format(value)


class _Compiler:
    """Resolves local references against the root schema while compiling."""

    def __init__(self, root: Any) -> None:
        self.root = root
        self.nodes = 0

    def compile(self, schema: Any, depth: int = 0, refs: tuple[str, ...] = ()) -> SchemaNode:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise _TooLarge
        if schema is True or schema == {}:
            return SchemaNode(Kind.JSON)
        if not isinstance(schema, dict):
            return SchemaNode(Kind.JSON, note="This part of the schema accepts no value.")
        if depth > MAX_DEPTH:
            return SchemaNode(Kind.JSON, note="Nested too deeply for a form; edit it as JSON.")
        if "$ref" in schema:
            resolved, refs_or_note = self._follow(schema, refs)
            if resolved is None:
                return _annotated(SchemaNode(Kind.JSON, note=refs_or_note), schema)
            return self.compile(resolved, depth + 1, (*refs, schema["$ref"]))
        if isinstance(schema.get("allOf"), list):
            merged, followed = self._merge_all_of(schema, refs)
            if merged is None:
                return _annotated(
                    SchemaNode(
                        Kind.JSON,
                        note="Combines schemas (allOf) in a way a form "
                        "cannot show; edit it as JSON.",
                    ),
                    schema,
                )
            return self.compile(merged, depth + 1, followed)
        return _annotated(self._compile_plain(schema, depth, refs), schema)

    def _compile_plain(
        self, schema: dict[str, Any], depth: int, refs: tuple[str, ...]
    ) -> SchemaNode:
        if "const" in schema:
            return SchemaNode(Kind.ENUM, options=[Option(schema["const"], _label(schema["const"]))])
        if isinstance(schema.get("enum"), list):
            return _enum_node(schema)
        for keyword in ("oneOf", "anyOf"):
            branches = schema.get(keyword)
            if isinstance(branches, list) and branches:
                return self._branches(schema, branches, depth, refs)
        types = schema.get("type")
        if isinstance(types, list):
            named = [t for t in types if isinstance(t, str) and t != "null"]
            nullable = "null" in types
            if len(named) == 1:
                node = self._compile_plain({**schema, "type": named[0]}, depth, refs)
                node.nullable = nullable
                return node
            if not named:
                return SchemaNode(Kind.JSON, nullable=nullable)
            variants = [self._compile_plain({**schema, "type": t}, depth, refs) for t in named]
            for variant, name in zip(variants, named, strict=True):
                variant.title = name
            return SchemaNode(Kind.UNION, variants=variants, nullable=nullable)
        if types is None:
            types = _inferred_type(schema)
        return self._typed(schema, types, depth, refs)

    def _typed(
        self, schema: dict[str, Any], type_: Any, depth: int, refs: tuple[str, ...]
    ) -> SchemaNode:
        constraints = {name: schema[name] for name in _CONSTRAINT_WORDS if name in schema}
        if type_ == "string":
            fmt = schema.get("format")
            return SchemaNode(
                Kind.STRING, format=fmt if isinstance(fmt, str) else "", constraints=constraints
            )
        if type_ in ("number", "integer"):
            return SchemaNode(Kind(type_), constraints=constraints)
        if type_ == "boolean":
            return SchemaNode(Kind.BOOLEAN)
        if type_ == "null":
            return SchemaNode(Kind.JSON, nullable=True, note="Only null is accepted here.")
        if type_ == "object":
            return self._object(schema, depth, refs)
        if type_ == "array":
            return self._array(schema, depth, refs, constraints)
        return SchemaNode(Kind.JSON)

    def _object(self, schema: dict[str, Any], depth: int, refs: tuple[str, ...]) -> SchemaNode:
        properties = schema.get("properties")
        if not isinstance(properties, dict) or not properties:
            return SchemaNode(Kind.JSON, note="A free-form object: edit it as JSON.")
        required = schema.get("required")
        names = (
            frozenset(n for n in required if isinstance(n, str))
            if isinstance(required, list)
            else frozenset()
        )
        node = SchemaNode(
            Kind.OBJECT,
            properties=[
                (str(name), self.compile(sub, depth + 1, refs)) for name, sub in properties.items()
            ],
            required=names,
        )
        extra = schema.get("additionalProperties", schema.get("unevaluatedProperties"))
        if extra not in (None, False):
            node.note = "Other properties are allowed too: add them in the JSON view."
        return node

    def _array(
        self,
        schema: dict[str, Any],
        depth: int,
        refs: tuple[str, ...],
        constraints: dict[str, Any],
    ) -> SchemaNode:
        items = schema.get("items")
        if "prefixItems" in schema or isinstance(items, list):
            return SchemaNode(Kind.JSON, note="A tuple of fixed positions: edit it as JSON.")
        if items is None:
            return SchemaNode(Kind.JSON, note="An array of anything: edit it as JSON.")
        item = self.compile(items, depth + 1, refs)
        if item.kind is Kind.ENUM and not item.nullable:
            return SchemaNode(Kind.MULTI_ENUM, options=item.options, constraints=constraints)
        return SchemaNode(Kind.ARRAY, item=item, constraints=constraints)

    def _branches(
        self,
        schema: dict[str, Any],
        branches: list[Any],
        depth: int,
        refs: tuple[str, ...],
    ) -> SchemaNode:
        # Each branch as written (its $ref names it), as resolved, and the refs followed.
        resolved = [(branch, *self._resolved(branch, refs)) for branch in branches]
        non_null = [
            (written, b, followed)
            for written, b, followed in resolved
            if not (isinstance(b, dict) and b.get("type") == "null")
        ]
        nullable = len(non_null) < len(resolved)
        if non_null and all(isinstance(b, dict) and "const" in b for _, b, _ in non_null):
            # Titled enums: {"const": value, "title": label} branches.
            options = [
                Option(b["const"], str(b.get("title") or _label(b["const"])))
                for _, b, _ in non_null
            ]
            return SchemaNode(Kind.ENUM, options=options, nullable=nullable)
        # Keywords beside oneOf/anyOf (a shared type, properties) apply to every branch.
        shared = {
            k: v
            for k, v in schema.items()
            if k not in ("oneOf", "anyOf", "title", "description", "default")
        }
        if len(non_null) == 1:
            _, branch, followed = non_null[0]
            merged = {**shared, **branch} if isinstance(branch, dict) else branch
            node = self.compile(merged, depth + 1, followed)
            node.nullable = node.nullable or nullable
            return node
        variants = []
        for index, (written, branch, followed) in enumerate(non_null, start=1):
            merged = {**shared, **branch} if isinstance(branch, dict) else branch
            variant = self.compile(merged, depth + 1, followed)
            if not variant.title:
                variant.title = _branch_label(written, index)
            variants.append(variant)
        return SchemaNode(Kind.UNION, variants=variants, nullable=nullable)

    def _resolved(self, schema: Any, refs: tuple[str, ...]) -> tuple[Any, tuple[str, ...]]:
        """The schema at the end of a chain of local `$ref`s, and `refs` with those followed:
        compiling what was reached must know them, or a recursion through anyOf or allOf
        would go unnoticed. A reference that cannot be followed is left in place."""
        while isinstance(schema, dict) and "$ref" in schema:
            target, _ = self._follow(schema, refs)
            if target is None:
                break
            refs = (*refs, schema["$ref"])
            schema = target
        return schema, refs

    def _follow(
        self, schema: dict[str, Any], refs: tuple[str, ...]
    ) -> tuple[dict[str, Any] | None, str]:
        """The schema a `$ref` points to (its siblings kept), or why it cannot be used."""
        ref = schema["$ref"]
        if not isinstance(ref, str):
            return None, "A $ref that is not a string."
        if not ref.startswith("#"):
            return None, f"Refers to {ref}, which the inspector does not fetch; edit it as JSON."
        if ref in refs:
            return None, f"A recursive definition ({ref}): edit this part as JSON."
        target = (
            _resolve_pointer(self.root, ref[1:])
            if ref[1:2] in ("", "/")
            else _find_anchor(self.root, ref[1:])
        )
        if target is None:
            return None, f"Refers to {ref}, which this schema does not define."
        siblings = {k: v for k, v in schema.items() if k != "$ref"}
        if target is True:
            target = {}
        if not isinstance(target, dict):
            return None, f"Refers to {ref}, which accepts nothing."
        return {**target, **siblings}, ""

    def _merge_all_of(
        self, schema: dict[str, Any], refs: tuple[str, ...]
    ) -> tuple[dict[str, Any] | None, tuple[str, ...]]:
        merged: dict[str, Any] = {k: v for k, v in schema.items() if k != "allOf"}
        followed = refs
        for part in schema["allOf"]:
            part, part_refs = self._resolved(part, refs)
            if not isinstance(part, dict) or "$ref" in part or "allOf" in part:
                return None, refs
            followed = (*followed, *part_refs[len(refs) :])
            for key, value in part.items():
                if key == "properties" and isinstance(value, dict):
                    merged["properties"] = {**merged.get("properties", {}), **value}
                elif key == "required" and isinstance(value, list):
                    merged["required"] = [*merged.get("required", []), *value]
                else:
                    merged.setdefault(key, value)
        return merged, followed


class _TooLarge(Exception):
    pass


def compile_schema(schema: Any) -> SchemaNode:
    """The form for a schema; `{}` or a missing schema is one JSON field."""
    try:
        return _Compiler(schema).compile(schema)
    except _TooLarge:
        return SchemaNode(
            Kind.JSON, note=f"Over {MAX_NODES} fields: too large for a form; edit it as JSON."
        )


def _annotated(node: SchemaNode, schema: dict[str, Any]) -> SchemaNode:
    if isinstance(schema.get("title"), str):
        node.title = schema["title"]
    if isinstance(schema.get("description"), str):
        node.description = schema["description"]
    if "default" in schema:
        node.default = schema["default"]
    if isinstance(schema.get("examples"), list):
        node.examples = schema["examples"]
    node.deprecated = schema.get("deprecated") is True
    if schema.get("nullable") is True:  # OpenAPI's spelling, common in the wild
        node.nullable = True
    return node


def _enum_node(schema: dict[str, Any]) -> SchemaNode:
    values = schema["enum"]
    names = schema.get("enumNames")
    labels = (
        [str(name) for name in names]
        if isinstance(names, list) and len(names) == len(values)
        else [_label(value) for value in values]
    )
    options = [Option(v, label) for v, label in zip(values, labels, strict=True) if v is not None]
    types = schema.get("type")
    nullable = None in values or (isinstance(types, list) and "null" in types)
    return SchemaNode(Kind.ENUM, options=options, nullable=nullable)


def _inferred_type(schema: dict[str, Any]) -> str | None:
    if "properties" in schema or "additionalProperties" in schema:
        return "object"
    if "items" in schema or "prefixItems" in schema:
        return "array"
    if any(k in schema for k in ("minLength", "maxLength", "pattern", "format")):
        return "string"
    if any(k in schema for k in ("minimum", "maximum", "multipleOf")):
        return "number"
    return None


def _label(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def _branch_label(branch: Any, index: int) -> str:
    if isinstance(branch, dict):
        if isinstance(branch.get("type"), str):
            return str(branch["type"])
        if isinstance(branch.get("$ref"), str):
            return str(branch["$ref"]).rsplit("/", 1)[-1]
    return f"Option {index}"


def _resolve_pointer(root: Any, pointer: str) -> Any:
    node = root
    for raw in pointer.split("/")[1:]:
        token = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict) and token in node:
            node = node[token]
        elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
            node = node[int(token)]
        else:
            return None
    return node


def _find_anchor(root: Any, anchor: str) -> Any:
    """A plain-name fragment (`#name`) names the subschema whose `$anchor` it is."""
    stack = [root]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if node.get("$anchor") == anchor:
                return node
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return None
