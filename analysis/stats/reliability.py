"""Internal consistency of a multi-item construct."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import stats

from analysis.stats._result import check_confidence, is_constant, nan_extras, result_row

ALPHA_EXTRAS = ("n_items", "warning")
ALPHA_THRESHOLD = 0.7


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
    low = 1 - (1 - alpha) * stats.f.ppf(1 - gamma / 2, df1, df2)
    high = 1 - (1 - alpha) * stats.f.ppf(gamma / 2, df1, df2)
    extras["warning"] = "below 0.7" if alpha < ALPHA_THRESHOLD else ""
    return result_row(
        n=n,
        estimate=alpha,
        ci_low=low if math.isfinite(low) else math.nan,
        ci_high=high if math.isfinite(high) else math.nan,
        method=method,
        extra=extras,
    )
