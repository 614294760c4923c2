"""Compiling real-world schemas into form fields: the kinds chosen, and what is refused."""

from __future__ import annotations

import contextlib
from typing import Any

import pytest

from inspector.schemaform.binding import bind, initial_value, read_form, strip_missing
from inspector.schemaform.nodes import MAX_DEPTH, MISSING, Kind, SchemaNode, compile_schema
from inspector.schemaform.validation import UnusableSchema, validate
from tests.schemaform.support import CorpusSchema, count_nodes, node_at, posted


def test_the_corpus_is_there(corpus: CorpusSchema) -> None:
    assert corpus.source
    assert corpus.kinds, "say what the form should make of the schema"


def test_compiling_never_raises(corpus: CorpusSchema) -> None:
    assert isinstance(compile_schema(corpus.schema), SchemaNode)


def test_each_field_gets_its_kind(corpus: CorpusSchema) -> None:
    root = compile_schema(corpus.schema)
    found = {where: node_at(root, where).kind.value for where in corpus.kinds}
    assert found == corpus.kinds


def test_nullable_exactly_where_null_is_accepted(corpus: CorpusSchema) -> None:
    root = compile_schema(corpus.schema)
    nullable = {where for where in corpus.kinds if node_at(root, where).nullable}
    assert nullable == corpus.nullable


def test_notes_say_why_a_part_is_edited_as_json(corpus: CorpusSchema) -> None:
    root = compile_schema(corpus.schema)
    for where, words in corpus.notes.items():
        assert words in node_at(root, where).note, where


def test_choices_carry_their_titles(corpus: CorpusSchema) -> None:
    root = compile_schema(corpus.schema)
    for where, labels in corpus.labels.items():
        assert [option.label for option in node_at(root, where).options] == labels, where


def test_variants_are_named(corpus: CorpusSchema) -> None:
    root = compile_schema(corpus.schema)
    for where, labels in corpus.variants.items():
        assert [node.variant_label for node in node_at(root, where).variants] == labels


def test_network_references_become_json_fields_without_a_fetch(
    network_attempts: list[tuple[Any, ...]],
) -> None:
    schema = {
        "type": "object",
        "properties": {
            "a": {"$ref": "https://schemas.example.com/a.json"},
            "b": {"$ref": "//schemas.example.com/b.json"},
            "c": {"$ref": "b.json#/$defs/C"},
            "d": {"anyOf": [{"$ref": "http://10.0.0.1/d.json"}, {"type": "null"}]},
            "e": {"allOf": [{"$ref": "http://169.254.169.254/latest/meta-data"}]},
        },
    }
    root = compile_schema(schema)
    assert {name: child.kind for name, child in root.properties} == dict.fromkeys(
        "abcde", Kind.JSON
    )
    assert "does not fetch" in node_at(root, "a").note
    assert node_at(root, "d").nullable
    assert network_attempts == []


def test_elicitation_formats_choose_input_types_and_hints() -> None:
    schema = {
        "type": "object",
        "properties": {
            "email": {"type": "string", "format": "email"},
            "homepage": {"type": "string", "format": "uri"},
            "birthdate": {"type": "string", "format": "date"},
            "meetingAt": {"type": "string", "format": "date-time"},
            "name": {"type": "string", "minLength": 2, "maxLength": 50},
            "count": {"type": "integer", "minimum": 1, "maximum": 100},
        },
    }
    root = compile_schema(schema)
    types = {name: child.input_type for name, child in root.properties}
    assert types == {
        "email": "email",
        "homepage": "url",
        # A date input would empty a value it cannot parse: dates are text with a hint.
        "birthdate": "text",
        "meetingAt": "text",
        "name": "text",
        "count": "text",
    }
    assert node_at(root, "meetingAt").placeholder == "2025-01-31T09:30:00Z"
    assert node_at(root, "birthdate").placeholder == "2025-01-31"
    assert node_at(root, "name").hints == ["at least 2 characters", "at most 50 characters"]
    assert node_at(root, "count").hints == ["≥ 1", "≤ 100"]
    assert node_at(root, "email").hints == ["format email"]


def test_legacy_enum_names_of_another_length_fall_back_to_the_values() -> None:
    node = compile_schema({"enum": ["a", "b"], "enumNames": ["Only one"]})
    assert [option.label for option in node.options] == ["a", "b"]


def test_enum_with_null_is_a_nullable_choice() -> None:
    node = compile_schema({"type": ["string", "null"], "enum": ["asc", "desc", None]})
    assert node.kind is Kind.ENUM
    assert node.nullable
    assert [option.value for option in node.options] == ["asc", "desc"]


def test_all_of_follows_local_references() -> None:
    """The commonest allOf there is: a shared schema by reference, plus fields of one's own."""
    schema = {
        "allOf": [
            {"$ref": "#/$defs/Paging"},
            {"properties": {"q": {"type": "string"}}, "required": ["q"]},
        ],
        "$defs": {"Paging": {"type": "object", "properties": {"page": {"type": "integer"}}}},
    }
    root = compile_schema(schema)
    assert root.kind is Kind.OBJECT
    assert [name for name, _ in root.properties] == ["page", "q"]
    assert root.required == {"q"}


def test_all_of_wrapping_a_reference_keeps_the_description() -> None:
    schema = {
        "type": "object",
        "properties": {"owner": {"description": "Who owns it.", "allOf": [{"$ref": "#/$defs/U"}]}},
        "$defs": {
            "U": {"type": "object", "title": "User", "properties": {"id": {"type": "string"}}}
        },
    }
    owner = node_at(compile_schema(schema), "owner")
    assert (owner.kind, owner.title, owner.description) == (Kind.OBJECT, "User", "Who owns it.")


def test_titled_choices_by_reference() -> None:
    schema = {
        "oneOf": [{"$ref": "#/$defs/Red"}, {"$ref": "#/$defs/Blue"}],
        "$defs": {"Red": {"const": "r", "title": "Red"}, "Blue": {"const": "b", "title": "Blue"}},
    }
    node = compile_schema(schema)
    assert node.kind is Kind.ENUM
    assert [(option.value, option.label) for option in node.options] == [
        ("r", "Red"),
        ("b", "Blue"),
    ]


def test_recursion_through_optional_references_stops_at_the_first_repeat() -> None:
    """pydantic's Optional[Node] inside Node reaches the recursion only through anyOf."""
    schema = {
        "type": "object",
        "properties": {"head": {"anyOf": [{"$ref": "#/$defs/Node"}, {"type": "null"}]}},
        "$defs": {
            "Node": {
                "type": "object",
                "properties": {
                    "value": {"type": "string"},
                    "next": {"anyOf": [{"$ref": "#/$defs/Node"}, {"type": "null"}]},
                    "prev": {"anyOf": [{"$ref": "#/$defs/Node"}, {"type": "null"}]},
                    "up": {"allOf": [{"$ref": "#/$defs/Node"}]},
                },
            }
        },
    }
    root = compile_schema(schema)
    head = node_at(root, "head")
    assert (head.kind, head.nullable) == (Kind.OBJECT, True)
    for name in ("next", "prev", "up"):
        assert node_at(root, f"head/{name}").kind is Kind.JSON, name
    assert "recursive" in node_at(root, "head/next").note
    assert count_nodes(root) == 6


def test_a_reference_to_the_root_is_recursive() -> None:
    schema = {"type": "object", "properties": {"child": {"$ref": "#"}, "name": {"type": "string"}}}
    child = node_at(compile_schema(schema), "child")
    assert child.kind is Kind.OBJECT
    assert "recursive" in node_at(child, "child").note


def test_deep_nesting_stops_at_the_depth_limit() -> None:
    schema: dict[str, Any] = {"type": "string"}
    for _ in range(MAX_DEPTH + 5):
        schema = {"type": "object", "properties": {"x": schema}}
    node = compile_schema(schema)
    depth = 0
    while node.kind is Kind.OBJECT:
        node = node_at(node, "x")
        depth += 1
    assert node.kind is Kind.JSON
    assert "Nested too deeply" in node.note
    assert depth <= MAX_DEPTH + 1


def test_undefined_and_odd_references_are_explained() -> None:
    schema = {
        "type": "object",
        "properties": {
            "missing": {"$ref": "#/$defs/Nope"},
            "anchor": {"$ref": "#nowhere"},
            "number": {"$ref": 5},
            "nothing": {"$ref": "#/$defs/Never"},
        },
        "$defs": {"Never": False},
    }
    root = compile_schema(schema)
    assert "does not define" in node_at(root, "missing").note
    assert "does not define" in node_at(root, "anchor").note
    assert "not a string" in node_at(root, "number").note
    assert "accepts nothing" in node_at(root, "nothing").note


# Schemas no server should send, which must still give a form rather than an error.
HOSTILE: list[Any] = [
    None,
    True,
    False,
    [],
    "string",
    {"type": 5},
    {"type": []},
    {"type": ["null"]},
    {"type": "object", "properties": []},
    {"type": "object", "properties": {"a": None, "b": 3, "c": []}},
    {"type": "object", "properties": {"a": {}}, "required": "a"},
    {"type": "object", "properties": {"a": {}}, "required": [1, None, "a"]},
    {"type": "array", "items": False},
    {"type": "array", "items": [{"type": "string"}]},
    {"type": "array", "prefixItems": [{"type": "string"}]},
    {"enum": []},
    {"enum": [None]},
    {"enum": [[1], {"a": 1}, 1.5, True]},
    {"oneOf": []},
    {"anyOf": [None, 3]},
    {"oneOf": [{"type": "null"}]},
    {"allOf": "not a list"},
    {"allOf": [{"allOf": [{"type": "string"}]}]},
    {"allOf": [{"$ref": "#"}]},
    {"anyOf": [{"$ref": "#"}]},
    {"$ref": "#"},
    {"$ref": "#/a~1b/~0c"},
    {"$ref": "#/items/0", "items": [{"type": "string"}]},
    {"$defs": {"a": {"$ref": "#/$defs/b"}, "b": {"$ref": "#/$defs/a"}}, "$ref": "#/$defs/a"},
    {"type": "object", "properties": {"a": {"$anchor": "x", "$ref": "#x"}}},
    {"const": None},
    {"type": "string", "format": 7, "examples": "not a list", "title": 3, "description": []},
]


@pytest.mark.parametrize("schema", HOSTILE, ids=[str(i) for i in range(len(HOSTILE))])
def test_hostile_schemas_still_give_a_form(schema: Any) -> None:
    node = compile_schema(schema)
    value = initial_value(node)
    bound = bind(node, value, prefix="arg")
    reading = read_form(node, posted(bound), prefix="arg")
    assert strip_missing(reading.value) == strip_missing(value) or reading.value is MISSING
    with contextlib.suppress(UnusableSchema):
        validate(schema, strip_missing(value))


def test_shared_definitions_that_multiply_become_one_json_field() -> None:
    """Six levels of six properties, each a $ref to the next: 55 987 fields if expanded."""
    defs = {
        f"L{level}": {
            "type": "object",
            "properties": {f"p{n}": {"$ref": f"#/$defs/L{level + 1}"} for n in range(6)},
        }
        for level in range(6)
    }
    defs["L6"] = {"type": "string"}
    root = compile_schema({"$ref": "#/$defs/L0", "$defs": defs})
    assert root.kind is Kind.JSON
    assert "too large for a form" in root.note


def test_constraint_hints_count_in_words() -> None:
    root = compile_schema(
        {
            "type": "object",
            "properties": {
                "one": {"type": "array", "items": {"type": "string"}, "minItems": 1, "maxItems": 1},
                "two": {"type": "array", "items": {"type": "string"}, "minItems": 2},
                "letter": {"type": "string", "minLength": 1, "maxLength": 1},
            },
        }
    )
    assert node_at(root, "one").hints == ["at least 1 item", "at most 1 item"]
    assert node_at(root, "two").hints == ["at least 2 items"]
    assert node_at(root, "letter").hints == ["at least 1 character", "at most 1 character"]
