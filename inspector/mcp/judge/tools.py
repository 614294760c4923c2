"""Tool rules: names, input and output schemas (object schemas, valid for their dialect),
and structured results against the output schema."""

from __future__ import annotations

import json
import re
from functools import lru_cache
from typing import Any

from inspector.mcp import jsonschema_loader
from inspector.mcp.findings import Finding
from inspector.mcp.judge.rules import finding
from inspector.mcp.versions import KNOWN_VERSIONS

# SEP-986, from 2025-11-25: 1 to 128 characters, letters, digits, `_`, `-` and `.`.
_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,128}$")
NAMING_RULES_SINCE = "2025-11-25"
# Tool lists are fetched again and again: a schema already judged is not judged twice.
SCHEMAS_REMEMBERED = 512


def tool_findings(tool: dict[str, Any], path: str, version: str) -> list[Finding]:
    found: list[Finding] = []
    name = tool.get("name")
    if (
        isinstance(name, str)
        and KNOWN_VERSIONS.index(version) >= KNOWN_VERSIONS.index(NAMING_RULES_SINCE)
        and not _NAME.match(name)
    ):
        found.append(
            finding(
                "tools.name",
                f"Tool name {name!r} is not 1-128 letters, digits, '_', '-' or '.'.",
                f"{path}.name",
                version,
            )
        )
    for key in ("inputSchema", "outputSchema"):
        if key in tool:
            found += schema_findings(tool[key], f"{path}.{key}", version)
    return found


def schema_findings(schema: Any, path: str, version: str) -> list[Finding]:
    if not isinstance(schema, dict):
        return []  # the wire schema says so already
    found: list[Finding] = []
    if schema.get("type") != "object":
        found.append(
            finding(
                "tools.schema-type",
                f'The schema\'s type must be "object", not {json.dumps(schema.get("type"))}.',
                f"{path}.type",
                version,
            )
        )
    problem = _schema_problem(json.dumps(schema, sort_keys=True))
    if problem:
        found.append(finding("tools.schema-invalid", problem, path, version))
    return found


@lru_cache(maxsize=SCHEMAS_REMEMBERED)
def _schema_problem(text: str) -> str:
    """Why a schema breaks its dialect's meta-schema (`$schema`, 2020-12 by default)."""
    jsonschema = jsonschema_loader.load()  # loaded by the first schema judged, not at start-up
    schema = json.loads(text)
    try:
        validator = jsonschema.validators.validator_for(
            schema, default=jsonschema.Draft202012Validator
        )
        validator.check_schema(schema)
    except jsonschema.SchemaError as exc:
        where = "".join(f"/{part}" for part in exc.path)
        return f"Not a valid JSON Schema: {exc.message}" + (f" (at {where})" if where else "")
    except Exception as exc:  # an unresolvable $schema, a recursion: still only a finding
        return f"Not a checkable JSON Schema: {exc}"
    return ""


def structured_findings(
    result: dict[str, Any], output_schema: dict[str, Any], version: str
) -> list[Finding]:
    """A tool's result against the output schema it declared."""
    if result.get("isError") is True:
        return []
    path = "$.result.structuredContent"
    if "structuredContent" not in result:
        return [
            finding(
                "tools.structured-content",
                "The tool declares an outputSchema but returned no structuredContent.",
                path,
                version,
            )
        ]
    if _schema_problem(json.dumps(output_schema, sort_keys=True)):
        return []  # judged where the tool was listed
    validator = _validator(json.dumps(output_schema, sort_keys=True))
    try:
        error = next(iter(validator.iter_errors(result["structuredContent"])), None)
    except Exception as exc:  # a schema jsonschema cannot apply is the server's problem
        return [finding("tools.structured-content", f"Cannot check: {exc}", path, version)]
    if error is None:
        return []
    where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.absolute_path)
    return [finding("tools.structured-content", error.message, path + where, version)]


@lru_cache(maxsize=SCHEMAS_REMEMBERED)
def _validator(text: str) -> Any:
    jsonschema = jsonschema_loader.load()
    schema = json.loads(text)
    cls = jsonschema.validators.validator_for(schema, default=jsonschema.Draft202012Validator)
    return cls(schema)
