"""Every test here runs with the network refused: schemas come from untrusted servers,
and nothing in a schema may make the inspector open a connection."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import pytest

from tests.schemaform.support import SCHEMAS, CorpusSchema


@pytest.fixture(autouse=True)
def network_attempts(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[tuple[Any, ...]]]:
    """The connections something tried to open; any at all fails the test.

    Attempts are recorded as well as refused because a library may swallow the error
    (jsonschema turns a failed fetch into an unresolvable reference)."""
    attempts: list[tuple[Any, ...]] = []

    def refuse(*args: Any, **kwargs: Any) -> Any:
        attempts.append(args)
        raise OSError("tests/schemaform refuses network access")

    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    yield attempts
    assert not attempts, f"the network was tried: {attempts}"


@pytest.fixture(params=SCHEMAS, ids=str)
def corpus(request: pytest.FixtureRequest) -> CorpusSchema:
    case: CorpusSchema = request.param
    return case
