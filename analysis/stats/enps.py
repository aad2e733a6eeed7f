"""Employee Net Promoter Score and its paired change."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
from scipy import stats

from analysis.stats._result import (
    as_float_array,
    check_confidence,
    nan_extras,
    paired_arrays,
    result_row,
)

ENPS_EXTRAS = ("pct_promoters", "pct_passives", "pct_detractors")
ENPS_CHANGE_EXTRAS = ("enps_before", "enps_after")


def _check_scale(values: np.ndarray, name: str) -> None:
    finite = values[~np.isnan(values)]
    if np.any((finite < 0) | (finite > 10)):
        raise ValueError(f"{name}: eNPS answers must be on the 0–10 scale")


def _enps_stat(x: np.ndarray, axis: int = -1) -> np.ndarray:
    """100 · (share ≥ 9 − share ≤ 6) along ``axis`` (vectorised for resampling)."""
    return 100.0 * (np.mean(x >= 9, axis=axis) - np.mean(x <= 6, axis=axis))


def _enps_diff(before: np.ndarray, after: np.ndarray, axis: int = -1) -> np.ndarray:
    return _enps_stat(after, axis=axis) - _enps_stat(before, axis=axis)


def enps(scores: object, *, confidence: float = 0.95) -> pd.DataFrame:
    """eNPS = % promoters (9–10) − % detractors (0–6), on −100..100 (Reichheld 2003, HBR 81(12)).

    NaN answers are ignored; n counts answers. The CI is the normal approximation for a
    difference of two multinomial shares, ``se = 100·sqrt((p_P + p_D − (p_P − p_D)²) / n)``
    (the variance of a +1/0/−1 score; Rocks 2016, "Confidence intervals for the Net
    Promoter Score"). Extra: ``pct_promoters, pct_passives, pct_detractors`` (0–100).
    """
    confidence = check_confidence(confidence)
    x = as_float_array(scores, "scores")
    _check_scale(x, "scores")
    x = x[~np.isnan(x)]
    n = int(x.size)
    method = f"eNPS (% 9–10 minus % 0–6); normal-approximation {confidence:.0%} CI"
    if n == 0:
        return result_row(n=0, method=method + " — no answers", extra=nan_extras(ENPS_EXTRAS))
    p_pro = float(np.mean(x >= 9))
    p_det = float(np.mean(x <= 6))
    estimate = 100.0 * (p_pro - p_det)
    extras: dict[str, object] = {
        "pct_promoters": 100 * p_pro,
        "pct_passives": 100 * (1 - p_pro - p_det),
        "pct_detractors": 100 * p_det,
    }
    se = 100.0 * math.sqrt(max(p_pro + p_det - (p_pro - p_det) ** 2, 0.0) / n)
    if n < 2 or se == 0:
        return result_row(n=n, estimate=estimate, method=method, extra=extras)
    z = stats.norm.ppf(0.5 + confidence / 2)
    return result_row(
        n=n,
        estimate=estimate,
        ci_low=max(estimate - z * se, -100.0),
        ci_high=min(estimate + z * se, 100.0),
        method=method,
        extra=extras,
    )


def enps_change(
    before: object,
    after: object,
    *,
    n_resamples: int = 9999,
    seed: int = 20240601,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Paired change in eNPS among people answering both times.

    estimate = eNPS(after) − eNPS(before) on complete pairs (points on the −200..200 scale of
    a difference). CI: ``scipy.stats.bootstrap`` resampling *people* (``paired=True``),
    ``n_resamples`` draws, BCa (Efron 1987, JASA 82:171); when BCa is degenerate (e.g. every
    bootstrap replicate equal, or the acceleration undefined) the percentile interval from the
    same seed is used and ``method`` says so. p_value: paired permutation test
    (``scipy.stats.permutation_test``, ``permutation_type="samples"``: each person's two
    answers are swapped at random), two-sided, same seed; exact when 2ⁿ ≤ n_resamples.
    Both use ``rng=np.random.default_rng(seed)`` so results are reproducible.
    """
    confidence = check_confidence(confidence)
    if n_resamples < 1:
        raise ValueError("n_resamples must be at least 1")
    b, a = paired_arrays(before, after)
    _check_scale(b, "before")
    _check_scale(a, "after")
    n = int(b.size)
    base = "paired eNPS change; bootstrap {ci} {conf:.0%} CI; paired permutation p"
    extras = nan_extras(ENPS_CHANGE_EXTRAS)
    if n == 0:
        method = base.format(ci="BCa", conf=confidence) + " — no complete pairs"
        return result_row(n=0, method=method, extra=extras)
    e_before = float(_enps_stat(b))
    e_after = float(_enps_stat(a))
    extras["enps_before"] = e_before
    extras["enps_after"] = e_after
    estimate = e_after - e_before
    if n < 2:
        method = base.format(ci="BCa", conf=confidence) + " — fewer than 2 pairs"
        return result_row(n=n, estimate=estimate, method=method, extra=extras)

    def run_bootstrap(kind: str) -> tuple[float, float, bool]:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            res = stats.bootstrap(
                (b, a),
                _enps_diff,
                paired=True,
                vectorized=True,
                n_resamples=n_resamples,
                confidence_level=confidence,
                method=kind,
                rng=np.random.default_rng(seed),
            )
        low, high = float(res.confidence_interval.low), float(res.confidence_interval.high)
        # scipy flags BCa degeneracy with DegenerateDataWarning (+ NaN limits)
        degenerate = any(
            issubclass(w.category, stats.DegenerateDataWarning | RuntimeWarning) for w in caught
        ) or not (math.isfinite(low) and math.isfinite(high))
        return low, high, degenerate

    ci_kind = "BCa"
    low, high, degenerate = run_bootstrap("BCa")
    if degenerate:
        ci_kind = "percentile"
        low, high, degenerate = run_bootstrap("percentile")
        if degenerate:
            low = high = math.nan

    perm = stats.permutation_test(
        (b, a),
        _enps_diff,
        permutation_type="samples",
        vectorized=True,
        n_resamples=n_resamples,
        alternative="two-sided",
        rng=np.random.default_rng(seed),
    )
    return result_row(
        n=n,
        estimate=estimate,
        ci_low=low,
        ci_high=high,
        p_value=perm.pvalue,
        method=base.format(ci=ci_kind, conf=confidence),
        extra=extras,
    )
