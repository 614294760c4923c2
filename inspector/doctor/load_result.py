"""What a load test measured: every call's start, latency and outcome, summed up.

The JSON form (`LoadResult.to_json()`) is an interface, `inspector-load/1`:

    {
      "format": "inspector-load/1",
      "target": "...", "transport": "stdio" | "http" | "sse", "tool": "add",
      "concurrency": 8, "duration_s": 5.0 | null, "request_limit": 1000 | null,
      "rate": 50.0 | null,                       what was asked
      "stopped": "duration" | "requests" | "connection" | "not-started",
      "requests": n,                             calls that ended (answered or not)
      "ok": n,
      "errors": {KIND: n, ...},                  only the kinds seen (see ErrorKind)
      "error_rate": 0.0123,                      errors / requests
      "elapsed_ms": 5012.3,                      first start to last end
      "throughput": 812.4,                       requests per second of elapsed time
      "max_in_flight": 8,                        most calls awaiting an answer at once
      "latency_ms": {"min", "mean", "p50", "p90", "p99", "max"} | null,
                                                 over the calls the server answered
      "timeline": [{"second": 0, "count": n, "errors": n,
                    "p50_ms": x | null, "p99_ms": x | null}, ...],
                                                 by the second each call started in
      "error_messages": [{"kind": KIND, "message": "...", "count": n,
                          "evidence": [seq, ...]}, ...],   the 10 most frequent
      "connect_error": {"layer", "status", "message"} | null,
      "tool_missing": "..." | null               why the tool could not be loaded (not
                                                 listed, or tools/list failed)
    }

Percentiles are nearest-rank: each is a latency that was measured.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from inspector.doctor.speed import percentile

FORMAT = "inspector-load/1"
MAX_ERROR_MESSAGES = 10
EVIDENCE_PER_MESSAGE = 5


class ErrorKind(StrEnum):
    TOOL = "tool_error"  # a result with isError: true
    JSONRPC = "jsonrpc_error"  # a JSON-RPC error answer
    HTTP = "http_error"  # an HTTP status in place of an answer (500, 429, ...)
    TIMEOUT = "timeout"  # no answer within the request timeout
    CONNECTION = "connection_lost"  # the connection ended under the call
    OTHER = "other"  # anything else the client could not use


# Kinds whose calls the server answered: their latency is the server's.
ANSWERED = frozenset({None, ErrorKind.TOOL, ErrorKind.JSONRPC, ErrorKind.HTTP})


@dataclass(frozen=True, slots=True)
class Sample:
    """One call: when it started (seconds since the run began), how long it took, and
    how it ended (`error` None: a result without isError)."""

    started: float
    latency_ms: float
    error: ErrorKind | None = None
    message: str = ""
    seq: int | None = None


class StopReason(StrEnum):
    DURATION = "duration"
    REQUESTS = "requests"
    CONNECTION = "connection"
    NOT_STARTED = "not-started"


@dataclass(slots=True)
class LoadResult:
    target: str
    transport: str
    tool: str
    concurrency: int
    duration_s: float | None
    request_limit: int | None
    rate: float | None
    samples: list[Sample] = field(default_factory=list)
    elapsed_s: float = 0.0
    max_in_flight: int = 0
    stopped: StopReason = StopReason.NOT_STARTED
    connect_error: dict[str, Any] | None = None
    tool_missing: str | None = None

    @property
    def requests(self) -> int:
        return len(self.samples)

    @property
    def ok(self) -> int:
        return sum(1 for sample in self.samples if sample.error is None)

    def errors(self) -> dict[str, int]:
        counted = Counter(sample.error.value for sample in self.samples if sample.error)
        return dict(counted.most_common())

    @property
    def error_rate(self) -> float:
        return round((self.requests - self.ok) / self.requests, 4) if self.samples else 0.0

    @property
    def throughput(self) -> float:
        return round(self.requests / self.elapsed_s, 2) if self.elapsed_s > 0 else 0.0

    def latency(self) -> dict[str, float] | None:
        return _latency([s.latency_ms for s in self.samples if s.error in ANSWERED])

    def timeline(self) -> list[dict[str, Any]]:
        if not self.samples:
            return []
        seconds: dict[int, list[Sample]] = {}
        for sample in self.samples:
            seconds.setdefault(int(sample.started), []).append(sample)
        buckets = []
        for second in range(max(seconds) + 1):
            inside = seconds.get(second, [])
            answered = [s.latency_ms for s in inside if s.error in ANSWERED]
            buckets.append(
                {
                    "second": second,
                    "count": len(inside),
                    "errors": sum(1 for s in inside if s.error is not None),
                    "p50_ms": round(percentile(answered, 0.5), 3) if answered else None,
                    "p99_ms": round(percentile(answered, 0.99), 3) if answered else None,
                }
            )
        return buckets

    def error_messages(self) -> list[dict[str, Any]]:
        grouped: dict[tuple[ErrorKind, str], list[Sample]] = {}
        for sample in self.samples:
            if sample.error is not None:
                grouped.setdefault((sample.error, sample.message), []).append(sample)
        ranked = sorted(grouped.items(), key=lambda item: -len(item[1]))
        return [
            {
                "kind": kind.value,
                "message": message,
                "count": len(samples),
                "evidence": [s.seq for s in samples if s.seq is not None][:EVIDENCE_PER_MESSAGE],
            }
            for (kind, message), samples in ranked[:MAX_ERROR_MESSAGES]
        ]

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "target": self.target,
            "transport": self.transport,
            "tool": self.tool,
            "concurrency": self.concurrency,
            "duration_s": self.duration_s,
            "request_limit": self.request_limit,
            "rate": self.rate,
            "stopped": self.stopped.value,
            "requests": self.requests,
            "ok": self.ok,
            "errors": self.errors(),
            "error_rate": self.error_rate,
            "elapsed_ms": round(self.elapsed_s * 1000, 1),
            "throughput": self.throughput,
            "max_in_flight": self.max_in_flight,
            "latency_ms": self.latency(),
            "timeline": self.timeline(),
            "error_messages": self.error_messages(),
            "connect_error": self.connect_error,
            "tool_missing": self.tool_missing,
        }


def _latency(values: list[float]) -> dict[str, float] | None:
    if not values:
        return None
    return {
        "min": round(min(values), 3),
        "mean": round(sum(values) / len(values), 3),
        "p50": round(percentile(values, 0.5), 3),
        "p90": round(percentile(values, 0.9), 3),
        "p99": round(percentile(values, 0.99), 3),
        "max": round(max(values), 3),
    }
