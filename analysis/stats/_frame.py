"""Small DataFrame helpers shared by the regression-based functions."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd


def require_columns(frame: pd.DataFrame, columns: Sequence[str]) -> None:
    if not isinstance(frame, pd.DataFrame):
        raise ValueError(f"frame must be a pandas DataFrame, got {type(frame).__name__}")
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"frame has no column(s) {missing}; columns are {list(frame.columns)}")


def weights_series(frame: pd.DataFrame, weights: object) -> pd.Series | None:
    """``weights`` may be a column name or an array-like aligned with the rows of ``frame``."""
    if weights is None:
        return None
    if isinstance(weights, str):
        require_columns(frame, [weights])
        w = frame[weights]
    elif isinstance(weights, pd.Series):
        w = weights.reindex(frame.index) if not weights.index.equals(frame.index) else weights
    else:
        arr = np.asarray(weights, dtype=float)
        if arr.shape != (len(frame),):
            raise ValueError(f"weights must have one value per row ({len(frame)}), got {arr.shape}")
        w = pd.Series(arr, index=frame.index)
    w = pd.to_numeric(w, errors="raise").astype(float)
    if (w.dropna() < 0).any():
        raise ValueError("weights must be non-negative")
    return w


def as_binary(series: pd.Series, name: str) -> pd.Series:
    """0/1 float from bool or 0/1 numbers; NaN stays NaN; anything else is malformed."""
    values = pd.to_numeric(series.astype("object").where(series.notna()), errors="coerce")
    bad = series.notna() & ~values.isin([0, 1])
    if bad.any():
        raise ValueError(
            f"{name} must be 0/1 or boolean; found {sorted(map(str, series[bad].unique()))[:5]}"
        )
    return values.astype(float)


def design_matrix(
    frame: pd.DataFrame, covariates: Sequence[str], *, drop_first: bool
) -> pd.DataFrame:
    """Numeric covariates as they are; text/categorical/bool ones one-hot by level.

    With ``drop_first`` this is treatment coding, the same columns as formula ``C(x)``.
    """
    parts: list[pd.DataFrame] = []
    for cov in covariates:
        col = frame[cov]
        if pd.api.types.is_numeric_dtype(col) and not pd.api.types.is_bool_dtype(col):
            parts.append(col.astype(float).to_frame(cov))
            continue
        levels = pd.Categorical(col)
        dummies = pd.get_dummies(levels, prefix=cov, prefix_sep="=", dtype=float)
        dummies.index = frame.index
        if drop_first:
            dummies = dummies.iloc[:, 1:]
        parts.append(dummies)
    if not parts:
        return pd.DataFrame(index=frame.index)
    return pd.concat(parts, axis=1)
