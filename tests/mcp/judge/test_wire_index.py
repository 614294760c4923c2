"""The judge's index of wire types says what `mcp_types.methods` says.

The judge reads which methods each version defines, and their wire types' names, from
`wire_index` so that it need not import every era's models; the index must stay the
package's maps exactly (regenerate it with `python -m inspector.mcp.judge.wire_index_build`).
"""

from __future__ import annotations

from types import UnionType
from typing import Any

import pytest
from mcp_types import methods

from inspector.mcp.judge import wire_index, wire_index_build
from inspector.mcp.judge.shapes import Surface, defined, known_methods, methods_in, wire_type

MAPS = dict(wire_index_build.SURFACE_MAPS)


def package_map(surface: Surface) -> Any:
    return getattr(methods, MAPS[surface.value])


def test_the_index_is_what_the_installed_package_builds() -> None:
    built = wire_index_build.build()
    assert built.modules == wire_index.MODULES
    assert built.wire_types == wire_index.WIRE_TYPES
    assert built.cacheable_methods == wire_index.CACHEABLE_METHODS
    assert built.input_required_methods == wire_index.INPUT_REQUIRED_METHODS


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
