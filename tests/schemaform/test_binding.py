"""Binding corpus values to form fields and reading a posted form back."""

from __future__ import annotations

from typing import Any

import pytest

from inspector.schemaform.binding import (
    BoundField,
    add_item,
    bind,
    describe_path,
    html_id,
    initial_value,
    parse_path,
    read_form,
    remove_item,
    strip_missing,
)
from inspector.schemaform.nodes import MISSING, Kind, compile_schema
from tests.schemaform.support import VALUES, CorpusSchema, PostedForm, posted

PREFIX = "arg"


def round_trip(schema: Any, value: Any) -> Any:
    node = compile_schema(schema)
    form = posted(bind(node, value, prefix=PREFIX))
    reading = read_form(node, form, prefix=PREFIX)
    assert reading.problems == {}
    return strip_missing(reading.value)


def field_at(root: BoundField, *path: str | int) -> BoundField:
    """The innermost field at `path`: for a union, the variant's field."""
    fields = [f for f in root.walk() if f.path == path]
    assert fields, f"no field at {path}"
    return fields[-1]


def test_initial_value_is_the_schemas_defaults(corpus: CorpusSchema) -> None:
    value = strip_missing(initial_value(compile_schema(corpus.schema)))
    assert ({} if value is MISSING else value) == corpus.defaults


@pytest.mark.parametrize(("corpus", "value"), VALUES)
def test_a_value_survives_the_form(corpus: CorpusSchema, value: Any) -> None:
    assert round_trip(corpus.schema, value) == value


def test_a_fresh_form_reads_back_as_its_defaults(corpus: CorpusSchema) -> None:
    node = compile_schema(corpus.schema)
    start = initial_value(node)
    reading = read_form(node, posted(bind(node, start, prefix=PREFIX)), prefix=PREFIX)
    assert reading.problems == {}
    again = read_form(node, posted(bind(node, reading.value, prefix=PREFIX)), prefix=PREFIX)
    assert strip_missing(again.value) == strip_missing(reading.value)


def test_form_names_are_paths_with_markers_beside_them() -> None:
    schema = {
        "type": "object",
        "properties": {
            "labels": {"type": "array", "items": {"type": "string"}},
            "since": {"type": ["string", "number"]},
            "limit": {"type": ["integer", "null"]},
            "raw": {"type": "boolean", "default": False},
            "modifiers": {"type": "array", "items": {"enum": ["Alt", "Shift"]}},
        },
    }
    value = {"labels": ["bug", "ui"], "since": 5, "limit": None, "raw": True, "modifiers": ["Alt"]}
    form = posted(bind(compile_schema(schema), value, prefix=PREFIX))
    assert form.data == {
        "arg/labels/#count": ["2"],
        "arg/labels/0": ["bug"],
        "arg/labels/1": ["ui"],
        "arg/since/#variant": ["1"],
        "arg/since/#shown": ["1"],
        "arg/since": ["5"],
        "arg/limit": [""],
        "arg/limit/#null": ["1"],
        "arg/raw/#present": ["1"],
        "arg/raw": ["true"],
        "arg/modifiers/#present": ["1"],
        "arg/modifiers": ['"Alt"'],
    }


def test_property_names_cannot_collide_with_markers() -> None:
    schema = {
        "type": "object",
        "properties": {
            "#count": {"type": "string"},
            "a/b": {"type": "string"},
            "~x": {"type": "array", "items": {"type": "integer"}},
        },
    }
    root = bind(compile_schema(schema), {"#count": "c", "a/b": "d", "~x": [1]}, prefix=PREFIX)
    assert [f.name for f in root.children] == ["arg/~2count", "arg/a~1b", "arg/~0x"]
    assert field_at(root, "~x", 0).name == "arg/~0x/0"
    assert round_trip(schema, {"#count": "c", "a/b": "d", "~x": [1]}) == {
        "#count": "c",
        "a/b": "d",
        "~x": [1],
    }
    assert html_id("arg/a~1b") == "f-arg_2f_a_7e_1b"


def test_widgets_follow_the_kind_and_whether_a_boolean_may_be_left_out() -> None:
    schema = {
        "type": "object",
        "properties": {
            "required_flag": {"type": "boolean"},
            "defaulted_flag": {"type": "boolean", "default": True},
            "optional_flag": {"type": "boolean"},
            "n": {"type": "number"},
            "choice": {"enum": ["a"]},
            "many": {"type": "array", "items": {"enum": ["a"]}},
            "free": {},
        },
        "required": ["required_flag"],
    }
    root = bind(compile_schema(schema), {}, prefix=PREFIX)
    assert {f.path[0]: f.widget for f in root.children} == {
        "required_flag": "checkbox",
        "defaulted_flag": "checkbox",
        "optional_flag": "tristate",
        "n": "number",
        "choice": "select",
        "many": "checkboxes",
        "free": "json",
    }


def test_an_unset_optional_boolean_stays_unset() -> None:
    schema = {"type": "object", "properties": {"doubleClick": {"type": "boolean"}}}
    node = compile_schema(schema)
    form = posted(bind(node, {}, prefix=PREFIX))
    assert form.get("arg/doubleClick") == ""
    assert read_form(node, form, prefix=PREFIX).value == {}


def test_a_json_field_keeps_null() -> None:
    """`{}` accepts null like anything else; an empty text box would drop it."""
    schema = {"type": "object", "properties": {"data": {}, "meta": {"type": "object"}}}
    assert round_trip(schema, {"data": None}) == {"data": None}
    assert round_trip(schema, {"data": None, "meta": {"a": None}}) == {
        "data": None,
        "meta": {"a": None},
    }
    assert round_trip({}, None) is None


def test_a_discriminated_union_binds_the_variant_its_value_names() -> None:
    schema = {
        "type": "object",
        "properties": {
            "shape": {
                "oneOf": [
                    {
                        "type": "object",
                        "properties": {"kind": {"const": "circle"}, "radius": {"type": "number"}},
                        "required": ["kind", "radius"],
                    },
                    {
                        "type": "object",
                        "properties": {"kind": {"const": "rect"}, "width": {"type": "number"}},
                        "required": ["kind", "width"],
                    },
                ]
            }
        },
    }
    rect = {"shape": {"kind": "rect", "width": 3}}
    assert bind(compile_schema(schema), rect, prefix=PREFIX).children[0].variant == 1
    assert round_trip(schema, rect) == rect
    # Half filled in, it still lands on the variant its discriminator names.
    half = {"shape": {"kind": "rect"}}
    assert bind(compile_schema(schema), half, prefix=PREFIX).children[0].variant == 1


def test_a_union_of_objects_binds_the_variant_with_the_required_properties() -> None:
    """A source given either as a URL or as a path, with no discriminator at all."""
    schema = {
        "type": "object",
        "properties": {
            "source": {
                "anyOf": [
                    {
                        "type": "object",
                        "properties": {"url": {"type": "string"}},
                        "required": ["url"],
                    },
                    {
                        "type": "object",
                        "properties": {"path": {"type": "string"}},
                        "required": ["path"],
                    },
                ]
            }
        },
    }
    assert round_trip(schema, {"source": {"path": "/etc/hosts"}}) == {
        "source": {"path": "/etc/hosts"}
    }
    assert round_trip(schema, {"source": {"url": "https://example.com"}}) == {
        "source": {"url": "https://example.com"}
    }


def test_choosing_another_variant_starts_it_afresh() -> None:
    schema = {
        "type": "object",
        "properties": {
            "since": {
                "anyOf": [
                    {"type": "string", "title": "Timestamp"},
                    {
                        "type": "object",
                        "title": "Window",
                        "properties": {"days": {"type": "integer", "default": 7}},
                    },
                ]
            }
        },
        "required": ["since"],
    }
    node = compile_schema(schema)
    form = posted(bind(node, {"since": "2025-01-01"}, prefix=PREFIX))
    form.data["arg/since/#variant"] = ["1"]
    reading = read_form(node, form, prefix=PREFIX)
    assert reading.value == {"since": {"days": 7}}
    assert reading.choices == {"arg/since": 1}
    rebound = bind(node, reading.value, prefix=PREFIX, choices=reading.choices)
    assert rebound.children[0].variant == 1
    assert rebound.children[0].variants == [(0, "Timestamp"), (1, "Window")]


def test_a_chosen_variant_outlives_a_value_that_fits_another() -> None:
    schema = {"type": "object", "properties": {"v": {"type": ["number", "string"]}}}
    node = compile_schema(schema)
    bound = bind(node, {"v": "12"}, prefix=PREFIX, choices={"arg/v": 1})
    assert bound.children[0].variant == 1
    assert read_form(node, posted(bound), prefix=PREFIX).value == {"v": "12"}


def test_null_is_a_checkbox_beside_the_field() -> None:
    schema = {
        "type": "object",
        "properties": {
            "assignee": {
                "anyOf": [
                    {"type": "object", "properties": {"login": {"type": "string"}}},
                    {"type": "null"},
                ]
            }
        },
    }
    node = compile_schema(schema)
    root = bind(node, {"assignee": None}, prefix=PREFIX)
    assert field_at(root, "assignee").is_null
    form = posted(root)
    assert form.get("arg/assignee/#null") == "1"
    assert read_form(node, form, prefix=PREFIX).value == {"assignee": None}
    # Unticking null brings the object back.
    form = form.without("arg/assignee/#null")
    form.data["arg/assignee/login"] = ["octocat"]
    assert read_form(node, form, prefix=PREFIX).value == {"assignee": {"login": "octocat"}}


@pytest.mark.parametrize(
    ("kind", "text", "value", "problem"),
    [
        ("integer", "42", 42, ""),
        ("integer", " 7 ", 7, ""),
        ("integer", "2.5", 2.5, ""),
        ("number", "1e3", 1000.0, ""),
        ("number", "-0.25", -0.25, ""),
        ("integer", "twelve", "twelve", "is not a number"),
        ("number", "nan", "nan", "not a finite number"),
        ("number", "Infinity", "Infinity", "not a finite number"),
    ],
)
def test_numbers_are_read_or_reported(kind: str, text: str, value: Any, problem: str) -> None:
    schema = {"type": "object", "properties": {"n": {"type": kind}}}
    reading = read_form(compile_schema(schema), PostedForm({"arg/n": [text]}), prefix=PREFIX)
    assert reading.value == {"n": value}
    assert type(reading.value["n"]) is type(value)
    if problem:
        assert problem in reading.problems[("n",)][0]
    else:
        assert reading.problems == {}


def test_unparsable_json_and_unknown_choices_are_reported_where_they_are() -> None:
    schema = {
        "type": "object",
        "properties": {
            "env": {"type": "object", "additionalProperties": {"type": "string"}},
            "state": {"enum": ["OPEN", "CLOSED"]},
        },
    }
    data = PostedForm({"arg/env": ['{"PORT": 80'], "arg/state": ['"MERGED"']})
    reading = read_form(compile_schema(schema), data, prefix=PREFIX)
    assert reading.value == {"env": '{"PORT": 80', "state": '"MERGED"'}
    assert "Not valid JSON" in reading.problems[("env",)][0]
    assert "not one of the choices" in reading.problems[("state",)][0]


def test_a_multi_select_left_off_the_page_is_missing() -> None:
    schema = {"type": "object", "properties": {"m": {"type": "array", "items": {"enum": [1, 2]}}}}
    node = compile_schema(schema)
    assert read_form(node, PostedForm({"arg/m": ["1"]}), prefix=PREFIX).value == {}
    present = PostedForm({"arg/m/#present": ["1"], "arg/m": ["2", "1", "3"]})
    assert read_form(node, present, prefix=PREFIX).value == {"m": [1, 2]}


def test_errors_land_on_their_field_or_the_nearest_above() -> None:
    schema = {
        "type": "object",
        "properties": {
            "edits": {
                "type": "array",
                "items": {"type": "object", "properties": {"oldText": {"type": "string"}}},
            },
            "env": {"type": "object", "additionalProperties": {"type": "string"}},
        },
    }
    errors = {
        ("edits", 1, "oldText"): ["Required."],
        ("env", "PORT"): ["8080 is not of type 'string'"],
        ("nowhere", 3): ["lost"],
        (): ["Additional properties are not allowed"],
    }
    value = {"edits": [{"oldText": "a"}, {}], "env": {"PORT": 8080}}
    root = bind(compile_schema(schema), value, prefix=PREFIX, errors=errors)
    assert field_at(root, "edits", 1, "oldText").errors == ["Required."]
    assert field_at(root, "env").errors == ["8080 is not of type 'string'"]
    assert root.errors == ["lost", "Additional properties are not allowed"]
    assert field_at(root, "edits", 0, "oldText").errors == []


def test_adding_and_removing_items() -> None:
    schema = {
        "type": "object",
        "properties": {
            "entities": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "name": {"type": "string"},
                        "observations": {"type": "array", "items": {"type": "string"}},
                    },
                    "required": ["name", "observations"],
                },
            }
        },
    }
    node = compile_schema(schema)
    value: Any = {"entities": [{"name": "Ada", "observations": ["a"]}]}
    value = add_item(node, value, ("entities",))
    assert value == {"entities": [{"name": "Ada", "observations": ["a"]}, {"observations": []}]}
    value = add_item(node, value, ("entities", 0, "observations"))
    assert value["entities"][0]["observations"] == ["a", MISSING]
    assert strip_missing(value)["entities"][0]["observations"] == ["a"]
    # The empty item survives a round trip through the page as an empty field.
    reading = read_form(node, posted(bind(node, value, prefix=PREFIX)), prefix=PREFIX)
    assert reading.value["entities"][0]["observations"] == ["a", MISSING]
    value = remove_item(value, ("entities", 0))
    assert value == {"entities": [{"observations": []}]}


def test_edits_at_paths_that_do_not_fit_change_nothing() -> None:
    schema = {
        "type": "object",
        "properties": {"tags": {"type": "array", "items": {"type": "string"}}},
    }
    node = compile_schema(schema)
    value = {"tags": ["a"]}
    assert add_item(node, value, ("nope",)) == value
    assert add_item(node, value, ("tags", 0)) == value
    assert remove_item(value, ("tags",)) == value
    assert remove_item(value, ("tags", 5)) == value
    assert remove_item(value, ()) == value
    assert add_item(node, {}, ("tags",)) == {"tags": [MISSING]}


def test_adding_an_item_inside_a_union_variant() -> None:
    schema = {
        "type": "object",
        "properties": {
            "target": {
                "anyOf": [
                    {"type": "string"},
                    {
                        "type": "object",
                        "properties": {"ids": {"type": "array", "items": {"type": "integer"}}},
                    },
                ]
            }
        },
    }
    node = compile_schema(schema)
    assert add_item(node, {"target": {"ids": [1]}}, ("target", "ids")) == {
        "target": {"ids": [1, MISSING]}
    }


@pytest.mark.parametrize(
    ("text", "path"),
    [
        ('["edits", 0, "oldText"]', ("edits", 0, "oldText")),
        ("[]", ()),
        ("null", None),
        ('["a", true]', None),
        ('{"a": 1}', None),
        ("[", None),
    ],
)
def test_paths_sent_back_by_the_page(text: str, path: Any) -> None:
    assert parse_path(text) == path


def test_paths_as_people_read_them() -> None:
    assert describe_path(("entities", 0, "observations", 2)) == "entities[0].observations[2]"
    assert describe_path(()) == "(the arguments)"
    assert describe_path((1,)) == "[1]"


def test_labels_and_required_marks() -> None:
    schema = {
        "type": "object",
        "properties": {
            "owner": {"type": "string", "title": "Owner"},
            "tags": {"type": "array", "items": {"type": "string"}},
        },
        "required": ["owner", "tags"],
    }
    root = bind(compile_schema(schema), {"tags": ["x"]}, prefix=PREFIX)
    owner, tags = root.children
    assert (owner.label, owner.marked_required) == ("Owner", True)
    assert (tags.children[0].label, tags.children[0].marked_required) == ("Item 1", False)
    assert tags.children[0].node.kind is Kind.STRING


def test_an_untouched_optional_object_is_left_out() -> None:
    """A defaulted checkbox inside an optional object always posts a value, so the object
    could never be left out from the form, and its own required fields then failed."""
    schema: dict[str, Any] = {
        "type": "object",
        "properties": {
            "backup": {
                "type": "object",
                "properties": {
                    "email": {"type": "string"},
                    "optional": {"type": "boolean", "default": False},
                },
                "required": ["email"],
            }
        },
    }
    node = compile_schema(schema)
    assert initial_value(node) == {}
    assert round_trip(schema, {}) == {}
    assert round_trip(schema, {"backup": {"email": "a@example.com", "optional": False}}) == {
        "backup": {"email": "a@example.com", "optional": False}
    }
    assert round_trip(schema, {"backup": {"optional": True}}) == {"backup": {"optional": True}}
    # Once added as an array item it is wanted, defaults and all.
    listed = {"type": "array", "items": schema["properties"]["backup"]}
    assert add_item(compile_schema(listed), [], ()) == [{"optional": False}]
