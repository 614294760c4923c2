"""Validating values against the corpus: by the schema's dialect, formats checked,
each violation placed on the path it concerns, and never a fetch."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest
from jsonschema import Draft7Validator, Draft202012Validator

from inspector.schemaform.validation import (
    MAX_MESSAGE_CHARS,
    UnusableSchema,
    Violation,
    by_path,
    check_schema,
    validate,
)
from tests.schemaform.support import INVALID, VALUES, CorpusSchema, Invalid, named

# A schema with a network $ref cannot check anything: its own test says so.
CHECKABLE_VALUES = [param for param in VALUES if not param.values[0].unresolvable]


@pytest.mark.parametrize(("corpus", "value"), CHECKABLE_VALUES)
def test_valid_values_are_clean(corpus: CorpusSchema, value: Any) -> None:
    assert validate(corpus.schema, value) == []


@pytest.mark.parametrize(("corpus", "invalid"), INVALID)
def test_violations_are_placed_on_their_paths(corpus: CorpusSchema, invalid: Invalid) -> None:
    violations = validate(corpus.schema, invalid.value)
    assert {violation.path for violation in violations} == invalid.paths
    assert all(violation.message for violation in violations)


def test_every_corpus_schema_is_valid_json_schema(corpus: CorpusSchema) -> None:
    assert check_schema(corpus.schema) == ""


def test_unresolvable_references_are_never_fetched(
    network_attempts: list[tuple[Any, ...]],
) -> None:
    schema = {
        "type": "object",
        "properties": {"address": {"$ref": "https://schemas.example.com/postal-address.json"}},
    }
    with pytest.raises(UnusableSchema, match=re.escape("schemas.example.com/postal-address.json")):
        validate(schema, {"address": {"line1": "1 Main St"}})
    assert network_attempts == []


def test_references_relative_to_the_id_are_never_fetched(
    network_attempts: list[tuple[Any, ...]],
) -> None:
    schema = {
        "$id": "http://169.254.169.254/latest/schema.json",
        "type": "object",
        "properties": {"x": {"$ref": "meta-data.json"}},
    }
    with pytest.raises(UnusableSchema, match=re.escape("meta-data.json")):
        validate(schema, {"x": 1})
    assert network_attempts == []


def test_the_corpus_network_reference_is_unusable(
    network_attempts: list[tuple[Any, ...]],
) -> None:
    corpus = named("network_ref")
    for value in corpus.values:
        with pytest.raises(UnusableSchema, match=re.escape(corpus.unresolvable)):
            validate(corpus.schema, value)
    assert network_attempts == []


def test_values_that_never_reach_a_network_reference_are_still_checked() -> None:
    schema = {
        "type": "object",
        "properties": {
            "n": {"type": "integer"},
            "far": {"$ref": "https://schemas.example.com/far.json"},
        },
    }
    assert [v.path for v in validate(schema, {"n": "one"})] == [("n",)]


def test_a_reference_to_a_meta_schema_needs_no_fetch(
    network_attempts: list[tuple[Any, ...]],
) -> None:
    schema = {"$ref": "https://json-schema.org/draft/2020-12/schema"}
    assert validate(schema, {"type": "string"}) == []
    assert validate(schema, {"type": 5}) != []
    assert network_attempts == []


@pytest.mark.parametrize(
    "schema",
    [
        {"$ref": "#"},
        {"allOf": [{"$ref": "#"}]},
        {"$defs": {"a": {"$ref": "#/$defs/b"}, "b": {"$ref": "#/$defs/a"}}, "$ref": "#/$defs/a"},
    ],
)
def test_endless_self_reference_is_an_unusable_schema(schema: Any) -> None:
    with pytest.raises(UnusableSchema, match="itself"):
        validate(schema, {})


def test_local_references_resolve_in_each_dialect() -> None:
    draft07 = {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "properties": {"p": {"$ref": "#/definitions/P"}},
        "definitions": {"P": {"type": "integer"}},
    }
    modern = {"properties": {"p": {"$ref": "#/$defs/P"}}, "$defs": {"P": {"type": "integer"}}}
    anchored = {
        "properties": {"p": {"$ref": "#p"}},
        "$defs": {"P": {"$anchor": "p", "type": "integer"}},
    }
    for schema in (draft07, modern, anchored):
        assert [v.path for v in validate(schema, {"p": "x"})] == [("p",)]


def test_the_dialect_is_the_schemas_own() -> None:
    """dependentRequired came with 2019-09: draft-07 ignores it, the default 2020-12 does not."""
    body = {"type": "object", "dependentRequired": {"orderBy": ["direction"]}}
    value = {"orderBy": "CREATED_AT"}
    draft07 = {"$schema": "http://json-schema.org/draft-07/schema#", **body}
    assert validate(draft07, value) == []
    assert validate(body, value) == [Violation((), "'direction' is a dependency of 'orderBy'")]


def test_draft_07_tuples_are_checked_as_draft_07() -> None:
    schema = {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "type": "array",
        "items": [{"type": "string"}, {"type": "integer"}],
    }
    assert check_schema(schema) == ""
    assert [v.path for v in validate(schema, ["a", "b"])] == [(1,)]


@pytest.mark.parametrize(
    ("fmt", "good", "bad"),
    [
        ("email", "ada@example.com", "not-an-email"),
        ("date", "1815-12-10", "tomorrow"),
        ("ipv4", "192.0.2.1", "192.0.2"),
        ("uuid", "123e4567-e89b-12d3-a456-426614174000", "123"),
    ],
)
def test_formats_are_checked(fmt: str, good: str, bad: str) -> None:
    schema = {"type": "object", "properties": {"v": {"type": "string", "format": fmt}}}
    assert validate(schema, {"v": good}) == []
    violations = validate(schema, {"v": bad})
    assert [v.path for v in violations] == [("v",)]
    assert fmt in violations[0].message


@pytest.mark.parametrize(("fmt", "bad"), [("date-time", "tomorrow at nine"), ("uri", "not a uri")])
def test_elicitation_formats_that_need_an_optional_checker(fmt: str, bad: str) -> None:
    """jsonschema checks these only with its format extras, which the project requires."""
    assert fmt in Draft202012Validator.FORMAT_CHECKER.checkers
    schema = {"type": "object", "properties": {"v": {"type": "string", "format": fmt}}}
    assert [v.path for v in validate(schema, {"v": bad})] == [("v",)]


def test_formats_are_checked_in_draft_07_too() -> None:
    assert "email" in Draft7Validator.FORMAT_CHECKER.checkers
    schema = {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "properties": {"e": {"format": "email"}},
    }
    assert [v.path for v in validate(schema, {"e": "nobody"})] == [("e",)]


def test_required_is_placed_on_each_missing_property() -> None:
    schema = {
        "type": "object",
        "properties": {
            "owner": {"type": "string"},
            "repo": {"type": "string"},
            "items": {
                "type": "array",
                "items": {"type": "object", "required": ["id", "qty"]},
            },
        },
        "required": ["owner", "repo"],
    }
    violations = validate(schema, {"repo": "r", "items": [{"id": 1}, {}]})
    assert violations == [
        Violation(("owner",), "Required."),
        Violation(("items", 0, "qty"), "Required."),
        Violation(("items", 1, "id"), "Required."),
        Violation(("items", 1, "qty"), "Required."),
    ]
    assert violations[1].where == "items[0].qty"


def test_required_on_a_value_that_is_not_an_object_stays_where_it_is() -> None:
    schema = {"required": ["a"]}
    assert validate(schema, {"a": 1}) == []
    assert validate(schema, [1]) == []  # required applies to objects only


def test_violations_come_outermost_first() -> None:
    schema = {
        "type": "object",
        "properties": {"a": {"type": "object", "properties": {"b": {"type": "integer"}}}},
        "additionalProperties": False,
    }
    violations = validate(schema, {"a": {"b": "x"}, "z": 1})
    assert [v.path for v in violations] == [(), ("a", "b")]


def test_long_messages_are_shortened() -> None:
    schema = {"enum": ["x" * 400]}
    (violation,) = validate(schema, "y")
    assert len(violation.message) == MAX_MESSAGE_CHARS
    assert violation.message.endswith("…")


def test_broken_schemas_are_unusable() -> None:
    assert "not valid JSON Schema" in check_schema({"type": 5})
    assert check_schema([]) == "The schema is not a JSON object."
    with pytest.raises(UnusableSchema, match="not valid JSON Schema"):
        validate({"type": 5}, {})
    with pytest.raises(UnusableSchema):
        validate({"minLength": "two"}, "x")


def test_boolean_schemas() -> None:
    assert validate(True, {"anything": 1}) == []
    assert [v.path for v in validate(False, {})] == [()]


def test_by_path_groups_messages() -> None:
    violations = [Violation(("a",), "one"), Violation((), "root"), Violation(("a",), "two")]
    assert by_path(violations) == {("a",): ["one", "two"], (): ["root"]}
    assert Violation((), "x").where == "(the arguments)"


def test_a_catastrophic_pattern_is_cut_short() -> None:
    """A server's pattern must not stall the inspector: (a|aa)+$ on 60 a's and a ! would
    take hours to refuse by backtracking."""
    schema = {"type": "object", "properties": {"v": {"type": "string", "pattern": "^(a|aa)+$"}}}
    started = time.monotonic()
    violations = validate(schema, {"v": "a" * 60 + "!"})
    assert time.monotonic() - started < 5
    assert [v.path for v in violations] == [("v",)]
    assert "not checked" in violations[0].message


def test_patterns_still_match_and_refuse() -> None:
    schema = {"type": "string", "pattern": "^[a-z]+-\\d+$"}
    assert validate(schema, "abc-12") == []
    (violation,) = validate(schema, "ABC")
    assert "does not match" in violation.message
