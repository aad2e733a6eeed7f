"""Employee Net Promoter Score and its paired change."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
from scipy import special

from analysis.stats._dist import norm_ppf, scipy_stats
from analysis.stats._result import (
    as_float_array,
    check_confidence,
    nan_extras,
    paired_arrays,
    result_record,
    result_row,
    row_frame,
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
    z = float(norm_ppf(0.5 + confidence / 2))
    return result_row(
        n=n,
        estimate=estimate,
        ci_low=max(estimate - z * se, -100.0),
        ci_high=min(estimate + z * se, 100.0),
        method=method,
        extra=extras,
    )


def category(values: np.ndarray) -> np.ndarray:
    """0 detractor (0–6), 1 passive (7–8), 2 promoter (9–10); eNPS = 100·mean(category − 1)."""
    return (values >= 7).astype(np.int64) + (values >= 9).astype(np.int64)


def transition_table(before: object, after: object) -> np.ndarray:
    """3×3 counts of complete pairs: rows the category before, columns the category after."""
    b, a = paired_arrays(before, after)
    _check_scale(b, "before")
    _check_scale(a, "after")
    return np.bincount(3 * category(b) + category(a), minlength=9).reshape(3, 3)


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
    a difference). Everything depends only on the 3×3 table of (category before, category
    after) counts, so this builds the table and calls :func:`enps_change_from_table`.
    """
    return enps_change_from_table(transition_table(before, after), n_resamples=n_resamples,
                                  seed=seed, confidence=confidence)


# person change d = (category after − category before) ∈ {−2..2} for each cell of the 3×3 table
_CHANGE = (np.arange(3)[None, :] - np.arange(3)[:, None]).ravel()
_STEPS = np.arange(-2, 3)


def _bca_or_percentile(counts: np.ndarray, sums: np.ndarray,
                       confidence: float) -> tuple[float, float, str]:
    """BCa interval (Efron 1987) from the bootstrap replicates' sums of d, with the jackknife
    done exactly: leaving out any one person of cell j gives the same value, counts[j] times."""
    n = int(counts.sum())
    replicates = 100.0 * sums / n
    present = counts > 0
    loo = 100.0 * (int(counts @ _CHANGE) - _CHANGE[present]) / (n - 1)
    weights = counts[present]
    dev = (weights * loo).sum() / n - loo
    observed = int(counts @ _CHANGE)  # integers: ties with the estimate are exact
    with np.errstate(divide="ignore", invalid="ignore"):
        accel = (weights * dev**3).sum() / (6.0 * ((weights * dev**2).sum()) ** 1.5)
        # scipy's _percentile_of_score (the "mean" kind of percentileofscore)
        below = np.count_nonzero(sums < observed) + np.count_nonzero(sums <= observed)
        z0 = special.ndtri(below / (2.0 * sums.size))
        z = special.ndtri((1 - confidence) / 2)
        levels = np.array([special.ndtr(z0 + (z0 + s) / (1 - accel * (z0 + s))) for s in (z, -z)])
    if np.all(np.isfinite(levels)):
        low, high = np.quantile(replicates, levels)
        if math.isfinite(low) and math.isfinite(high):
            return float(low), float(high), "BCa"
    alpha = (1 - confidence) / 2
    low, high = np.quantile(replicates, [alpha, 1 - alpha])
    return float(low), float(high), "percentile"


def _sign_flip_p(counts: np.ndarray) -> float:
    """Exact two-sided p of the paired permutation test (each person's before and after swapped
    with probability ½, i.e. d → −d). With n1 people at |d| = 1 and n2 at |d| = 2 the null sum
    is (2·B1 − n1) + 2·(2·B2 − n2), B1 ~ Bin(n1, ½), B2 ~ Bin(n2, ½) independent, so
    P(S ≥ |t|) = Σ_b2 P(B2 = b2) · P(B1 ≥ (|t| + n1 + 2·n2 − 4·b2) / 2)."""
    absd = np.abs(_CHANGE)
    n1 = int(counts[absd == 1].sum())
    n2 = int(counts[absd == 2].sum())
    observed = abs(int(counts @ _CHANGE))
    b2 = np.arange(n2 + 1)
    need = np.ceil((observed + n1 + 2 * n2 - 4 * b2) / 2.0)  # smallest B1 reaching |t|
    binom = scipy_stats().binom
    upper = float((binom.pmf(b2, n2, 0.5) * binom.sf(need - 1, n1, 0.5)).sum())
    return min(1.0, 2.0 * upper)


def enps_change_from_table(
    table: object,
    *,
    n_resamples: int = 9999,
    seed: int = 20240601,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """:func:`enps_change` from the 3×3 table of complete-pair counts (rows: detractor, passive,
    promoter before; columns: the same after); see :func:`enps_change_record`."""
    return row_frame(enps_change_record(table, n_resamples=n_resamples, seed=seed,
                                        confidence=confidence))


def enps_change_record(
    table: object,
    *,
    n_resamples: int = 9999,
    seed: int = 20240601,
    confidence: float = 0.95,
) -> dict[str, Any]:
    """:func:`enps_change_from_table` as a dict (:func:`analysis.stats._result.result_record`),
    for callers that put many cells into one frame.

    CI: bootstrap resampling *people* — ``n_resamples`` multinomial draws of the table's
    counts (``np.random.default_rng(seed)``; pooled by change d, which is all the statistic
    sees) — BCa (Efron 1987, JASA 82:171) with the jackknife
    computed exactly from the 9 leave-one-out values weighted by their counts; when BCa is
    undefined (every replicate on one side, or no jackknife variance) the percentile interval
    of the same replicates is used and ``method`` says so. p_value: paired permutation test
    (each person's two answers swapped at random), two-sided, computed exactly from the
    counts of people whose category moved by one and by two (a convolution of two binomials).
    """
    confidence = check_confidence(confidence)
    if n_resamples < 1:
        raise ValueError("n_resamples must be at least 1")
    counts = np.asarray(table, dtype=np.int64).reshape(-1)
    if counts.size != 9 or np.any(counts < 0):
        raise ValueError("table must be 3×3 non-negative counts")
    n = int(counts.sum())
    base = "paired eNPS change; bootstrap {ci} {conf:.0%} CI; exact paired permutation p"
    extras = nan_extras(ENPS_CHANGE_EXTRAS)
    if n == 0:
        method = base.format(ci="BCa", conf=confidence) + " — no complete pairs"
        return result_record(n=0, method=method, extra=extras)
    grid = counts.reshape(3, 3)
    # the same float operations as _enps_stat on the raw answers
    e_before = 100.0 * (int(grid[2].sum()) / n - int(grid[0].sum()) / n)
    e_after = 100.0 * (int(grid[:, 2].sum()) / n - int(grid[:, 0].sum()) / n)
    extras["enps_before"] = e_before
    extras["enps_after"] = e_after
    estimate = e_after - e_before
    if n < 2:
        method = base.format(ci="BCa", conf=confidence) + " — fewer than 2 pairs"
        return result_record(n=n, estimate=estimate, method=method, extra=extras)
    # the statistic depends on the table only through the counts of each change d ∈ {−2..2}:
    # resampling those 5 counts is the same distribution as resampling the 9 cells, in half
    # the binomial draws
    by_change = np.bincount(_CHANGE + 2, weights=counts, minlength=5).astype(np.int64)
    draws = np.random.default_rng(seed).multinomial(n, by_change / n, size=n_resamples)
    low, high, ci_kind = _bca_or_percentile(counts, draws @ _STEPS, confidence)
    return result_record(
        n=n,
        estimate=estimate,
        ci_low=low,
        ci_high=high,
        p_value=_sign_flip_p(counts),
        method=base.format(ci=ci_kind, conf=confidence),
        extra=extras,
    )
