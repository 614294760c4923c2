"""Shapes: a message against the wire types of the negotiated version (PyPI `mcp-types`).

`mcp_types.methods` maps each (method, version) to the version's wire type; a method
missing from the negotiated version's row but present in another's did not exist yet (or
no longer exists) there. Those maps are read from `wire_index` (the same maps as names,
kept in the user's cache), and a version's wire types are imported when a message of that
version is first checked (`era_loader`): importing every era's models takes longer than a
server takes to start.

Validation is strict, so JSON types are never coerced, and a union's errors are narrowed
to the branch its discriminator (`type`, `role`) selects, so a bad content block
reads as one problem rather than a dozen.
"""

from __future__ import annotations

import operator
import sys
from enum import StrEnum
from functools import cache, reduce
from types import UnionType
from typing import Any, Literal, get_args, get_origin

from pydantic import BaseModel, TypeAdapter, ValidationError

from inspector.mcp.findings import Finding
from inspector.mcp.judge import wire_index
from inspector.mcp.judge.era_loader import era_module
from inspector.mcp.judge.paths import json_path
from inspector.mcp.judge.rules import finding

DISCRIMINATORS = ("type", "role")
INPUT_REQUIRED = "input_required"


class Surface(StrEnum):
    """Which kind of message, in which direction, a shape is looked up for."""

    CLIENT_REQUEST = "client request"
    CLIENT_NOTIFICATION = "client notification"
    CLIENT_RESULT = "client result"
    SERVER_REQUEST = "server request"
    SERVER_NOTIFICATION = "server notification"
    SERVER_RESULT = "server result"


def _map(surface: Surface) -> dict[tuple[str, str], tuple[str, ...]]:
    return wire_index.index().wire_types[surface.value]


@cache
def _methods_of(surface: Surface) -> frozenset[str]:
    return frozenset(method for method, _ in _map(surface))


@cache
def wire_type(surface: Surface, method: str, version: str) -> type[BaseModel] | UnionType | None:
    """The wire type `version` gives `method` here (as `mcp_types.methods` has it), its
    era's module imported on first use; None when the version does not define it."""
    names = _map(surface).get((method, version))
    if names is None:
        return None
    module = era_module(wire_index.index().modules[version])
    arms = [getattr(module, name) for name in names]
    if len(arms) == 1:
        model: type[BaseModel] = arms[0]
        return model
    union: UnionType = reduce(operator.or_, arms)
    return union


def known_methods() -> frozenset[str]:
    """Every method any version defines, in either direction."""
    return frozenset().union(*(_methods_of(surface) for surface in Surface))


def methods_in(surface: Surface, version: str) -> list[str]:
    """The methods `version` defines here, sorted."""
    return sorted(method for method, defined_in in _map(surface) if defined_in == version)


def defined(surface: Surface, method: str, version: str) -> bool | None:
    """Whether `version` defines `method` here; None when no version does (an extension)."""
    if (method, version) in _map(surface):
        return True
    return False if method in _methods_of(surface) else None


def version_gate(surface: Surface, method: str, version: str, path: str) -> list[Finding]:
    if defined(surface, method, version) is False:
        return [
            finding(
                "version.method",
                f"{method} is not a {surface.value} in protocol {version}.",
                path,
                version,
            )
        ]
    return []


def shape_findings(
    surface: Surface, method: str, version: str, data: Any, root: str
) -> list[Finding]:
    """Findings for `data` (a whole frame, or the result at `root`) against its shape."""
    target = wire_type(surface, method, version)
    if target is None:
        return []
    if isinstance(target, UnionType):
        target = _result_arm(target, data)
    return model_findings(target, version, data, root)


def model_findings(model: type[BaseModel], version: str, data: Any, root: str) -> list[Finding]:
    """Findings for `data` against one wire type of the version, named rather than
    looked up by method (a task-augmented request's answer is not its method's result)."""
    try:
        _adapter(model).validate_python(data, strict=True, by_name=False)
    except ValidationError as exc:
        return _readable(exc.errors(include_url=False), data, root, version, _module_of(model))
    return []


def _result_arm(union: UnionType, data: Any) -> type[BaseModel]:
    """The arm of a dual result its `resultType` selects: input_required or the other."""
    arms = [arm for arm in get_args(union) if isinstance(arm, type)]
    wants_input = isinstance(data, dict) and data.get("resultType") == INPUT_REQUIRED
    for arm in arms:
        if (arm.__name__ == "InputRequiredResult") == wants_input:
            return arm
    return arms[0]


@cache
def _adapter(target: type[BaseModel]) -> TypeAdapter[Any]:
    # Built once per wire type, so once per version, and reused by every connection.
    return TypeAdapter(target)


def _module_of(target: type[BaseModel]) -> str:
    return target.__module__


@cache
def _literal_values(module: str, class_name: str, field: str) -> frozenset[str]:
    """The values a wire class's discriminator field may take (empty if it has none)."""
    cls = getattr(sys.modules.get(module), class_name, None)
    if not (isinstance(cls, type) and issubclass(cls, BaseModel)):
        return frozenset()
    info = cls.model_fields.get(field)
    if info is None or get_origin(info.annotation) is not Literal:
        return frozenset()
    return frozenset(str(value) for value in get_args(info.annotation))


def _readable(errors: list[Any], data: Any, root: str, version: str, module: str) -> list[Finding]:
    """Pydantic's errors as findings: union branches narrowed, paths in JSON terms."""
    choices: dict[tuple[Any, ...], str | None] = {}
    findings: dict[tuple[str, str], Finding] = {}
    by_union = _errors_by_union(errors, data)
    for error in errors:
        loc = tuple(error["loc"])
        kept: list[Any] = []
        node = data
        dropped = False
        for index, part in enumerate(loc):
            if _is_branch(node, part, index == len(loc) - 1):
                prefix = tuple(kept)
                if prefix not in choices:
                    choices[prefix] = _choose(node, by_union.get(prefix, {}), module)
                chosen = choices[prefix]
                if chosen is None:
                    path = json_path(root, kept)
                    key = ("shape.unknown-type", path)
                    if key not in findings:
                        findings[key] = _unknown_type(node, by_union[prefix], module, path, version)
                    dropped = True
                    break
                if part != chosen:
                    dropped = True
                    break
                continue
            kept.append(part)
            node = _child(node, part)
        if dropped:
            continue
        path = json_path(root, kept)
        message = str(error["msg"])
        findings.setdefault(
            ("shape.schema", path + message), finding("shape.schema", message, path, version)
        )
    return list(findings.values())


def _errors_by_union(errors: list[Any], data: Any) -> dict[tuple[Any, ...], dict[str, int]]:
    """For each union met along the errors' paths (keyed by its value path): the error
    count of each branch."""
    unions: dict[tuple[Any, ...], dict[str, int]] = {}
    for error in errors:
        loc = tuple(error["loc"])
        kept: list[Any] = []
        node = data
        for index, part in enumerate(loc):
            if _is_branch(node, part, index == len(loc) - 1):
                counts = unions.setdefault(tuple(kept), {})
                counts[str(part)] = counts.get(str(part), 0) + 1
                continue
            kept.append(part)
            node = _child(node, part)
    return unions


def _is_branch(node: Any, part: Any, last: bool) -> bool:
    """Whether a location part names a union branch rather than a key or an index."""
    if last or not isinstance(part, str):
        return False
    return not (isinstance(node, dict) and part in node)


def _child(node: Any, part: Any) -> Any:
    if isinstance(node, dict):
        return node.get(part)
    if isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
        return node[part]
    return None


def _choose(node: Any, branches: dict[str, int], module: str) -> str | None:
    """The branch the value's discriminator selects; None when it selects none of them.
    Without a discriminator, the branch the value comes closest to (fewest errors)."""
    if isinstance(node, dict):
        for field in DISCRIMINATORS:
            value = node.get(field)
            if not isinstance(value, str):
                continue
            typed = {b for b in branches if _literal_values(module, b, field)}
            if not typed:
                continue
            for branch in branches:
                if value in _literal_values(module, branch, field):
                    return branch
            return None
    return min(branches, key=lambda branch: branches[branch]) if branches else None


def _unknown_type(
    node: Any, branches: dict[str, int], module: str, path: str, version: str
) -> Finding:
    for field in DISCRIMINATORS:
        allowed = sorted(
            value for branch in branches for value in _literal_values(module, branch, field)
        )
        if allowed and isinstance(node, dict) and isinstance(node.get(field), str):
            return finding(
                "shape.unknown-type",
                f"Unknown {field} {node[field]!r} in protocol {version}; "
                f"expected one of {', '.join(allowed)}.",
                f"{path}.{field}",
                version,
            )
    return finding("shape.unknown-type", "Matches none of the allowed types.", path, version)
