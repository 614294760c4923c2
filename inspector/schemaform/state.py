"""The state of an arguments form: the form fields and the JSON view of one value.

A page posts either side (`source` is `form` or `json`, whichever the person edited
last), maybe with an edit to apply (`action` add/remove at a path); the answer is both
sides again, in step, with every violation of the schema placed on its field.

A page may also post the fields the person has touched (`touched`, a JSON list of field
names): then only their problems are shown, until the person edits the JSON or tries to
send (`reveal`), so that a fresh form does not open in red. A page that posts no
`touched` is shown every problem.
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
    place_errors,
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
    # The violations the person is shown (see the module's note); all once revealed.
    shown_violations: list[Violation] = field(default_factory=list)
    reveal_all: bool = True

    @property
    def unshown_count(self) -> int:
        return len(self.violations) - len(self.shown_violations)

    @property
    def valid(self) -> bool:
        return not self.violations and not self.json_error

    @property
    def sendable(self) -> bool:
        """Invalid arguments may still be sent on purpose; unparsable JSON may not."""
        return not self.json_error


@dataclass(frozen=True, slots=True)
class _Reveal:
    """Which problems the person is shown: all, or those of the fields touched."""

    everything: bool = True
    names: frozenset[str] = frozenset()
    paths: frozenset[Path] = frozenset()


def fresh_state(
    schema: Any, *, prefix: str, prefill: bool = True, reveal: bool = True
) -> ArgumentsState:
    """A form nobody has filled in yet; `prefill` puts the defaults of optional fields
    in it, `reveal` shows its problems before anything is touched."""
    node = compile_schema(_usable(schema))
    working = initial_value(node, prefill=prefill)
    return _state(schema, prefix, working, {}, {}, prefill=prefill, reveal=_Reveal(reveal))


def posted_state(
    schema: Any, data: FormData, *, prefix: str, prefill: bool = True, reveal: bool = False
) -> ArgumentsState:
    """The state a post describes, with its edit applied; `reveal` shows every problem
    (the person tried to send)."""
    node = compile_schema(_usable(schema))
    shown = _reveal_of(data, reveal)
    if data.get("source") == "json":
        shown = _Reveal()  # the person wrote the whole value
        text = str(data.get("arguments_json") or "")
        try:
            working = json.loads(text) if text.strip() else {}
        except json.JSONDecodeError as exc:
            state = _state(schema, prefix, MISSING, {}, {}, prefill=prefill, reveal=shown)
            state.json_text = text
            state.json_error = (
                f"The JSON is not valid: {exc.msg} (line {exc.lineno}, column {exc.colno})."
            )
            return state
        return _state(schema, prefix, working, {}, {}, prefill=prefill, reveal=shown)
    reading = read_form(node, data, prefix=prefix, prefill=prefill)
    working = _with_json_only_keys(node, reading.value, data)
    at = parse_path(str(data.get("at") or "null"))
    action = data.get("action")
    if at is not None and action == "add":
        working = add_item(node, working, at, prefill=prefill)
    elif at is not None and action == "remove":
        working = remove_item(working, at)
    if at is not None and not shown.everything:
        shown = _Reveal(False, shown.names, shown.paths | {at})
    return _state(
        schema, prefix, working, reading.problems, reading.choices, prefill=prefill, reveal=shown
    )


def _reveal_of(data: FormData, reveal: bool) -> _Reveal:
    touched = data.get("touched")
    if reveal or touched is None or data.get("reveal") == "1":
        return _Reveal()
    try:
        names = json.loads(str(touched))
    except json.JSONDecodeError:
        return _Reveal()
    if not isinstance(names, list):
        return _Reveal()
    # A marker beside a field (`name/#null`) touches the field; `#` is escaped elsewhere.
    return _Reveal(False, frozenset(str(name).split("/#")[0] for name in names))


def _state(
    schema: Any,
    prefix: str,
    working: Any,
    problems: dict[Path, list[str]],
    choices: dict[str, int],
    *,
    prefill: bool,
    reveal: _Reveal,
) -> ArgumentsState:
    usable = _usable(schema)
    node = compile_schema(usable)
    arguments = strip_missing(working)
    if arguments is MISSING:
        arguments = {}
    # Each violation with the path of the form's field it belongs to.
    placed = [
        (Violation(path, message), path)
        for path, messages in problems.items()
        for message in messages
    ]
    schema_problem = ""
    try:
        checked = validate(usable, arguments)
    except UnusableSchema as exc:
        schema_problem = str(exc)
        checked = []
    # Checked on what is sent, shown on the form, whose arrays may hold empty items.
    placed.extend((violation, _working_path(working, violation.path)) for violation in checked)
    form = bind(node, working, prefix=prefix, choices=choices, prefill=prefill)
    if not reveal.everything:
        touched = reveal.paths | {f.path for f in form.walk() if f.name in reveal.names}
        placed_shown = [(v, at) for v, at in placed if _concerns(at, touched)]
    else:
        placed_shown = placed
    errors: dict[Path, list[str]] = {}
    for violation, at in placed_shown:
        errors.setdefault(at, []).append(violation.message)
    place_errors(form, errors)
    return ArgumentsState(
        schema=schema,
        form=form,
        arguments=arguments,
        json_text=json.dumps(arguments, indent=2, ensure_ascii=False),
        violations=[violation for violation, _ in placed],
        schema_problem=schema_problem,
        shown_violations=[violation for violation, _ in placed_shown],
        reveal_all=reveal.everything,
    )


def _concerns(path: Path, touched: frozenset[Path] | set[Path]) -> bool:
    """Whether a problem at `path` concerns a touched field: the field itself, what is
    inside it, or a container of it."""
    return any(path[: len(t)] == t or t[: len(path)] == path for t in touched)


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
