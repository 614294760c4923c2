"""HTTP headers that mirror a modern (2026-07-28) request's body, for intermediaries.

Every POST names its method (`Mcp-Method`) and, for `tools/call`, `resources/read` and
`prompts/get`, its target (`Mcp-Name`). A tool may designate arguments to be mirrored as
`Mcp-Param-{Name}` with the `x-mcp-header` schema extension; a tool whose designations
break the rules is excluded from use, with the reason kept for display.
"""

from __future__ import annotations

import base64
import json
import re
from dataclasses import dataclass
from typing import Any

METHOD_HEADER = "Mcp-Method"
NAME_HEADER = "Mcp-Name"
PARAM_HEADER_PREFIX = "Mcp-Param-"
HEADER_EXTENSION = "x-mcp-header"
NAMED_METHODS = {
    "tools/call": "name",
    "prompts/get": "name",
    "resources/read": "uri",
    # The tasks extension routes by task (SEP-2663).
    "tasks/get": "taskId",
    "tasks/update": "taskId",
    "tasks/cancel": "taskId",
}
_TOKEN = re.compile(r"^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$")
# Visible ASCII and inner spaces: what a header value may carry as it is (control
# characters, tabs included, go as Base64).
_PLAIN = re.compile(r"^[\x21-\x7e]([\x20-\x7e]*[\x21-\x7e])?$")
_SENTINEL = re.compile(r"^=\?base64\?.*\?=$", re.DOTALL)
MAX_SAFE_INTEGER = 2**53 - 1
# Keywords whose subschemas are not reached by a chain of `properties` keys alone.
_UNREACHABLE_KEYWORDS = (
    "items",
    "prefixItems",
    "additionalProperties",
    "patternProperties",
    "contains",
    "oneOf",
    "anyOf",
    "allOf",
    "not",
    "if",
    "then",
    "else",
    "$defs",
    "definitions",
    "dependentSchemas",
    "unevaluatedProperties",
    "unevaluatedItems",
    "propertyNames",
)


class InvalidToolHeaders(ValueError):
    """A tool's `x-mcp-header` designations break the rules; the message says how."""


class UnmirrorableArgument(ValueError):
    """A designated argument's value cannot be mirrored into its header; the message
    names the argument and the rule."""


@dataclass(frozen=True, slots=True)
class ParamHeader:
    """One argument mirrored into a header: where it sits in the arguments, and as what."""

    path: tuple[str, ...]
    name: str
    type: str

    @property
    def header(self) -> str:
        return f"{PARAM_HEADER_PREFIX}{self.name}"


def encode_value(value: str) -> str:
    """A header value as the spec encodes it: as it is when plainly safe, else Base64."""
    if value and _PLAIN.match(value) and not _SENTINEL.match(value):
        return value
    return f"=?base64?{base64.b64encode(value.encode()).decode()}?="


def standard_headers(method: str, params: dict[str, Any] | None) -> dict[str, str]:
    headers = {METHOD_HEADER: method}
    field = NAMED_METHODS.get(method)
    target = (params or {}).get(field) if field else None
    if isinstance(target, str):
        headers[NAME_HEADER] = encode_value(target)
    return headers


def tool_param_headers(tool: dict[str, Any]) -> list[ParamHeader]:
    """The arguments a tool designates for headers; `InvalidToolHeaders` if any breaks
    the rules (the whole tool is then unusable over HTTP)."""
    schema = tool.get("inputSchema")
    if not isinstance(schema, dict):
        return []
    found: list[ParamHeader] = []
    _collect(schema, (), found, reachable=True)
    seen: dict[str, ParamHeader] = {}
    for param in found:
        other = seen.get(param.name.lower())
        if other is not None:
            raise InvalidToolHeaders(
                f"x-mcp-header {param.name!r} is used twice (on {'.'.join(other.path)} and "
                f"{'.'.join(param.path)}); names must be unique regardless of case."
            )
        seen[param.name.lower()] = param
    return found


def _collect(
    schema: dict[str, Any], path: tuple[str, ...], found: list[ParamHeader], *, reachable: bool
) -> None:
    if HEADER_EXTENSION in schema:
        where = ".".join(path) or "the schema root"
        if not reachable or not path:
            raise InvalidToolHeaders(
                f"x-mcp-header on {where} is not reachable from the root through "
                "`properties` alone."
            )
        found.append(_param(schema, path))
    properties = schema.get("properties")
    if isinstance(properties, dict):
        for key, subschema in properties.items():
            if isinstance(subschema, dict):
                _collect(subschema, (*path, str(key)), found, reachable=reachable)
    for keyword in _UNREACHABLE_KEYWORDS:
        for subschema in _subschemas(schema.get(keyword)):
            _collect(subschema, (*path, keyword), found, reachable=False)


def _subschemas(value: Any) -> list[dict[str, Any]]:
    if isinstance(value, dict):
        # `$defs` and `patternProperties` map names to schemas; the others are schemas.
        if all(isinstance(item, dict) for item in value.values()) and value:
            return [value, *value.values()]
        return [value]
    if isinstance(value, list):
        return [item for item in value if isinstance(item, dict)]
    return []


def _param(schema: dict[str, Any], path: tuple[str, ...]) -> ParamHeader:
    where = ".".join(path)
    name = schema[HEADER_EXTENSION]
    if not isinstance(name, str) or not name:
        raise InvalidToolHeaders(f"x-mcp-header on {where} is empty or not a string.")
    if not _TOKEN.match(name):
        raise InvalidToolHeaders(
            f"x-mcp-header {name!r} on {where} is not a valid HTTP header name "
            "(letters, digits and !#$%&'*+-.^_`|~ only)."
        )
    kind = schema.get("type")
    if kind not in ("string", "integer", "boolean"):
        raise InvalidToolHeaders(
            f"x-mcp-header {name!r} is on {where}, of type {kind!r}; only string, integer "
            "and boolean parameters may be mirrored."
        )
    return ParamHeader(path, name, kind)


def param_headers(params: list[ParamHeader], arguments: Any) -> dict[str, str]:
    """The `Mcp-Param-*` headers for one call's arguments (absent or null: no header).

    Raises `UnmirrorableArgument` for a value the header cannot carry: the server would
    find it in the body without its header and refuse the call."""
    headers: dict[str, str] = {}
    for param in params:
        value: Any = arguments
        for key in param.path:
            value = value.get(key) if isinstance(value, dict) else None
        if value is not None:
            headers[param.header] = encode_value(_as_text(param, value))
    return headers


def _as_text(param: ParamHeader, value: Any) -> str:
    where = ".".join(param.path)
    if param.type == "boolean" and isinstance(value, bool):
        return "true" if value else "false"
    if param.type == "string" and isinstance(value, str):
        return value
    integral = isinstance(value, int) or (isinstance(value, float) and value.is_integer())
    if param.type == "integer" and integral and not isinstance(value, bool):
        if abs(value) > MAX_SAFE_INTEGER:
            raise UnmirrorableArgument(
                f"The argument {where} ({value}) is outside ±(2^53-1), which the "
                f"{param.header} header cannot carry."
            )
        # As the value appears in the JSON body (3.0 stays "3.0").
        return json.dumps(value)
    raise UnmirrorableArgument(
        f"The argument {where} is {json.dumps(value)[:100]}, but the tool declares it "
        f"{param.type} (mirrored in {param.header})."
    )
