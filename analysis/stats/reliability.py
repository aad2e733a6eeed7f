"""Internal consistency of a multi-item construct."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from analysis.stats._dist import f_ppf
from analysis.stats._result import check_confidence, is_constant, nan_extras, result_row

ALPHA_EXTRAS = ("n_items", "warning")
ALPHA_THRESHOLD = 0.7
# alpha within rounding of the floor counts as on it: summation order (DuckDB aggregates in
# parallel) must not flip the warning
_BELOW = ALPHA_THRESHOLD - 1e-12


def cronbach_alpha(items: object, *, confidence: float = 0.95) -> pd.DataFrame:
    """Cronbach's alpha on complete cases (Cronbach 1951, Psychometrika 16:297).

    ``alpha = k/(k − 1) · (1 − Σ var(item_i) / var(Σ items))``, variances with ddof=1, k items
    (columns), n people (rows) answering every item; reverse-code items before calling.

    CI (Feldt, Woodruff & Salih 1987, Appl. Psychol. Meas. 11:93), with
    ``F`` the F distribution on ``(n − 1, (n − 1)(k − 1))`` df:
    ``[1 − (1 − alpha)·F_{1−γ/2},  1 − (1 − alpha)·F_{γ/2}]`` for confidence ``1 − γ``.

    ``warning`` is ``"below 0.7"`` when alpha < 0.7 (Nunnally 1978's usual floor), else ``""``.
    NaN when k < 2, n < 2, or the total score has no variance.
    """
    confidence = check_confidence(confidence)
    frame = items if isinstance(items, pd.DataFrame) else pd.DataFrame(np.asarray(items))
    try:
        data = frame.apply(pd.to_numeric, errors="raise").to_numpy(dtype=float, na_value=np.nan)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"items must be numeric ({exc})") from exc
    data = data[~np.isnan(data).any(axis=1)]
    n, k = data.shape
    method = f"Cronbach's alpha (complete cases); Feldt {confidence:.0%} CI"
    extras = nan_extras(ALPHA_EXTRAS)
    extras["n_items"] = k
    extras["warning"] = ""
    if k < 2 or n < 2:
        return result_row(n=n, method=method + " — needs ≥2 items and ≥2 people", extra=extras)
    total = data.sum(axis=1)
    total_var = total.var(ddof=1)
    if is_constant(total, scale=float(np.abs(total).max())):  # var may be rounding noise
        return result_row(n=n, method=method + " — total score has no variance", extra=extras)
    alpha = k / (k - 1) * (1 - data.var(axis=0, ddof=1).sum() / total_var)
    df1, df2 = n - 1, (n - 1) * (k - 1)
    gamma = 1 - confidence
    low = 1 - (1 - alpha) * float(f_ppf(1 - gamma / 2, df1, df2))
    high = 1 - (1 - alpha) * float(f_ppf(gamma / 2, df1, df2))
    extras["warning"] = "below 0.7" if alpha < _BELOW else ""
    return result_row(
        n=n,
        estimate=alpha,
        ci_low=low if math.isfinite(low) else math.nan,
        ci_high=high if math.isfinite(high) else math.nan,
        method=method,
        extra=extras,
    )


def cronbach_alpha_cells(answers: pd.DataFrame, keys: list[str], *,
                         cells: pd.DataFrame | None = None,
                         confidence: float = 0.95) -> pd.DataFrame:
    """:func:`cronbach_alpha` for every cell of ``keys`` at once, from long answers (``keys``,
    ``employee_id``, ``item_id``, ``value``; one answer per person × item, the first kept).

    Per cell the same numbers as ``cronbach_alpha`` on that cell's person × item table: k is
    the number of items answered by anyone in the cell, complete cases are the people with a
    value for all k, then item variances and the variance of the person totals (ddof=1).
    Returns ``keys`` then the result columns, one row per cell, sorted by ``keys``; or, when
    ``cells`` (a frame of ``keys``) is given, one row per row of ``cells`` in its order (a
    cell without answers gets the too-little-data row).
    """
    confidence = check_confidence(confidence)
    person_keys = [*keys, "employee_id"]
    one = answers.drop_duplicates([*person_keys, "item_id"])[[*person_keys, "item_id", "value"]]
    one = one.assign(value=pd.to_numeric(one["value"]).astype(float))
    k = one.groupby(keys, dropna=False, sort=True)["item_id"].nunique().rename("k")
    if cells is not None:
        k = k.reindex(pd.MultiIndex.from_frame(cells[keys]), fill_value=0)
    answered = one.groupby(person_keys, dropna=False, sort=False)["value"].transform("count")
    items_in_cell = one.groupby(keys, dropna=False, sort=False)["item_id"].transform("nunique")
    complete = one[answered.to_numpy() == items_in_cell.to_numpy()]
    item_var = (complete.groupby([*keys, "item_id"], dropna=False, sort=False)["value"]
                .var(ddof=1).groupby(level=keys, dropna=False).sum().rename("item_var"))
    total = complete.groupby(person_keys, dropna=False, sort=False)["value"].sum()
    per_cell = total.groupby(level=keys, dropna=False)
    agg = pd.concat([per_cell.size().rename("n"), per_cell.var(ddof=1).rename("total_var"),
                     per_cell.max().rename("hi"), per_cell.min().rename("lo"), item_var],
                    axis=1).reindex(k.index)
    out = alpha_from_moments(agg.assign(k=k), confidence=confidence)
    return pd.concat([k.index.to_frame(index=False), out], axis=1)


def alpha_from_moments(cells: pd.DataFrame, *, confidence: float = 0.95) -> pd.DataFrame:
    """:func:`cronbach_alpha` for many cells from what it needs, one row per row of ``cells``:
    ``k`` (items), ``n`` (complete cases), ``item_var`` (sum of the items' ddof=1 variances),
    ``total_var`` (ddof=1 variance of the person totals) and ``hi``/``lo`` (their largest and
    smallest, for the no-variance check). Missing n counts as 0."""
    confidence = check_confidence(confidence)
    n = cells["n"].fillna(0).astype("int64").to_numpy()
    kk = cells["k"].to_numpy(dtype=float)
    hi, lo = cells["hi"].to_numpy(dtype=float), cells["lo"].to_numpy(dtype=float)
    enough = (kk >= 2) & (n >= 2)
    scale = np.maximum(np.maximum(np.abs(hi), np.abs(lo)), np.finfo(float).tiny)
    flat = enough & ((hi - lo) <= 1e-10 * scale)  # is_constant: var may be rounding noise
    ok = enough & ~flat
    with np.errstate(divide="ignore", invalid="ignore"):
        alpha = np.where(ok, kk / (kk - 1) * (1 - cells["item_var"].to_numpy(dtype=float)
                                              / cells["total_var"].to_numpy(dtype=float)),
                         np.nan)
        df1 = np.where(ok, n - 1, 1)
        df2 = np.where(ok, (n - 1) * (kk - 1), 1)
        gamma = 1 - confidence
        low = np.where(ok, 1 - (1 - alpha) * f_ppf(1 - gamma / 2, df1, df2), np.nan)
        high = np.where(ok, 1 - (1 - alpha) * f_ppf(gamma / 2, df1, df2), np.nan)
    base = f"Cronbach's alpha (complete cases); Feldt {confidence:.0%} CI"
    method = np.where(~enough, base + " — needs ≥2 items and ≥2 people",
                      np.where(flat, base + " — total score has no variance", base))
    out = pd.DataFrame({"n": n, "estimate": alpha})
    out["ci_low"] = np.where(np.isfinite(low), low, np.nan)
    out["ci_high"] = np.where(np.isfinite(high), high, np.nan)
    out["p_value"] = out["p_adjusted"] = out["effect_size"] = np.nan
    out["method"] = method
    out["n_items"] = kk
    out["warning"] = np.where(ok & (alpha < _BELOW), "below 0.7", "")
    return out
