"""Writes `wire_index.py`: the method maps of `mcp_types.methods` as names.

`mcp_types.methods` imports the wire types of every era to build its maps, which costs
more than half a second before a connection's first message can be judged. The judge
only needs the models of the version a connection speaks, so it reads which method each
version defines, and the name of its wire type, from the index this writes, and imports
one era's module when a message of that era is first checked.

Run `python -m inspector.mcp.judge.wire_index_build` after upgrading `mcp-types`; a test
fails while the index and the installed package disagree.
"""

from __future__ import annotations

import importlib.metadata
import sys
from collections.abc import Mapping
from pathlib import Path
from types import UnionType
from typing import Any, NamedTuple, get_args

INDEX_PATH = Path(__file__).with_name("wire_index.py")

# The surface's name in the index (its `Surface` value) and its map in `mcp_types.methods`.
SURFACE_MAPS = (
    ("client request", "CLIENT_REQUESTS"),
    ("client notification", "CLIENT_NOTIFICATIONS"),
    ("client result", "CLIENT_RESULTS"),
    ("server request", "SERVER_REQUESTS"),
    ("server notification", "SERVER_NOTIFICATIONS"),
    ("server result", "SERVER_RESULTS"),
)


def arms_of(target: Any) -> tuple[type[Any], ...]:
    """A wire type's classes: one, or the arms of a dual result, in order."""
    return tuple(get_args(target)) if isinstance(target, UnionType) else (target,)


class Index(NamedTuple):
    modules: dict[str, str]
    wire_types: dict[str, dict[tuple[str, str], tuple[str, ...]]]
    cacheable_methods: frozenset[str]
    input_required_methods: frozenset[str]


def build() -> Index:
    """What the index holds, read from the installed `mcp_types`."""
    from mcp_types import methods

    modules: dict[str, str] = {}
    surfaces: dict[str, dict[tuple[str, str], tuple[str, ...]]] = {}
    for surface, attribute in SURFACE_MAPS:
        mapping: Mapping[tuple[str, str], Any] = getattr(methods, attribute)
        entries: dict[tuple[str, str], tuple[str, ...]] = {}
        for (method, version), target in sorted(mapping.items()):
            arms = arms_of(target)
            for arm in arms:
                known = modules.setdefault(version, arm.__module__)
                if known != arm.__module__:
                    raise SystemExit(f"{version} draws on {known} and {arm.__module__}")
            entries[method, version] = tuple(arm.__name__ for arm in arms)
        surfaces[surface] = entries
    return Index(modules, surfaces, methods.CACHEABLE_METHODS, methods.INPUT_REQUIRED_METHODS)


def render() -> str:
    """The index's source (formatted by ruff afterwards)."""
    modules, surfaces, cacheable, input_required = build()
    lines = [
        f'"""Generated from mcp-types {importlib.metadata.version("mcp-types")} by',
        '`python -m inspector.mcp.judge.wire_index_build`: do not edit."""',
        "",
        "# The module holding each version's wire types.",
        "MODULES: dict[str, str] = {",
        *(f"    {version!r}: {module!r}," for version, module in sorted(modules.items())),
        "}",
        "",
        "# Per surface: (method, version) -> the wire type's class names (two for a dual",
        "# result, in the order of its union).",
        "WIRE_TYPES: dict[str, dict[tuple[str, str], tuple[str, ...]]] = {",
    ]
    for surface, entries in surfaces.items():
        lines.append(f"    {surface!r}: {{")
        lines += [f"        {key!r}: {names!r}," for key, names in entries.items()]
        lines.append("    },")
    lines += [
        "}",
        "",
        "CACHEABLE_METHODS = frozenset(",
        f"    {sorted(cacheable)!r}",
        ")",
        "INPUT_REQUIRED_METHODS = frozenset(",
        f"    {sorted(input_required)!r}",
        ")",
        "",
    ]
    return "\n".join(lines)


def main() -> int:
    INDEX_PATH.write_text(render())
    print(f"wrote {INDEX_PATH}; now run: ruff format {INDEX_PATH}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
