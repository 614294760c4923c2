"""Speed: `ping` and each declared list call, repeated, as percentiles of their latency.

Measured through the whole inspector (session, client, transport), as a host would feel
it; the first page of a list only, so a long catalog does not weigh on the figures.
"""

from __future__ import annotations

import math

from inspector.doctor.catalog import LISTINGS
from inspector.doctor.examination import Examination
from inspector.doctor.report import Section, Status, seqs

# Slower than this at the 95th percentile, a host's interface feels stuck.
SLOW_P95_MS = 2000.0
PLANNED = ("speed.ping", *(f"speed.{method}" for _, method, _ in LISTINGS))


def percentile(values: list[float], fraction: float) -> float:
    """The nearest-rank percentile (no interpolation: a figure that was measured)."""
    ordered = sorted(values)
    rank = max(math.ceil(fraction * len(ordered)), 1)
    return ordered[rank - 1]


async def measure(exam: Examination, repeat: int) -> None:
    server = exam.session.server
    capabilities = server.capabilities if server is not None else {}
    methods: list[tuple[str, str, str | None]] = [("speed.ping", "ping", None)]
    methods += [(f"speed.{method}", method, capability) for capability, method, _ in LISTINGS]
    for check_id, method, capability in methods:
        if capability is not None and capability not in capabilities:
            exam.add(
                check_id,
                Section.SPEED,
                Status.SKIPPED,
                f"The server declares no {capability} capability.",
            )
            continue
        timings: list[float] = []
        evidence: list[int] = []
        failed = 0
        for _ in range(repeat):
            ex = await exam.call(method)
            evidence.extend(ex.evidence)
            if ex.result is None:
                failed += 1
            else:
                timings.append(ex.duration_ms)
        if not timings:
            exam.add(
                check_id,
                Section.SPEED,
                Status.FAIL,
                f"None of {repeat} {method} calls was answered.",
                seqs(evidence[:10]),
            )
            continue
        p50, p95 = percentile(timings, 0.5), percentile(timings, 0.95)
        failures = f"; {failed} of {repeat} failed" if failed else ""
        slow = p95 > SLOW_P95_MS
        exam.add(
            check_id,
            Section.SPEED,
            Status.WARNING if slow or failed else Status.PASS,
            f"{method}, {repeat} times: p50 {p50:.1f} ms, p95 {p95:.1f} ms{failures}"
            + (f" (over {SLOW_P95_MS:g} ms: hosts will feel it)." if slow else "."),
            seqs(evidence),
            p50_ms=round(p50, 3),
            p95_ms=round(p95, 3),
            calls=repeat,
            failed=failed,
        )
