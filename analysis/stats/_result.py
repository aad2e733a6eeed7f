"""Shared result-row builder so every estimate has the same leading columns in the same order."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

COMMON_COLUMNS: tuple[str, ...] = (
    "n",
    "estimate",
    "ci_low",
    "ci_high",
    "p_value",
    "p_adjusted",
    "effect_size",
    "method",
)

NAN = math.nan


def _as_float(value: object) -> float:
    if value is None:
        return NAN
    return float(value)  # type: ignore[arg-type]


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
    """One tidy row as a dict: ``n, estimate, ci_low, ci_high, p_value, p_adjusted,
    effect_size, method`` followed by ``extra`` columns in the order given — for callers that
    put many results into one frame at once (a DataFrame per row costs milliseconds).

    ``p_adjusted`` is always NaN here; :func:`analysis.stats.multiple.adjust_pvalues` fills it
    across a family of tests. Numeric extras are stored as float, strings as given.
    """
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
    """The one-row frame of a :func:`result_record` (a dict of one-element columns: the fastest
    way pandas builds a one-row frame)."""
    return pd.DataFrame({key: [value] for key, value in record.items()}).astype({"n": "int64"})


def result_row(
    *,
    n: int,
    method: str,
    estimate: object = NAN,
    ci_low: object = NAN,
    ci_high: object = NAN,
    p_value: object = NAN,
    effect_size: object = NAN,
    extra: Mapping[str, object] | None = None,
) -> pd.DataFrame:
    """:func:`result_record` as a one-row DataFrame (the pingouin-style result of every
    statistical function)."""
    return row_frame(result_record(n=n, method=method, estimate=estimate, ci_low=ci_low,
                                   ci_high=ci_high, p_value=p_value, effect_size=effect_size,
                                   extra=extra))


def nan_extras(names: Sequence[str]) -> dict[str, object]:
    """All-NaN extra columns, for the too-little-data row."""
    return dict.fromkeys(names, NAN)


def as_float_array(values: object, name: str) -> np.ndarray:
    """1-D float array from a list/Series/array; ValueError when it is not 1-D or not numeric."""
    try:
        if isinstance(values, (pd.Series, pd.Index)):
            # nullable dtypes (Int64, Float64) carry pd.NA, which np.asarray cannot cast
            arr = values.to_numpy(dtype=float, na_value=np.nan)
        else:
            arr = np.asarray(values, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be numeric ({exc})") from exc
    if arr.ndim == 0:
        arr = arr.reshape(1)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, got shape {arr.shape}")
    return arr


def paired_arrays(before: object, after: object) -> tuple[np.ndarray, np.ndarray]:
    """Both as float arrays of equal length, with pairs where either is NaN dropped."""
    b = as_float_array(before, "before")
    a = as_float_array(after, "after")
    if b.shape != a.shape:
        raise ValueError(f"before and after must have the same length (got {b.size} and {a.size})")
    keep = ~(np.isnan(b) | np.isnan(a))
    return b[keep], a[keep]


def is_constant(values: np.ndarray, *, scale: float) -> bool:
    """True when ``values`` differ only by rounding noise relative to ``scale`` (the size of
    the numbers they were computed from): 0.2 − 0.1 and 0.3 − 0.2 are "equal" here."""
    return bool(np.ptp(values) <= 1e-10 * max(abs(scale), np.finfo(float).tiny))


def check_confidence(confidence: float) -> float:
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be between 0 and 1 (exclusive), got {confidence}")
    return float(confidence)
