"""A connection's timeout settings as a person reads them: what actually limits a request."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def _seconds(value: Any) -> str:
    return f"{float(value):g} s" if isinstance(value, int | float) else "?"


def describe_timeouts(spec: Mapping[str, Any]) -> str:
    """One line from a spec's dict (`ConnectionSpec.to_dict()` or a stored copy).

    Without reset on progress the maximum total never comes into play (it is at least
    the request timeout), so it is left out rather than shown as if it mattered.
    """
    if "request_timeout" not in spec:
        return ""  # recorded before these settings existed
    request = _seconds(spec.get("request_timeout"))
    if spec.get("reset_timeout_on_progress", True):
        limits = (
            f"request {request}, restarted by each progress notification; "
            f"at most {_seconds(spec.get('max_total_timeout'))} in all"
        )
    else:
        limits = f"request {request}, not restarted by progress"
    return f"{limits}; connect {_seconds(spec.get('connect_timeout'))}"
