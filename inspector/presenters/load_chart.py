"""A load test's second-by-second figures as an SVG chart a page draws without
JavaScript: p50 and p99 latency as lines over the calls started each second as bars."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

WIDTH = 640
HEIGHT = 200
PAD_LEFT, PAD_BOTTOM, PAD_TOP = 48, 24, 12


@dataclass(frozen=True, slots=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    title: str


@dataclass(frozen=True, slots=True)
class LoadChart:
    width: int
    height: int
    p50: str  # polyline points
    p99: str
    bars: list[Bar] = field(default_factory=list)
    max_ms: float = 0.0
    max_count: int = 0
    seconds: int = 0
    plot_left: int = PAD_LEFT
    plot_bottom: int = HEIGHT - PAD_BOTTOM


def load_chart(timeline: list[dict[str, Any]]) -> LoadChart | None:
    """None when there is nothing to draw."""
    if not timeline:
        return None
    max_ms = max(
        (bucket[key] for bucket in timeline for key in ("p50_ms", "p99_ms") if bucket[key]),
        default=0.0,
    )
    max_count = max(int(bucket["count"]) for bucket in timeline)
    step = (WIDTH - PAD_LEFT) / len(timeline)
    bottom = HEIGHT - PAD_BOTTOM
    span = bottom - PAD_TOP

    def y(value: float, top: float) -> float:
        return round(bottom - (value / top) * span, 1) if top else bottom

    def line(key: str) -> str:
        return " ".join(
            f"{round(PAD_LEFT + step * (index + 0.5), 1)},{y(bucket[key], max_ms)}"
            for index, bucket in enumerate(timeline)
            if bucket[key] is not None
        )

    bars = [
        Bar(
            x=round(PAD_LEFT + step * index + step * 0.1, 1),
            y=y(int(bucket["count"]), max_count),
            width=round(step * 0.8, 1),
            height=round(bottom - y(int(bucket["count"]), max_count), 1),
            title=f"second {bucket['second']}: {bucket['count']} calls, {bucket['errors']} errors",
        )
        for index, bucket in enumerate(timeline)
    ]
    return LoadChart(
        width=WIDTH,
        height=HEIGHT,
        p50=line("p50_ms"),
        p99=line("p99_ms"),
        bars=bars,
        max_ms=round(max_ms, 1),
        max_count=max_count,
        seconds=len(timeline),
    )
