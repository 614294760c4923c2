"""Strategies shared by the fuzz tests: any JSON value, and the bounds every test keeps.

Each fuzz test runs for a few seconds at most (a bounded number of examples, no per-example
deadline: the machine is shared and one slow example is not a bug), so they stay in the suite.
"""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

# A few seconds per test on a loaded machine.
FUZZ = settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    database=None,
)

# Inputs that are expensive per example (nesting thousands deep): fewer of them.
FUZZ_FEW = settings(FUZZ, max_examples=12)

SCALARS: st.SearchStrategy[Any] = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12)
)
# Any JSON value (what `json.loads` may return), objects keyed by any text.
JSON_VALUES: st.SearchStrategy[Any] = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=5)
    ),
    max_leaves=25,
)
