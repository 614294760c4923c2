"""The codec between web processes and session hosts: what a service returns or raises
comes back as itself, and nothing else is rebuilt (no pickle, no class outside the
inspector)."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from pathlib import PurePosixPath
from typing import Any

import msgpack
import pytest

from inspector.mcp.trace import EventKind, local_event
from inspector.services.calls import Pong
from inspector.services.snapshots import SessionNotFound, SessionSnapshot
from inspector.services.wire import RemoteFailure, WireError, decode, encode
from inspector.sessions.spec import TransportKind
from inspector.sessions.status import SessionStatus
from tests.conftest import fixture_spec


def round_trip(value: Any) -> Any:
    return decode(encode(value))


def test_plain_values_and_containers_come_back_as_they_were() -> None:
    value = {
        "text": "héllo",
        "number": 3,
        "ratio": 0.5,
        "flag": True,
        "nothing": None,
        "bytes": b"\x00\xff",
        "list": [1, [2, 3]],
        "tuple": (1, "two"),
        7: "a key that is not text",
        "when": datetime(2026, 12, 6, 15, 30, tzinfo=UTC),
    }
    assert round_trip(value) == value
    assert isinstance(round_trip(value)["tuple"], tuple)


def test_the_inspectors_dataclasses_and_enums_are_rebuilt_by_class() -> None:
    spec = fixture_spec("everything_py")
    assert round_trip(spec) == spec
    snapshot = SessionSnapshot(
        id="abc",
        status=SessionStatus.CONNECTED,
        transport=TransportKind.STDIO,
        target="python -m server",
        spec=spec.masked(),
        created_at=datetime(2026, 12, 6, tzinfo=UTC),
        resident=True,
        server={"server_info": {"name": "everything"}},
        last_seq=12,
    )
    back = round_trip(snapshot)
    assert back == snapshot
    assert back.status is SessionStatus.CONNECTED
    assert back.display_name == "everything"
    event = local_event(EventKind.STDERR, "a line")
    event.seq = 4
    assert dataclasses.asdict(round_trip(event)) == dataclasses.asdict(event)
    assert round_trip(Pong(error=None, duration_ms=1.5)) == Pong(error=None, duration_ms=1.5)


def test_exceptions_of_the_inspector_are_raised_again_as_themselves() -> None:
    error = round_trip(SessionNotFound("abc"))
    assert type(error) is SessionNotFound
    assert error.args == ("abc",)
    assert type(round_trip(ValueError("bad"))) is ValueError


def test_other_exceptions_travel_as_their_text_only() -> None:
    class Strange(Exception):
        pass

    error = round_trip(Strange("odd"))
    assert type(error) is RemoteFailure
    assert "Strange: odd" in str(error)


def test_a_value_of_a_type_outside_the_inspector_is_refused_on_sending() -> None:
    with pytest.raises(WireError, match="cannot be sent"):
        encode(PurePosixPath("/etc/passwd"))
    with pytest.raises(WireError, match="not a type of the inspector"):
        encode(dataclasses.make_dataclass("Outside", [("x", int)])(1))


@pytest.mark.parametrize(
    "forged",
    [
        {"__wire": "dataclass", "class": "subprocess:Popen", "fields": {}},
        {"__wire": "dataclass", "class": "os:system", "fields": {}},
        {"__wire": "exception", "class": "builtins:SystemExit", "args": [], "state": {}},
        {"__wire": "exception", "class": "SystemExit", "args": [], "state": {}},
        {"__wire": "enum", "class": "inspector.services.wire:decode", "value": 1},
        {"__wire": "dataclass", "class": "inspector.services.wire:WireError", "fields": {}},
        {"__wire": "pickle", "value": b"cos\nsystem\n."},
        # Classes another package defines, reached through a name an inspector module
        # imported.
        {"__wire": "exception", "class": "inspector.services.hosting:asyncio.CancelledError"},
        {"__wire": "exception", "class": "inspector.services.wire:msgpack.ExtraData"},
        {"__wire": "dataclass", "class": "inspector.services.wire:dataclasses.Field"},
        {"__wire": "dataclass", "class": "inspector.services.wire:__builtins__", "fields": {}},
        # One of ours, with an attribute no exception of ours carries.
        {
            "__wire": "exception",
            "class": "inspector.services.snapshots:SessionNotFound",
            "args": ["x"],
            "state": {"__class__": "SessionSnapshot"},
        },
    ],
)
def test_a_forged_message_naming_another_class_is_refused_on_receiving(forged: object) -> None:
    with pytest.raises(WireError):
        decode(msgpack.packb(forged))


def test_a_dataclass_message_with_a_field_the_class_lacks_is_refused() -> None:
    forged = {
        "__wire": "dataclass",
        "class": "inspector.services.calls:Pong",
        "fields": {"error": None, "duration_ms": 1.0, "extra": 1},
    }
    with pytest.raises(WireError, match="no field"):
        decode(msgpack.packb(forged))
