"""The state of an arguments form: the form fields and the JSON view of one value.

A page posts either side (`source` is `form` or `json`, whichever the person edited
last), maybe with an edit to apply (`action` add/remove at a path); the answer is both
sides again, in step, with every violation of the schema placed on its field.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from inspector.schemaform.binding import (
    BoundField,
    FormData,
    Path,
    add_item,
    bind,
    initial_value,
    parse_path,
    read_form,
    remove_item,
    strip_missing,
)
from inspector.schemaform.nodes import MISSING, SchemaNode, compile_schema
from inspector.schemaform.validation import UnusableSchema, Violation, validate

EMPTY_OBJECT_SCHEMA: dict[str, Any] = {"type": "object"}


@dataclass(slots=True)
class ArgumentsState:
    schema: Any
    form: BoundField
    arguments: Any
    json_text: str
    violations: list[Violation] = field(default_factory=list)
    schema_problem: str = ""
    json_error: str = ""

    @property
    def valid(self) -> bool:
        return not self.violations and not self.json_error

    @property
    def sendable(self) -> bool:
        """Invalid arguments may still be sent on purpose; unparsable JSON may not."""
        return not self.json_error


def fresh_state(schema: Any, *, prefix: str, prefill: bool = True) -> ArgumentsState:
    """A form nobody has filled in yet; `prefill` puts the defaults of optional fields
    in it."""
    node = compile_schema(_usable(schema))
    return _state(schema, prefix, initial_value(node, prefill=prefill), {}, {}, prefill=prefill)


def posted_state(
    schema: Any, data: FormData, *, prefix: str, prefill: bool = True
) -> ArgumentsState:
    """The state a post describes, with its edit applied."""
    node = compile_schema(_usable(schema))
    if data.get("source") == "json":
        text = str(data.get("arguments_json") or "")
        try:
            working = json.loads(text) if text.strip() else {}
        except json.JSONDecodeError as exc:
            state = _state(schema, prefix, MISSING, {}, {}, prefill=prefill)
            state.json_text = text
            state.json_error = (
                f"The JSON is not valid: {exc.msg} (line {exc.lineno}, column {exc.colno})."
            )
            return state
        return _state(schema, prefix, working, {}, {}, prefill=prefill)
    reading = read_form(node, data, prefix=prefix, prefill=prefill)
    working = _with_json_only_keys(node, reading.value, data)
    at = parse_path(str(data.get("at") or "null"))
    action = data.get("action")
    if at is not None and action == "add":
        working = add_item(node, working, at, prefill=prefill)
    elif at is not None and action == "remove":
        working = remove_item(working, at)
    return _state(schema, prefix, working, reading.problems, reading.choices, prefill=prefill)


def _state(
    schema: Any,
    prefix: str,
    working: Any,
    problems: dict[Path, list[str]],
    choices: dict[str, int],
    *,
    prefill: bool,
) -> ArgumentsState:
    usable = _usable(schema)
    node = compile_schema(usable)
    arguments = strip_missing(working)
    if arguments is MISSING:
        arguments = {}
    violations = [
        Violation(path, message) for path, messages in problems.items() for message in messages
    ]
    errors: dict[Path, list[str]] = {path: list(messages) for path, messages in problems.items()}
    schema_problem = ""
    try:
        checked = validate(usable, arguments)
    except UnusableSchema as exc:
        schema_problem = str(exc)
        checked = []
    for violation in checked:
        # Checked on what is sent, shown on the form, whose arrays may hold empty items.
        errors.setdefault(_working_path(working, violation.path), []).append(violation.message)
    violations.extend(checked)
    return ArgumentsState(
        schema=schema,
        form=bind(node, working, prefix=prefix, errors=errors, choices=choices, prefill=prefill),
        arguments=arguments,
        json_text=json.dumps(arguments, indent=2, ensure_ascii=False),
        violations=violations,
        schema_problem=schema_problem,
    )


def _with_json_only_keys(node: SchemaNode, working: Any, data: FormData) -> Any:
    """The form's value, plus the top-level keys that only the JSON view can hold
    (properties the schema does not name): an edit in the form must not drop them."""
    try:
        previous = json.loads(str(data.get("arguments_json") or "{}"))
    except json.JSONDecodeError:
        return working
    if not isinstance(previous, dict) or not isinstance(working, dict):
        return working
    named = {name for name, _ in node.properties}
    extra = {key: value for key, value in previous.items() if key not in named}
    return {**working, **extra} if extra else working


def _working_path(working: Any, path: Path) -> Path:
    """A path into the sent arguments, as a path into the form's value (the n-th sent
    item of an array is the n-th item of the form that is not empty)."""
    mapped: list[str | int] = []
    node = working
    for step in path:
        if isinstance(node, list) and isinstance(step, int):
            present = [index for index, item in enumerate(node) if item is not MISSING]
            index = present[step] if step < len(present) else step
            mapped.append(index)
            node = node[index] if index < len(node) else MISSING
        else:
            mapped.append(step)
            node = node.get(step, MISSING) if isinstance(node, dict) else MISSING
    return tuple(mapped)


def _usable(schema: Any) -> Any:
    """A missing schema means "no arguments described": an object of anything."""
    return schema if isinstance(schema, dict | bool) else EMPTY_OBJECT_SCHEMA
