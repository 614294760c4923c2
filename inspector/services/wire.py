"""The codec for commands and answers between web processes and session hosts.

Redis is not a trust boundary for running code, so nothing is unpickled: values are
msgpack of plain data, tagged where msgpack has no type of its own. Dataclasses, enums and
exceptions are rebuilt only from classes of this project (`inspector.*`) that are of that
kind (the allow-list), plus a few built-in exceptions by name; anything else is refused
on both sides.
"""

from __future__ import annotations

import dataclasses
import enum
import importlib
from datetime import datetime
from typing import Any

import msgpack

TAG = "__wire"
# Built-in exceptions a service may let through, re-raised as themselves.
BUILTIN_EXCEPTIONS: dict[str, type[BaseException]] = {
    cls.__name__: cls
    for cls in (
        ValueError,
        KeyError,
        LookupError,
        TypeError,
        PermissionError,
        TimeoutError,
        RuntimeError,
        NotImplementedError,
    )
}


class WireError(Exception):
    """A value that cannot cross between processes, or a message that is not ours."""


class RemoteFailure(Exception):
    """An exception on the other side that cannot be rebuilt here: its text only."""


def encode(value: Any) -> bytes:
    body: bytes = msgpack.packb(_tree(value), use_bin_type=True)
    return body


def decode(body: bytes) -> Any:
    try:
        tree = msgpack.unpackb(body, raw=False, strict_map_key=False)
    except (ValueError, msgpack.ExtraData) as exc:
        raise WireError(f"not a message of ours: {exc}") from exc
    return _value(tree)


def _name(cls: type) -> str:
    return f"{cls.__module__}:{cls.__qualname__}"


def _tree(value: Any) -> Any:
    # Before the plain types: a StrEnum is a str, an IntEnum an int.
    if isinstance(value, enum.Enum):
        return {TAG: "enum", "class": _name(_ours(type(value))), "value": _tree(value.value)}
    if value is None or isinstance(value, bool | str | bytes | float | int):
        return value
    if isinstance(value, list):
        return [_tree(item) for item in value]
    if isinstance(value, tuple) and not hasattr(value, "_fields"):
        return {TAG: "tuple", "items": [_tree(item) for item in value]}
    if isinstance(value, dict):
        return {TAG: "dict", "items": [[_tree(k), _tree(v)] for k, v in value.items()]}
    if isinstance(value, set | frozenset):
        return {TAG: "set", "items": [_tree(item) for item in value]}
    if isinstance(value, datetime):
        return {TAG: "datetime", "value": value.isoformat()}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        cls = _ours(type(value))
        fields = {
            field.name: _tree(getattr(value, field.name))
            for field in dataclasses.fields(value)
            if hasattr(value, field.name)
        }
        return {TAG: "dataclass", "class": _name(cls), "fields": fields}
    if isinstance(value, BaseException):
        return _exception_tree(value)
    raise WireError(f"a {type(value).__module__}.{type(value).__qualname__} cannot be sent")


def _exception_tree(error: BaseException) -> Any:
    cls = type(error)
    try:
        args = [_tree(arg) for arg in error.args]
        state = {key: _tree(item) for key, item in vars(error).items() if not key.startswith("__")}
    except WireError:
        return {TAG: "failure", "text": f"{cls.__name__}: {error}"}
    if BUILTIN_EXCEPTIONS.get(cls.__name__) is cls:
        return {TAG: "exception", "class": cls.__name__, "args": args, "state": {}}
    if cls.__module__.startswith("inspector."):
        return {TAG: "exception", "class": _name(cls), "args": args, "state": state}
    return {TAG: "failure", "text": f"{cls.__name__}: {error}"}


def _ours(cls: type) -> type:
    if not cls.__module__.startswith("inspector."):
        raise WireError(f"{cls.__module__}.{cls.__qualname__} is not a type of the inspector")
    return cls


def _value(tree: Any) -> Any:
    if isinstance(tree, list):
        return [_value(item) for item in tree]
    if not isinstance(tree, dict):
        return tree
    kind = tree.get(TAG)
    if kind == "dict":
        return {_value(k): _value(v) for k, v in tree["items"]}
    if kind == "tuple":
        return tuple(_value(item) for item in tree["items"])
    if kind == "set":
        return {_value(item) for item in tree["items"]}
    if kind == "datetime":
        return datetime.fromisoformat(tree["value"])
    if kind == "enum":
        cls = _allowed(tree["class"], enum.Enum)
        return cls(_value(tree["value"]))
    if kind == "dataclass":
        return _dataclass(tree)
    if kind == "exception":
        return _exception(tree)
    if kind == "failure":
        return RemoteFailure(str(tree["text"]))
    raise WireError(f"unknown value {kind!r}")


def _dataclass(tree: dict[str, Any]) -> Any:
    found = _allowed(tree["class"], object)
    if not dataclasses.is_dataclass(found):
        raise WireError(f"{tree['class']} is not a dataclass")
    cls: Any = found
    values = {name: _value(item) for name, item in tree["fields"].items()}
    fields = {field.name: field for field in dataclasses.fields(cls)}
    if unknown := set(values) - set(fields):
        raise WireError(f"{tree['class']} has no field {sorted(unknown)}")
    made = cls(**{name: item for name, item in values.items() if fields[name].init})
    for name, item in values.items():
        if not fields[name].init:
            object.__setattr__(made, name, item)
    return made


def _exception(tree: dict[str, Any]) -> BaseException:
    name = str(tree["class"])
    builtin = BUILTIN_EXCEPTIONS.get(name)
    # Exception, not BaseException: nothing rebuilt may get past an `except Exception`.
    cls = builtin if builtin is not None else _allowed(name, Exception)
    # Rebuilt without calling its constructor (whose signature varies): its arguments
    # and attributes as they were.
    error: BaseException = cls.__new__(cls)
    error.args = tuple(_value(arg) for arg in tree["args"])
    for key, item in tree["state"].items():
        if str(key).startswith("__"):
            raise WireError(f"{name} carries a reserved attribute: {key}")
        setattr(error, key, _value(item))
    return error


def _allowed(name: str, kind: type) -> Any:
    """The class a message names, if it is one of ours and of the expected kind."""
    module_name, _, qualname = name.partition(":")
    parts = qualname.split(".")
    if (
        not module_name.startswith("inspector.")
        or not all(parts)
        or any(part.startswith("_") for part in parts)
    ):
        raise WireError(f"{name} is not a type of the inspector")
    try:
        found: Any = importlib.import_module(module_name)
        for part in parts:
            found = getattr(found, part)
    except (ImportError, AttributeError) as exc:
        raise WireError(f"no such type: {name}") from exc
    # Defined there, not merely imported there: an inspector module's name must not lead
    # to another package's classes.
    if not isinstance(found, type) or not found.__module__.startswith("inspector."):
        raise WireError(f"{name} is not a type of the inspector")
    if not issubclass(found, kind):
        raise WireError(f"{name} is not a {kind.__name__}")
    return found
