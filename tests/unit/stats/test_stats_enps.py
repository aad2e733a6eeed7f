from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from analysis.stats import COMMON_COLUMNS, enps, enps_change
from analysis.stats.enps import ENPS_CHANGE_EXTRAS, ENPS_EXTRAS

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


def test_enps_change_matches_scipy_bootstrap_and_permutation():
    rng = np.random.default_rng(7)
    before = rng.integers(0, 11, 40).astype(float)
    after = np.clip(before + rng.integers(-1, 4, 40), 0, 10)
    res = enps_change(before, after, n_resamples=2000, seed=11)
    assert list(res.columns) == [*COMMON_COLUMNS, *ENPS_CHANGE_EXTRAS]
    r = one(res)
    assert r["estimate"] == pytest.approx(
        enps_by_hand(after) - enps_by_hand(before), rel=REL
    )  # by hand
    assert r["enps_before"] == pytest.approx(enps_by_hand(before), rel=REL)
    assert r["enps_after"] == pytest.approx(enps_by_hand(after), rel=REL)
    # reference: scipy.stats.bootstrap, paired, BCa, same seed → same CI
    ref = stats.bootstrap(
        (before, after),
        diff_by_hand,
        paired=True,
        vectorized=True,
        n_resamples=2000,
        method="BCa",
        rng=np.random.default_rng(11),
    )
    assert "BCa" in r["method"]
    assert r["ci_low"] == pytest.approx(ref.confidence_interval.low, rel=REL)
    assert r["ci_high"] == pytest.approx(ref.confidence_interval.high, rel=REL)
    # reference: scipy.stats.permutation_test, paired ("samples"), same seed
    perm = stats.permutation_test(
        (before, after),
        diff_by_hand,
        permutation_type="samples",
        vectorized=True,
        n_resamples=2000,
        rng=np.random.default_rng(11),
    )
    assert r["p_value"] == pytest.approx(perm.pvalue, rel=REL)


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
