"""`failure_of` and `failure_text`: a request without a result, as a page says it."""

from __future__ import annotations

from inspector.mcp.errors import (
    JsonRpcError,
    RequestCancelled,
    RequestTimeout,
    TimeoutLimit,
    TransportClosed,
)
from inspector.presenters.failures import failure_of, failure_text


def test_failure_of_a_jsonrpc_error_keeps_its_code_and_data() -> None:
    failure = failure_of(JsonRpcError(-32602, "bad arguments", {"field": "n"}))
    assert (failure.kind, failure.code, failure.text) == ("jsonrpc", -32602, "bad arguments")
    assert failure.label == "JSON-RPC error -32602"
    assert '"field": "n"' in failure.data_json
    assert not failure.cancelled


def test_failure_of_a_cancel_is_not_called_a_failure() -> None:
    failure = failure_of(RequestCancelled("cancelled by the user"))
    assert failure.cancelled
    assert failure.label == "Cancelled"


def test_failure_of_a_timeout_names_the_limit() -> None:
    failure = failure_of(RequestTimeout("no answer in 60 s", limit=TimeoutLimit.TOTAL))
    assert (failure.kind, failure.label) == ("timeout", "Timed out (maximum total time)")


def test_failure_text_is_one_line() -> None:
    assert failure_text(JsonRpcError(-32601, "no such method")) == (
        "JSON-RPC error -32601: no such method"
    )
    assert failure_text(TransportClosed("")) == "TransportClosed"
