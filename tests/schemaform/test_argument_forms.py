"""The arguments form as a page drives it: fresh, posted from the form, posted as JSON."""

from __future__ import annotations

import json
from typing import Any

import pytest

from inspector.schemaform.binding import BoundField
from inspector.schemaform.state import ArgumentsState, fresh_state, posted_state
from tests.schemaform.support import (
    INVALID,
    VALUES,
    CorpusSchema,
    Invalid,
    PostedForm,
    named,
    posted,
)

PREFIX = "arg"


def json_post(text: str, **extra: str) -> PostedForm:
    form = PostedForm({"source": ["json"], "arguments_json": [text]})
    for name, value in extra.items():
        form.add(name, value)
    return form


def form_post(state: ArgumentsState, **extra: str) -> PostedForm:
    return posted(state.form, [("source", "form"), *extra.items()])


def owner_of(root: BoundField, path: tuple[str | int, ...]) -> BoundField:
    """The field an error at `path` belongs on: its own, or the nearest one above."""
    fields = {f.path: f for f in root.walk()}
    while path not in fields and path:
        path = path[:-1]
    return fields[path]


def test_a_fresh_form_holds_the_defaults(corpus: CorpusSchema) -> None:
    state = fresh_state(corpus.schema, prefix=PREFIX)
    assert state.arguments == corpus.defaults
    assert json.loads(state.json_text) == corpus.defaults
    assert state.sendable
    assert state.form.name == PREFIX


def test_a_fresh_forms_violations_sit_on_its_fields(corpus: CorpusSchema) -> None:
    state = fresh_state(corpus.schema, prefix=PREFIX)
    for violation in state.violations:
        assert violation.message in owner_of(state.form, violation.path).errors


@pytest.mark.parametrize(("corpus", "value"), VALUES)
def test_json_re_renders_the_form(corpus: CorpusSchema, value: Any) -> None:
    state = posted_state(corpus.schema, json_post(json.dumps(value)), prefix=PREFIX)
    assert state.arguments == value
    assert json.loads(state.json_text) == value
    assert state.json_error == ""
    if corpus.unresolvable:
        assert corpus.unresolvable in state.schema_problem
    else:
        assert state.valid, state.violations
    # The form drawn from the JSON carries the same value back.
    again = posted_state(corpus.schema, form_post(state), prefix=PREFIX)
    assert again.arguments == value
    assert again.violations == state.violations


@pytest.mark.parametrize(("corpus", "invalid"), INVALID)
def test_violations_from_json_are_placed_on_the_form(
    corpus: CorpusSchema, invalid: Invalid
) -> None:
    state = posted_state(corpus.schema, json_post(json.dumps(invalid.value)), prefix=PREFIX)
    assert {v.path for v in state.violations} == invalid.paths
    assert not state.valid
    assert state.sendable  # invalid arguments may still be sent on purpose
    for violation in state.violations:
        assert violation.message in owner_of(state.form, violation.path).errors


def test_unparsable_json_keeps_the_text_and_cannot_be_sent() -> None:
    schema = {"type": "object", "properties": {"q": {"type": "string"}}}
    state = posted_state(schema, json_post('{"q": "x",'), prefix=PREFIX)
    assert state.json_text == '{"q": "x",'
    assert "The JSON is not valid" in state.json_error
    assert "line 1" in state.json_error
    assert not state.sendable
    assert not state.valid
    assert state.arguments == {}


def test_empty_json_means_no_arguments() -> None:
    schema = {"type": "object", "properties": {"q": {"type": "string"}}, "required": ["q"]}
    state = posted_state(schema, json_post("  \n"), prefix=PREFIX)
    assert state.arguments == {}
    assert [(v.path, v.message) for v in state.violations] == [(("q",), "Required.")]


def test_json_that_is_not_an_object_is_a_violation_at_the_root() -> None:
    schema = {"type": "object", "properties": {"q": {"type": "string"}}}
    state = posted_state(schema, json_post("[1, 2]"), prefix=PREFIX)
    assert state.arguments == [1, 2]
    assert [v.path for v in state.violations] == [()]
    assert state.form.errors


def test_unreadable_fields_are_violations_and_stay_as_typed() -> None:
    schema = {"type": "object", "properties": {"perPage": {"type": "number", "maximum": 100}}}
    state = posted_state(
        schema, PostedForm({"source": ["form"], "arg/perPage": ["lots"]}), prefix=PREFIX
    )
    assert state.arguments == {"perPage": "lots"}
    assert state.form.children[0].text == "lots"
    assert any("is not a number" in message for message in state.form.children[0].errors)


def test_add_and_remove_items_from_the_form() -> None:
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
        "required": ["entities"],
    }
    state = fresh_state(schema, prefix=PREFIX)
    state = posted_state(schema, form_post(state, action="add", at='["entities"]'), prefix=PREFIX)
    assert state.arguments == {"entities": [{"observations": []}]}
    assert [v.path for v in state.violations] == [("entities", 0, "name")]
    assert state.form.children[0].children[0].children[0].errors == ["Required."]

    form = form_post(state, action="add", at='["entities", 0, "observations"]')
    form.data["arg/entities/0/name"] = ["Ada"]
    state = posted_state(schema, form, prefix=PREFIX)
    # The new observation is an empty field: shown, but not sent.
    assert state.arguments == {"entities": [{"name": "Ada", "observations": []}]}
    observations = state.form.children[0].children[0].children[1]
    assert [child.name for child in observations.children] == ["arg/entities/0/observations/0"]

    form = form_post(state)
    form.data["arg/entities/0/observations/0"] = ["wrote the first program"]
    state = posted_state(schema, form, prefix=PREFIX)
    assert state.arguments == {
        "entities": [{"name": "Ada", "observations": ["wrote the first program"]}]
    }

    state = posted_state(
        schema, form_post(state, action="remove", at='["entities", 0]'), prefix=PREFIX
    )
    assert state.arguments == {"entities": []}


@pytest.mark.parametrize("at", ["not json", '{"a": 1}', '["entities", 9]', "null"])
def test_edits_at_paths_that_do_not_fit_change_nothing(at: str) -> None:
    schema = {
        "type": "object",
        "properties": {"entities": {"type": "array", "items": {"type": "string"}}},
    }
    state = posted_state(schema, json_post('{"entities": ["a"]}'), prefix=PREFIX)
    for action in ("add", "remove"):
        after = posted_state(schema, form_post(state, action=action, at=at), prefix=PREFIX)
        assert after.arguments == {"entities": ["a"]}


def test_switching_a_variant_re_renders_it_afresh() -> None:
    schema = named("pydantic_discriminated_union").schema
    state = posted_state(
        schema, json_post('{"shape": {"kind": "circle", "radius": 1}}'), prefix=PREFIX
    )
    shape = state.form.children[0]
    assert (shape.widget, shape.variant) == ("union", 0)
    form = form_post(state, action="rerender")
    form.data["arg/shape/#variant"] = ["1"]
    state = posted_state(schema, form, prefix=PREFIX)
    assert state.form.children[0].variant == 1
    assert state.arguments == {"shape": {}}
    assert {v.path for v in state.violations} == {("shape",)}


def test_a_tool_without_a_schema_takes_any_object() -> None:
    for schema in (None, "not a schema", 3):
        state = fresh_state(schema, prefix=PREFIX)
        assert state.arguments == {}
        assert state.valid
        assert state.form.widget == "json"
        state = posted_state(schema, json_post('{"anything": [1]}'), prefix=PREFIX)
        assert state.arguments == {"anything": [1]}
        assert state.valid


def test_a_broken_schema_is_reported_not_raised() -> None:
    schema = {"type": "object", "properties": {"n": {"type": "integer", "minimum": "one"}}}
    state = posted_state(schema, json_post('{"n": 3}'), prefix=PREFIX)
    assert "not valid JSON Schema" in state.schema_problem
    assert state.arguments == {"n": 3}
    assert state.sendable


def test_a_network_reference_is_a_schema_problem_and_no_fetch(
    network_attempts: list[tuple[Any, ...]],
) -> None:
    schema = {
        "type": "object",
        "properties": {"address": {"$ref": "https://schemas.example.com/address.json"}},
    }
    state = fresh_state(schema, prefix=PREFIX)
    assert state.schema_problem == ""  # nothing refers to the address yet
    state = posted_state(schema, json_post('{"address": {"city": "Wellington"}}'), prefix=PREFIX)
    assert "schemas.example.com/address.json" in state.schema_problem
    assert state.form.children[0].widget == "json"
    assert json.loads(state.form.children[0].text) == {"city": "Wellington"}
    assert network_attempts == []


def test_valid_json_stays_valid_through_the_form() -> None:
    """Leaving out an optional object in JSON, then editing in the form, must not bring
    it back half-filled."""
    schema = named("zod_definitions_draft07").schema
    value = {
        "summary": "x",
        "start": "2025-01-01T00:00:00Z",
        "organizer": {"email": "a@example.com"},
    }
    state = posted_state(schema, json_post(json.dumps(value)), prefix=PREFIX)
    assert state.valid
    state = posted_state(schema, form_post(state), prefix=PREFIX)
    assert state.valid, state.violations
    assert "backup" not in state.arguments


class _Posted(dict[str, Any]):
    def getlist(self, key: str) -> list[Any]:
        value = self.get(key)
        return value if isinstance(value, list) else ([] if value is None else [value])


def test_a_form_edit_keeps_keys_only_the_json_view_holds() -> None:
    schema = {"type": "object", "properties": {"name": {"type": "string"}}}
    data = _Posted(
        {"source": "form", "arg/name": "ab", "arguments_json": '{"name": "a", "extra": 1}'}
    )
    state = posted_state(schema, data, prefix="arg")
    assert state.arguments == {"name": "ab", "extra": 1}


def test_an_array_item_error_lands_on_its_item_despite_empty_ones_before_it() -> None:
    schema = {
        "type": "object",
        "properties": {"tags": {"type": "array", "items": {"type": "string", "minLength": 2}}},
    }
    data = _Posted(
        {
            "source": "form",
            "arg/tags/#count": "3",
            "arg/tags/0": "abc",
            "arg/tags/1": "",
            "arg/tags/2": "x",
        }
    )
    state = posted_state(schema, data, prefix="arg")
    items = state.form.children[0].children
    assert items[1].errors == []
    assert any("too short" in message for message in items[2].errors)


# A tool's arguments: only what the person set is sent, and judged once touched ----------

TOOL_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "name": {"type": "string", "minLength": 2},
        "limit": {"anyOf": [{"type": "integer"}, {"type": "null"}], "default": None},
        "role": {"enum": ["admin", "viewer"], "default": "viewer"},
        "active": {"type": "boolean", "default": True},
        "level": {"type": "string", "default": "info"},
        "options": {
            "type": "object",
            "properties": {"verbose": {"type": "boolean", "default": False}},
        },
    },
    "required": ["name"],
}


def fields_of(root: BoundField) -> dict[str, BoundField]:
    return {field.name: field for field in root.walk()}


def tool_post(state: ArgumentsState, touched: list[str], **extra: str) -> PostedForm:
    return form_post(state, touched=json.dumps(touched), **extra)


def test_a_tools_fresh_form_sends_no_default_and_no_null() -> None:
    state = fresh_state(TOOL_SCHEMA, prefix=PREFIX, prefill=False, reveal=False)
    assert state.arguments == {}
    fields = fields_of(state.form)
    # The defaults are named, not filled in: left alone, nothing of them is sent.
    assert fields["arg/role"].default_hint.endswith(": viewer")
    assert fields["arg/active"].widget == "tristate"
    posted_again = posted_state(
        TOOL_SCHEMA, tool_post(state, ["arg/name"]), prefix=PREFIX, prefill=False
    )
    assert posted_again.arguments == {}
    # Elicitation forms keep their defaults, as the spec asks.
    assert fresh_state(TOOL_SCHEMA, prefix=PREFIX).arguments == {
        "limit": None,
        "role": "viewer",
        "active": True,
        "level": "info",
    }


def test_a_fresh_form_is_not_judged_before_it_is_touched() -> None:
    state = fresh_state(TOOL_SCHEMA, prefix=PREFIX, prefill=False, reveal=False)
    assert [v.message for v in state.violations] == ["Required."]
    assert state.shown_violations == []
    assert all(not field.errors for field in state.form.walk())
    assert not state.valid  # Run tool still refuses it


def test_a_touched_field_is_judged_and_the_others_wait() -> None:
    schema = {
        "type": "object",
        "properties": {"name": {"type": "string", "minLength": 2}, "city": {"type": "string"}},
        "required": ["name", "city"],
    }
    fresh = fresh_state(schema, prefix=PREFIX, prefill=False, reveal=False)
    post = tool_post(fresh, ["arg/name"])
    post.add("arg/name", "A")
    state = posted_state(schema, post, prefix=PREFIX, prefill=False)
    fields = fields_of(state.form)
    assert fields["arg/name"].errors == ["'A' is too short"]
    assert fields["arg/city"].errors == []
    assert [v.where for v in state.shown_violations] == ["name"]
    assert state.unshown_count == 1
    # Valid now: no mark left on it, whatever else waits.
    post.add("arg/name", "Ada")
    state = posted_state(schema, post, prefix=PREFIX, prefill=False)
    assert fields_of(state.form)["arg/name"].errors == []
    # A try to send shows everything.
    state = posted_state(schema, post, prefix=PREFIX, prefill=False, reveal=True)
    assert fields_of(state.form)["arg/city"].errors == ["Required."]
    assert state.reveal_all
    # So does an edit of the JSON, and it stays so for later form edits.
    assert posted_state(schema, json_post("{}"), prefix=PREFIX).reveal_all
    post.add("reveal", "1")
    assert fields_of(posted_state(schema, post, prefix=PREFIX).form)["arg/city"].errors
