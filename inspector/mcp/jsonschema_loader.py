"""Importing `jsonschema` without paying for formats nobody has asked to check yet.

`jsonschema` imports every optional format library it finds when it is imported. One of
them, `rfc3987_syntax` (the `iri` and `iri-reference` formats), compiles a Lark grammar
at import: about a second of CPU, most of `jsonschema`'s import time, spent by every
process that judges a tool's schema even though no meta-schema uses those formats. The
stand-in below takes its place until a value is actually checked against one of them;
then the real module is imported and answers, so what is checked does not change.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import types
from typing import Any

_DEFERRED = "rfc3987_syntax"


def _is_valid_syntax(rule: str, value: str) -> Any:
    real = _real_module()
    return real.is_valid_syntax(rule, value)


def _real_module() -> types.ModuleType:
    if isinstance(sys.modules.get(_DEFERRED), _Deferred):
        del sys.modules[_DEFERRED]
    return importlib.import_module(_DEFERRED)


class _Deferred(types.ModuleType):
    """What `from rfc3987_syntax import is_valid_syntax` finds until the real one loads."""

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            # The import system probes `__path__` and the like: no reason to load.
            raise AttributeError(name)
        return getattr(_real_module(), name)


def _defer_slow_format_modules() -> None:
    if _DEFERRED in sys.modules or "jsonschema" in sys.modules:
        return  # loaded already (or jsonschema has made its choice): nothing left to save
    try:
        spec = importlib.util.find_spec(_DEFERRED)
    except (ImportError, ValueError):
        spec = None
    if spec is None:
        return  # not installed: jsonschema skips those formats either way
    stand_in = _Deferred(_DEFERRED)
    stand_in.is_valid_syntax = _is_valid_syntax  # type: ignore[attr-defined]
    sys.modules[_DEFERRED] = stand_in


def load() -> types.ModuleType:
    """`jsonschema`, imported (once) with its slow format modules deferred."""
    _defer_slow_format_modules()
    return importlib.import_module("jsonschema")
