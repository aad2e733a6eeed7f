"""Result rows as dicts, for callers that put many results into one frame at once.

Same columns and conversions as :func:`analysis.stats._result.result_row` (a test checks
``row_frame(result_record(...))`` equals ``result_row(...)``); building a DataFrame per row
costs milliseconds, which adds up over hundreds of cells.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from analysis.stats._result import NAN, _as_float


def result_record(
    *,
    n: int,
    method: str,
    estimate: object = NAN,
    ci_low: object = NAN,
    ci_high: object = NAN,
    p_value: object = NAN,
    effect_size: object = NAN,
    extra: Mapping[str, object] | None = None,
) -> dict[str, Any]:
    """The row of :func:`analysis.stats._result.result_row` as a dict."""
    row: dict[str, Any] = {
        "n": int(n),
        "estimate": _as_float(estimate),
        "ci_low": _as_float(ci_low),
        "ci_high": _as_float(ci_high),
        "p_value": _as_float(p_value),
        "p_adjusted": NAN,
        "effect_size": _as_float(effect_size),
        "method": str(method),
    }
    for key, value in (extra or {}).items():
        if key in row:
            raise ValueError(f"extra column {key!r} clashes with a common column")
        row[key] = value if isinstance(value, str) else _as_float(value)
    return row


def row_frame(record: Mapping[str, object]) -> pd.DataFrame:
    """The one-row frame of a :func:`result_record`."""
    return pd.DataFrame({key: [value] for key, value in record.items()}).astype({"n": "int64"})
