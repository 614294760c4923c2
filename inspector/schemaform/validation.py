"""Checking a value against a server's JSON Schema, with messages placed by path.

The dialect is the schema's `$schema`, else 2020-12 (the protocol's default). Formats are
checked, because a person filling a form wants to hear that "tomorrow" is not a date.
References are resolved only inside the schema: nothing is ever fetched.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import regex
from jsonschema import Draft202012Validator, ValidationError
from jsonschema.exceptions import SchemaError
from jsonschema.validators import extend, validator_for
from referencing import Registry
from referencing.exceptions import Unresolvable

from inspector.schemaform.binding import Path, describe_path

MAX_MESSAGE_CHARS = 300
PATTERN_SECONDS = 0.2
MAX_VIOLATIONS = 100


@dataclass(frozen=True, slots=True)
class Violation:
    path: Path
    message: str

    @property
    def where(self) -> str:
        return describe_path(self.path)


class UnusableSchema(Exception):
    """The schema itself is broken: nothing can be checked against it."""


def check_schema(schema: Any) -> str:
    """Why the schema is not a valid JSON Schema, or "" when it is."""
    if not isinstance(schema, dict | bool):
        return "The schema is not a JSON object."
    try:
        validator_for(schema, default=Draft202012Validator).check_schema(schema)
    except SchemaError as exc:
        return f"The schema is not valid JSON Schema: {_short(exc.message)} (at {exc.json_path})."
    return ""


def validate(schema: Any, value: Any) -> list[Violation]:
    """Every way `value` breaks `schema`, outermost first; raise `UnusableSchema` if the
    schema cannot be used at all."""
    problem = check_schema(schema)
    if problem:
        raise UnusableSchema(problem)
    cls = _bounded(validator_for(schema, default=Draft202012Validator))
    # An empty registry: jsonschema's default one retrieves unknown references over HTTP.
    validator = cls(schema, format_checker=cls.FORMAT_CHECKER, registry=Registry())
    violations: list[Violation] = []
    try:
        errors = sorted(
            validator.iter_errors(value), key=lambda e: (len(e.absolute_path), str(e.absolute_path))
        )
    except Unresolvable as exc:
        raise UnusableSchema(
            f"The schema refers to {exc.ref}, which cannot be resolved here."
        ) from exc
    except RecursionError as exc:
        raise UnusableSchema(
            "The schema refers to itself without end (a $ref loop that checks nothing)."
        ) from exc
    for error in errors[:MAX_VIOLATIONS]:
        # jsonschema reports each missing property of an object as an error of its own,
        # and each of them expands to all of the missing ones.
        violations.extend(v for v in _violations(error) if v not in violations)
    return violations


def _bounded_pattern(
    validator: Any, pattern: Any, instance: Any, schema: Any
) -> Iterator[ValidationError]:
    """`pattern`, with a time limit: a server's pattern must not stall the inspector
    (a catastrophic-backtracking pattern takes minutes on a short string)."""
    if not isinstance(instance, str) or not isinstance(pattern, str):
        return
    try:
        if regex.search(pattern, instance, timeout=PATTERN_SECONDS) is None:
            yield ValidationError(f"{_short(repr(instance))} does not match {pattern!r}")
    except TimeoutError:
        yield ValidationError(
            f"The pattern {pattern!r} took over {PATTERN_SECONDS:g} s on this value; not checked."
        )
    except regex.error as exc:
        yield ValidationError(f"The pattern {pattern!r} is not a valid regular expression: {exc}")


@functools.cache
def _bounded(cls: Any) -> Any:
    return extend(cls, {"pattern": _bounded_pattern})


def _violations(error: ValidationError) -> list[Violation]:
    path: Path = tuple(error.absolute_path)
    if error.validator == "required" and isinstance(error.instance, dict):
        missing = [
            n for n in error.validator_value if isinstance(n, str) and n not in error.instance
        ]
        if missing:
            return [Violation((*path, name), "Required.") for name in missing]
    return [Violation(path, _short(error.message))]


def _short(message: str) -> str:
    if len(message) <= MAX_MESSAGE_CHARS:
        return message
    return message[: MAX_MESSAGE_CHARS - 1] + "…"


def by_path(violations: list[Violation]) -> dict[Path, list[str]]:
    grouped: dict[Path, list[str]] = {}
    for violation in violations:
        grouped.setdefault(violation.path, []).append(violation.message)
    return grouped
