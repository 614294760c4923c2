"""The judge's index of wire types says what `mcp_types.methods` says.

The judge reads which methods each version defines, and their wire types' names, from
`wire_index`, kept in the user's cache, so that it need not import every era's models;
the index must be the package's maps exactly, and a cache that cannot be read is built again.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from types import UnionType
from typing import Any

import pytest
from mcp_types import LATEST_PROTOCOL_VERSION, methods

from inspector.mcp.judge import wire_index
from inspector.mcp.judge.shapes import Surface, defined, known_methods, methods_in, wire_type
from tests.conftest import REPO_ROOT

MAPS = dict(wire_index.SURFACE_MAPS)


def package_map(surface: Surface) -> Any:
    return getattr(methods, MAPS[surface.value])


def test_the_cached_index_reads_back_as_built() -> None:
    built = wire_index.build()
    assert wire_index.decode(json.loads(json.dumps(wire_index.encode(built)))) == built
    assert built.cacheable_methods == methods.CACHEABLE_METHODS
    assert built.input_required_methods == methods.INPUT_REQUIRED_METHODS


def run_python(code: str, cache: Path) -> str:
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=REPO_ROOT,
        env={**os.environ, wire_index.CACHE_DIR_VARIABLE: str(cache)},
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


LOADS_EVERY_ERA = (
    "import sys\n"
    "from inspector.mcp.judge.shapes import Surface, wire_type\n"
    "assert wire_type(Surface.SERVER_RESULT, 'tools/list', '2025-11-25') is not None\n"
    "print('mcp_types.methods' in sys.modules)\n"
)


def test_only_the_first_process_builds_the_index_later_ones_read_it(tmp_path: Path) -> None:
    assert run_python(LOADS_EVERY_ERA, tmp_path) == "True"
    [kept] = tmp_path.glob("wire-index-*.json")
    assert run_python(LOADS_EVERY_ERA, tmp_path) == "False"

    kept.write_text('{"modules": {"2025-11-25": ')  # cut short, as by a full disk
    assert run_python(LOADS_EVERY_ERA, tmp_path) == "True"
    assert run_python(LOADS_EVERY_ERA, tmp_path) == "False"


@pytest.mark.parametrize("surface", list(Surface))
def test_each_method_of_each_version_has_the_packages_wire_type(surface: Surface) -> None:
    mapping = package_map(surface)
    for (method, version), expected in mapping.items():
        found = wire_type(surface, method, version)
        if isinstance(expected, UnionType):
            assert isinstance(found, UnionType)
        assert found == expected, (surface, method, version)
        assert defined(surface, method, version) is True
    versions = {version for _, version in mapping}
    for version in versions:
        assert methods_in(surface, version) == sorted(
            method for method, defined_in in mapping if defined_in == version
        )


def test_methods_no_version_defines_are_extensions() -> None:
    every = set().union(*({method for method, _ in package_map(surface)} for surface in Surface))
    assert known_methods() == every
    assert defined(Surface.CLIENT_REQUEST, "skills/list", "2025-11-25") is None
    assert wire_type(Surface.CLIENT_REQUEST, "skills/list", "2025-11-25") is None


def test_the_package_loaded_after_an_era_alone_is_the_whole_package() -> None:
    # In a fresh interpreter: one era's wire types first (as the judge loads them), then
    # the package as any other code imports it.
    code = (
        "import sys\n"
        "from inspector.mcp.judge.shapes import Surface, wire_type\n"
        "listed = wire_type(Surface.SERVER_RESULT, 'tools/list', '2025-11-25')\n"
        "assert 'mcp_types._types' not in sys.modules\n"
        "from mcp_types import CreateTaskResult, LATEST_PROTOCOL_VERSION\n"
        "import mcp_types\n"
        "from mcp_types import methods\n"
        "assert methods.SERVER_RESULTS['tools/list', '2025-11-25'] is listed\n"
        "assert CreateTaskResult is mcp_types._types.CreateTaskResult\n"
        "assert set(mcp_types.__all__) <= set(dir(mcp_types))\n"
        "print(LATEST_PROTOCOL_VERSION)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=REPO_ROOT,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == LATEST_PROTOCOL_VERSION


def test_a_cached_index_naming_a_module_outside_the_eras_is_not_read() -> None:
    """The cache is a file the user can write: it must not choose what gets imported."""
    data = wire_index.encode(wire_index.build())
    data["modules"]["2025-11-25"] = "os"
    with pytest.raises(ValueError, match="outside mcp_types' eras"):
        wire_index.decode(data)
