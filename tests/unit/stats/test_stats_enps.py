from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from analysis.stats import COMMON_COLUMNS, enps, enps_change
from analysis.stats.enps import (
    ENPS_CHANGE_EXTRAS,
    ENPS_EXTRAS,
    _bca_or_percentile,
    transition_table,
)

REL = 1e-6


def one(frame: pd.DataFrame) -> pd.Series:
    assert len(frame) == 1
    return frame.iloc[0]


def enps_by_hand(x: np.ndarray, axis: int = -1) -> np.ndarray:
    return 100 * (np.mean(x >= 9, axis=axis) - np.mean(x <= 6, axis=axis))


def diff_by_hand(b: np.ndarray, a: np.ndarray, axis: int = -1) -> np.ndarray:
    return enps_by_hand(a, axis) - enps_by_hand(b, axis)


def test_enps_tiny_lists_by_hand():
    res = enps([10, 10, 9, 8, 5])  # 3 promoters, 1 passive, 1 detractor of 5 → 60 − 20
    assert list(res.columns) == [*COMMON_COLUMNS, *ENPS_EXTRAS]
    r = one(res)
    assert r["estimate"] == pytest.approx(40.0, rel=REL)
    assert (r["pct_promoters"], r["pct_passives"], r["pct_detractors"]) == (
        pytest.approx(60.0),
        pytest.approx(20.0),
        pytest.approx(20.0),
    )
    # se = 100·sqrt((0.6 + 0.2 − 0.4²)/5), by hand
    se = 100 * math.sqrt((0.6 + 0.2 - 0.16) / 5)
    z = stats.norm.ppf(0.975)
    assert r["ci_low"] == pytest.approx(40 - z * se, rel=REL)
    assert r["ci_high"] == pytest.approx(min(40 + z * se, 100), rel=REL)
    # 6 is a detractor, 7 and 8 passives, NaN ignored: 3 promoters, 3 detractors → 0
    r2 = one(enps([10, 9, 8, 7, 6, 0, 9, 3, np.nan]))
    assert r2["n"] == 8 and r2["estimate"] == pytest.approx(0.0, abs=1e-12)


def test_enps_edge_cases():
    assert one(enps([]))["n"] == 0
    assert math.isnan(one(enps([]))["estimate"])
    r = one(enps([9, 10]))
    assert r["estimate"] == 100 and math.isnan(r["ci_low"])  # no variance
    with pytest.raises(ValueError, match="0–10"):
        enps([11, 5])


def _pairs(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    before = rng.integers(0, 11, n).astype(float)
    return before, np.clip(before + rng.integers(-2, 4, n), 0, 10)


def test_enps_change_point_estimate_by_hand():
    before, after = _pairs(40, 7)
    res = enps_change(before, after, n_resamples=2000, seed=11)
    assert list(res.columns) == [*COMMON_COLUMNS, *ENPS_CHANGE_EXTRAS]
    r = one(res)
    # by hand: % promoters − % detractors, after minus before
    assert r["estimate"] == pytest.approx(enps_by_hand(after) - enps_by_hand(before), rel=REL)
    assert r["enps_before"] == pytest.approx(enps_by_hand(before), rel=REL)
    assert r["enps_after"] == pytest.approx(enps_by_hand(after), rel=REL)
    assert "BCa" in r["method"] and "exact" in r["method"]


def test_transition_table_counts_categories():
    table = transition_table([0, 6, 7, 8, 9, 10, np.nan], [10, 7, 6, 9, 9, 0, 5])
    # by hand: (D→P) (D→Pa) (Pa→D) (Pa→P) (P→P) (P→D); the NaN pair is dropped
    assert table.tolist() == [[0, 1, 1], [1, 0, 1], [1, 0, 1]]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_enps_change_ci_agrees_with_scipy_bootstrap(seed: int):
    before, after = _pairs(150, seed)
    r = one(enps_change(before, after, seed=seed))
    # reference: scipy.stats.bootstrap(paired=True, method="BCa") on the raw answers; the
    # draws differ (scipy resamples indices), so agreement is within Monte-Carlo error
    ref = stats.bootstrap((before, after), diff_by_hand, paired=True, vectorized=True,
                          method="BCa", rng=np.random.default_rng(seed + 100))
    tol = 0.3 * ref.standard_error
    assert r["ci_low"] == pytest.approx(ref.confidence_interval.low, abs=tol)
    assert r["ci_high"] == pytest.approx(ref.confidence_interval.high, abs=tol)


def test_enps_bca_matches_scipy_on_the_same_replicates():
    before, after = _pairs(60, 4)

    def total_change(b: np.ndarray, a: np.ndarray, axis: int = -1) -> np.ndarray:
        # Σ (category after − category before): integers, so ties with the estimate are exact
        # (scipy's float eNPS differences are not); BCa is invariant to the factor 100/n
        return (enps_by_hand(a[..., None], -1) - enps_by_hand(b[..., None], -1)).sum(axis) / 100

    # replicates from scipy itself; scipy's BCa on them (bootstrap_result, n_resamples=0)
    # must equal ours, whose jackknife comes from the 3×3 counts (reference: scipy.stats.bootstrap)
    boot = stats.bootstrap((before, after), total_change, paired=True, vectorized=True,
                           method="percentile", n_resamples=3000, rng=np.random.default_rng(5))
    ref = stats.bootstrap((before, after), total_change, paired=True, vectorized=True,
                          method="BCa", n_resamples=0, bootstrap_result=boot)
    sums = np.rint(boot.bootstrap_distribution).astype(np.int64)
    low, high, kind = _bca_or_percentile(transition_table(before, after).ravel(), sums, 0.95)
    assert kind == "BCa"
    scale = 100 / before.size
    assert (low, high) == pytest.approx(
        (ref.confidence_interval.low * scale, ref.confidence_interval.high * scale), rel=1e-9)


def _brute_force_p(before: np.ndarray, after: np.ndarray) -> float:
    d = (enps_by_hand(after[:, None]) - enps_by_hand(before[:, None])) / 100  # −2..2 each
    flips = np.array(list(itertools.product([1, -1], repeat=d.size)))
    null = flips @ d
    t = d.sum()
    return min(1.0, 2 * min(np.mean(null >= t - 1e-9), np.mean(null <= t + 1e-9)))


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_enps_change_exact_p_equals_enumeration(seed: int):
    before, after = _pairs(12, seed)
    r = one(enps_change(before, after, n_resamples=99))
    # reference: all 2¹² sign flips of each person's change, enumerated by hand
    assert r["p_value"] == pytest.approx(_brute_force_p(before, after), rel=1e-9)


def test_enps_change_exact_p_approaches_scipy_permutation_test():
    rng = np.random.default_rng(9)
    before = rng.integers(0, 11, 200).astype(float)
    after = np.clip(before + rng.integers(-2, 3, 200), 0, 10)  # a small, uncertain change
    r = one(enps_change(before, after, n_resamples=99))
    # reference: scipy.stats.permutation_test(permutation_type="samples"), 50 000 random
    # swaps: Monte-Carlo standard error ≤ 0.0023
    perm = stats.permutation_test((before, after), diff_by_hand, permutation_type="samples",
                                  vectorized=True, n_resamples=50_000,
                                  rng=np.random.default_rng(3))
    assert r["p_value"] == pytest.approx(perm.pvalue, abs=0.01)
    assert 0.001 < r["p_value"] < 0.999  # a p the test can actually tell apart


def test_enps_change_exact_permutation_by_hand():
    # person contributions (after − before category, ±1/0) are +2, +2, 0 → flips give
    # {+133.3, 0, 0, −133.3} × 2; P(stat ≥ 133.3) = 2/8, two-sided p = 2 · 0.25 = 0.5
    r = one(enps_change([0, 5, 8], [10, 9, 8]))
    assert r["estimate"] == pytest.approx(400 / 3, rel=REL)
    assert r["p_value"] == pytest.approx(0.5, rel=REL)


def test_enps_change_degenerate_falls_back_to_percentile():
    r = one(enps_change([9, 9, 9, 9], [9, 9, 9, 9]))
    assert r["estimate"] == 0
    assert "percentile" in r["method"]
    assert (r["ci_low"], r["ci_high"]) == (0.0, 0.0)


def test_enps_change_same_seed_same_answer():
    before, after = [5, 7, 9, 3, 10, 8, 6], [8, 9, 9, 5, 10, 9, 9]
    a = enps_change(before, after, n_resamples=999)
    b = enps_change(before, after, n_resamples=999)
    pd.testing.assert_frame_equal(a, b)


def test_enps_change_edge_cases():
    assert one(enps_change([], []))["n"] == 0
    r = one(enps_change([5, np.nan], [9, 9]))
    assert r["n"] == 1 and r["estimate"] == 200 and math.isnan(r["ci_low"])
    with pytest.raises(ValueError, match="same length"):
        enps_change([5, 6], [9])
    with pytest.raises(ValueError, match="0–10"):
        enps_change([5, 60], [9, 9])
