"""Which method each protocol version defines, and its wire type's class name, as
`mcp_types.methods` maps them, read without importing every era's models.

`mcp_types.methods` imports the wire types of every era to build its maps: more than half
a second before a connection's first message can be judged, where the judge needs only
the era the connection speaks. So the maps are read once per installed `mcp-types`, as
names, and kept in the user's cache directory; later processes read that small file and
import one era's module when its first message is checked (`era_loader`).
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import json
import os
import tempfile
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from types import UnionType
from typing import Any, NamedTuple, get_args

import platformdirs

# Where the file goes; tests point it at a directory of their own.
CACHE_DIR_VARIABLE = "INSPECTOR_CACHE_DIR"
# Raised when what the file holds changes shape, so that an older file is not read.
FORMAT = 1
# What every era's module is named.
ERA_MODULE_PREFIX = "mcp_types._v"

# The surface's name in the index (the judge's `Surface` value) and its map in
# `mcp_types.methods`.
SURFACE_MAPS = (
    ("client request", "CLIENT_REQUESTS"),
    ("client notification", "CLIENT_NOTIFICATIONS"),
    ("client result", "CLIENT_RESULTS"),
    ("server request", "SERVER_REQUESTS"),
    ("server notification", "SERVER_NOTIFICATIONS"),
    ("server result", "SERVER_RESULTS"),
)


class Index(NamedTuple):
    # The module holding each version's wire types.
    modules: dict[str, str]
    # Per surface: (method, version) -> the wire type's class names (two for a dual
    # result, in the order of its union).
    wire_types: dict[str, dict[tuple[str, str], tuple[str, ...]]]
    cacheable_methods: frozenset[str]
    input_required_methods: frozenset[str]


@cache
def index() -> Index:
    """The index for the installed `mcp-types`: from the cache, else built and kept."""
    path = cache_path()
    with contextlib.suppress(OSError, ValueError, KeyError, TypeError):
        return decode(json.loads(path.read_text(encoding="utf-8")))
    built = build()
    _keep(path, built)
    return built


def cache_path() -> Path:
    """One file per installed copy of `mcp_types.methods`: its path and modification time
    name it (what `importlib.metadata` would say costs more than reading the file)."""
    directory = os.environ.get(CACHE_DIR_VARIABLE) or platformdirs.user_cache_dir("mcp-inspector")
    spec = importlib.util.find_spec("mcp_types")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("mcp_types is not installed")
    source = Path(spec.submodule_search_locations[0]) / "methods.py"
    stat = source.stat()
    copy = hashlib.sha256(f"{source}:{stat.st_mtime_ns}:{stat.st_size}".encode()).hexdigest()
    return Path(directory) / f"wire-index-{copy[:16]}-format-{FORMAT}.json"


def build() -> Index:
    """The index, read from the installed `mcp_types` (which imports every era)."""
    from mcp_types import methods

    modules: dict[str, str] = {}
    surfaces: dict[str, dict[tuple[str, str], tuple[str, ...]]] = {}
    for surface, attribute in SURFACE_MAPS:
        mapping: Mapping[tuple[str, str], Any] = getattr(methods, attribute)
        entries: dict[tuple[str, str], tuple[str, ...]] = {}
        for (method, version), target in sorted(mapping.items()):
            arms = tuple(get_args(target)) if isinstance(target, UnionType) else (target,)
            for arm in arms:
                known = modules.setdefault(version, arm.__module__)
                if known != arm.__module__:
                    raise ImportError(f"{version}'s wire types span {known} and {arm.__module__}")
            entries[method, version] = tuple(arm.__name__ for arm in arms)
        surfaces[surface] = entries
    return Index(
        modules,
        surfaces,
        frozenset(methods.CACHEABLE_METHODS),
        frozenset(methods.INPUT_REQUIRED_METHODS),
    )


def encode(built: Index) -> dict[str, Any]:
    return {
        "modules": built.modules,
        "wire_types": {
            surface: [
                [method, version, list(names)] for (method, version), names in entries.items()
            ]
            for surface, entries in built.wire_types.items()
        },
        "cacheable_methods": sorted(built.cacheable_methods),
        "input_required_methods": sorted(built.input_required_methods),
    }


def decode(data: dict[str, Any]) -> Index:
    """An index from its JSON; KeyError, TypeError or ValueError when it is not one."""
    wire_types = {
        surface: {
            (str(method), str(version)): tuple(map(str, names)) for method, version, names in rows
        }
        for surface, rows in data["wire_types"].items()
    }
    if {surface for surface, _ in SURFACE_MAPS} != set(wire_types):
        raise ValueError("not every surface is in the cached index")
    modules = {str(version): str(module) for version, module in data["modules"].items()}
    # The file is the user's to write: it may name only the package's own era modules.
    if not all(module.startswith(ERA_MODULE_PREFIX) for module in modules.values()):
        raise ValueError("the cached index names a module outside mcp_types' eras")
    return Index(
        modules,
        wire_types,
        frozenset(map(str, data["cacheable_methods"])),
        frozenset(map(str, data["input_required_methods"])),
    )


def _keep(path: Path, built: Index) -> None:
    """Written whole or not at all (a rename), so that a process running beside this one
    never reads half a file; an unwritable cache only costs the next process the build."""
    with contextlib.suppress(OSError):
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".wire-index-")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as file:
                json.dump(encode(built), file)
            os.replace(temporary, path)
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temporary)
