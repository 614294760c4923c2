"""The SSE reader takes any body a server may stream: whatever the bytes and however they
are cut into chunks, the stream is read to its end into trace events, and never raises."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
from hypothesis import given
from hypothesis import strategies as st

from inspector.mcp.jsonrpc import decode_frame
from inspector.mcp.trace import EventKind, TraceEvent
from inspector.mcp.transports.http import Exchange
from inspector.mcp.transports.sse_legacy import _resolve_endpoint
from inspector.mcp.transports.sse_streams import SseStream, StreamEnd, StreamReader
from tests.mcp.fuzzing import FUZZ

# Lines an SSE body is made of: fields the reader acts on, with values that stress them.
FIELD_LINES = st.tuples(
    st.sampled_from(["data", "id", "event", "retry", ":", "data:", ""]),
    st.sampled_from([":", ": ", ""]),
    st.text(max_size=20)
    | st.sampled_from(
        [
            *("", "message", "endpoint", "-1", "99999999999999999999999", '{"jsonrpc":"2.0"}'),
            *('{"jsonrpc":"2.0","id":1,"result":{}}', '[{"id":"1","error":{}}]', "\x00"),
        ]
    ),
    st.sampled_from(["\n", "\r\n", "\r", "\n\n"]),
).map("".join)
BODIES = st.lists(FIELD_LINES, max_size=12).map(lambda lines: "".join(lines).encode()) | st.binary(
    max_size=200
)


class Chunks(httpx.AsyncByteStream):
    def __init__(self, chunks: list[bytes]) -> None:
        self._chunks = chunks

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for chunk in self._chunks:
            yield chunk


def split(body: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({min(cut, len(body)) for cut in cuts})
    return [body[a:b] for a, b in zip([0, *points], [*points, len(body)], strict=True)]


def read(chunks: list[bytes]) -> tuple[StreamEnd, list[TraceEvent]]:
    events: list[TraceEvent] = []

    async def flowing() -> None:
        return None

    async def no_get(stream: SseStream) -> Exchange:
        raise AssertionError("consume never reconnects")

    request = httpx.Request("POST", "http://127.0.0.1:9/mcp")
    response = httpx.Response(
        200,
        headers={"content-type": "text/event-stream"},
        stream=Chunks(chunks),
        request=request,
    )
    reader = StreamReader(events.append, flowing, no_get)
    stream = SseStream("POST #1", pending={"1", "a"})
    outcome = asyncio.run(
        reader.consume(Exchange(request, response), stream, stop_when_answered=False)
    )
    assert stream.retry_ms >= 0
    return outcome, events


@FUZZ
@given(BODIES, st.lists(st.integers(min_value=0, max_value=200), max_size=6))
def test_any_sse_body_is_read_to_its_end(body: bytes, cuts: list[int]) -> None:
    outcome, events = read(split(body, cuts))
    assert outcome is StreamEnd.CLOSED
    for event in events:
        if event.kind is EventKind.MESSAGE:
            decode_frame(event, batches_allowed=True)  # what the client does next
        event.to_dict()


@FUZZ
@given(st.text(max_size=60) | st.sampled_from(["//evil.example/x", "http://[::1", "/\x00"]))
def test_any_endpoint_event_is_taken_or_refused(data: str) -> None:
    base = httpx.URL("http://127.0.0.1:8000/sse")
    refusal, endpoint = _resolve_endpoint(data.strip(), base)
    assert (endpoint is None) == bool(refusal)
    if endpoint is not None:
        assert (endpoint.scheme, endpoint.host, endpoint.port) == ("http", "127.0.0.1", 8000)
