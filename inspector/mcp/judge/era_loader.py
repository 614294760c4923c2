"""One era's wire types, imported without the rest of the `mcp_types` package.

Importing `mcp_types._v2025_11_25` first runs the package's `__init__`, which imports the
version-free models (`mcp_types._types`): as much CPU again as the era's own wire types,
spent by every connection before its first message is judged, though the judge uses
only the era's module (which draws on `mcp_types._wire_base` and pydantic alone). So
until someone asks the package itself for a name, a stand-in takes its place in
`sys.modules`; the first name asked of it (`from mcp_types import X`, `mcp_types.methods`
importing it) runs the real `__init__` in it, so what any code sees does not change.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import threading
import types
from typing import Any

PACKAGE = "mcp_types"

# Reentrant: the loading thread's own lookups while `__init__` runs come back through
# `__getattr__`; other threads wait until it is done.
_completing = threading.RLock()


class _Package(types.ModuleType):
    """The package before its `__init__` has run: the first name it lacks runs it."""

    _complete = False

    def __getattr__(self, name: str) -> Any:
        # The import system probes dunder names (`__path__` is set; others may be
        # missing on any module): no reason to load.
        if name.startswith("__"):
            raise AttributeError(name)
        with _completing:
            if self._complete:
                # Loaded while this thread waited, or being loaded by this very thread
                # (then a missing name is missing, as in any module mid-import).
                if name in self.__dict__:
                    return self.__dict__[name]
                raise AttributeError(name)
            self._complete = True
            spec = self.__spec__
            assert spec is not None
            assert spec.loader is not None
            try:
                spec.loader.exec_module(self)
            except BaseException:
                self._complete = False  # the next name asked tries again
                raise
        return getattr(self, name)


def _stand_in() -> None:
    if PACKAGE in sys.modules:
        return
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or spec.loader is None or spec.submodule_search_locations is None:
        return  # not the package this expects: let the import system do it
    package = _Package(PACKAGE)
    package.__spec__ = spec
    package.__loader__ = spec.loader
    package.__file__ = spec.origin
    package.__path__ = list(spec.submodule_search_locations)
    package.__package__ = PACKAGE
    sys.modules.setdefault(PACKAGE, package)


def era_module(name: str) -> types.ModuleType:
    """The module `name` (one of `mcp_types`'s era modules), imported once."""
    module = sys.modules.get(name)
    if module is not None:
        return module
    _stand_in()
    return importlib.import_module(name)
