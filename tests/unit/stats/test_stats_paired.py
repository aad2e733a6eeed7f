from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from analysis.stats import COMMON_COLUMNS, paired_change, top2box_change
from analysis.stats.paired import PAIRED_EXTRAS, TOP2BOX_EXTRAS

REL = 1e-6


def one(frame: pd.DataFrame) -> pd.Series:
    assert len(frame) == 1
    return frame.iloc[0]


# --- paired_change ----------------------------------------------------------------------------


def test_paired_change_columns_fixed():
    res = paired_change([1, 2, 3], [2, 3, 5])
    assert list(res.columns) == [*COMMON_COLUMNS, *PAIRED_EXTRAS]
    assert math.isnan(res["p_adjusted"].iloc[0])


def test_paired_change_rforhr_reference(prepost_only):
    pre, post = prepost_only["PreTest"], prepost_only["PostTest"]
    r = one(paired_change(pre, post))
    ref = stats.ttest_rel(post, pre)  # reference: scipy.stats.ttest_rel
    ref_ci = ref.confidence_interval(0.95)
    d = (post - pre).to_numpy(dtype=float)
    assert r["n"] == 25
    assert r["estimate"] == pytest.approx(72.36 - 52.72, rel=REL)  # column means of the CSV
    assert r["t_stat"] == pytest.approx(ref.statistic, rel=REL)  # ttest_rel: t = 8.4677
    assert r["p_value"] == pytest.approx(ref.pvalue, rel=REL)  # ttest_rel
    assert r["df"] == ref.df == 24  # ttest_rel
    assert r["ci_low"] == pytest.approx(ref_ci.low, rel=REL)  # ttest_rel().confidence_interval
    assert r["ci_high"] == pytest.approx(ref_ci.high, rel=REL)
    d_z = d.mean() / d.std(ddof=1)  # numpy by hand: Cohen's d_z
    assert r["effect_size"] == pytest.approx(d_z, rel=REL)
    assert r["hedges_gz"] == pytest.approx(d_z * (1 - 3 / (4 * 24 - 1)), rel=REL)  # Hedges J
    assert r["sd_change"] == pytest.approx(np.std(d, ddof=1), rel=REL)
    # reference: scipy.stats.wilcoxon's default: the normal approximation (n = 25 with ties)
    w = stats.wilcoxon(post - pre, zero_method="pratt", method="asymptotic")
    assert stats.wilcoxon(post - pre, zero_method="pratt").pvalue == w.pvalue
    assert r["wilcoxon_stat"] == pytest.approx(w.statistic, rel=REL)
    assert r["wilcoxon_p"] == pytest.approx(w.pvalue, rel=REL)


def test_paired_change_small_table_by_hand():
    # d = [1, 2, 0, 3]: mean 1.5, sd = sqrt(5/3), t = 1.5 / (sd / 2)
    r = one(paired_change([1, 2, 3, 4], [2, 4, 3, 7]))
    sd = math.sqrt(5 / 3)
    t = 1.5 / (sd / 2)
    assert r["estimate"] == pytest.approx(1.5, rel=REL)  # by hand
    assert r["sd_change"] == pytest.approx(sd, rel=REL)  # by hand
    assert r["t_stat"] == pytest.approx(t, rel=REL)  # by hand
    assert r["p_value"] == pytest.approx(2 * stats.t.sf(t, 3), rel=REL)  # scipy.stats.t by hand
    half = stats.t.ppf(0.975, 3) * sd / 2
    assert r["ci_low"] == pytest.approx(1.5 - half, rel=REL)
    assert r["ci_high"] == pytest.approx(1.5 + half, rel=REL)
    assert r["mean_before"] == pytest.approx(2.5, rel=REL)
    assert r["mean_after"] == pytest.approx(4.0, rel=REL)
    # a zero difference is kept in the ranks (Pratt): scipy.stats.wilcoxon(zero_method="pratt"),
    # whose default for n <= 13 with zeros counts every sign flip: r+ = 2 + 3 + 4 = 9 of the
    # 16 flips, 2 of them reach 9 or more -> p = 2 · 2/16 = 0.25
    w = stats.wilcoxon([1, 2, 0, 3], zero_method="pratt")
    assert r["wilcoxon_p"] == pytest.approx(w.pvalue, rel=REL)
    assert r["wilcoxon_p"] == pytest.approx(0.25, rel=REL)


def test_paired_change_confidence_level():
    before, after = [1, 2, 3, 4, 5], [2, 2, 5, 4, 8]
    r = one(paired_change(before, after, confidence=0.9))
    ci = stats.ttest_rel(after, before).confidence_interval(0.9)  # ttest_rel
    assert (r["ci_low"], r["ci_high"]) == (pytest.approx(ci.low), pytest.approx(ci.high))
    assert "90% CI" in r["method"]


def test_paired_change_drops_incomplete_pairs():
    before = [1, 2, np.nan, 3, 4, 5]
    after = [2, 4, 9, 3, np.nan, 8]
    r = one(paired_change(before, after))
    ref = one(paired_change([1, 2, 3, 5], [2, 4, 3, 8]))
    assert r["n"] == 4
    assert r["estimate"] == pytest.approx(ref["estimate"], rel=REL)
    assert r["p_value"] == pytest.approx(ref["p_value"], rel=REL)


def test_paired_change_accepts_nullable_series():
    before = pd.Series([1, 2, None, 4], dtype="Int64")
    after = pd.Series([2, 3, 5, None], dtype="Float64")
    assert one(paired_change(before, after))["n"] == 2


def test_paired_change_empty_and_single():
    r0 = one(paired_change([], []))
    assert r0["n"] == 0 and math.isnan(r0["estimate"]) and math.isnan(r0["p_value"])
    r1 = one(paired_change([3], [5]))
    assert r1["n"] == 1
    assert r1["estimate"] == 2
    for col in ("ci_low", "ci_high", "p_value", "effect_size", "t_stat", "wilcoxon_p"):
        assert math.isnan(r1[col]), col


def test_paired_change_all_equal_differences():
    r = one(paired_change([1, 2, 3], [3, 4, 5]))
    assert r["n"] == 3 and r["estimate"] == 2 and r["sd_change"] == 0
    assert math.isnan(r["p_value"]) and math.isnan(r["effect_size"]) and math.isnan(r["ci_low"])
    assert "no variance" in r["method"]
    # floating-point equal differences (sd would be ~1e-17, not 0) are treated the same
    r2 = one(paired_change([0.1, 0.2, 0.7], [0.2, 0.3, 0.8]))
    assert math.isnan(r2["p_value"]) and r2["estimate"] == pytest.approx(0.1, rel=REL)


def test_paired_change_all_zero_differences_has_no_wilcoxon():
    r = one(paired_change([1, 2, 3], [1, 2, 3]))
    assert r["estimate"] == 0
    assert math.isnan(r["wilcoxon_stat"]) and math.isnan(r["wilcoxon_p"])


def test_paired_change_malformed_input():
    with pytest.raises(ValueError, match="same length"):
        paired_change([1, 2, 3], [1, 2])
    with pytest.raises(ValueError, match="numeric"):
        paired_change(["a", "b"], [1, 2])
    with pytest.raises(ValueError, match="confidence"):
        paired_change([1, 2], [1, 2], confidence=95)


# --- top2box_change ---------------------------------------------------------------------------


def test_top2box_change_counts_by_hand():
    # threshold 4: before top = T T F T F T F F; after top = T T T F T T T F
    before = [5, 4, 3, 5, 2, 4, 1, 3]
    after = [5, 5, 4, 3, 4, 4, 5, 2]
    r = one(top2box_change(before, after, threshold=4))
    assert list(top2box_change(before, after, threshold=4).columns) == [
        *COMMON_COLUMNS,
        *TOP2BOX_EXTRAS,
    ]
    assert r["n"] == 8
    assert r["discordant_up"] == 3  # rows 3, 5, 7 by hand
    assert r["discordant_down"] == 1  # row 4 by hand
    assert r["share_before"] == pytest.approx(4 / 8, rel=REL)
    assert r["share_after"] == pytest.approx(6 / 8, rel=REL)
    assert r["estimate"] == pytest.approx(2 / 8, rel=REL)
    se = math.sqrt(4 - 2**2 / 8) / 8  # paired Wald SE by hand
    z = stats.norm.ppf(0.975)
    assert r["ci_low"] == pytest.approx(0.25 - z * se, rel=REL)
    assert r["ci_high"] == pytest.approx(0.25 + z * se, rel=REL)
    # exact McNemar = two-sided binomial test on the discordant pairs: scipy.stats.binomtest
    assert r["p_value"] == pytest.approx(stats.binomtest(1, 4, 0.5).pvalue, rel=REL)
    assert r["effect_size"] == pytest.approx(3.0, rel=REL)  # odds ratio b / c
    assert "exact McNemar" in r["method"]


def test_top2box_change_chi_square_when_many_discordant():
    # 30 up, 10 down, 20 concordant: b + c = 40 >= 25 → corrected chi-square
    before = np.r_[np.zeros(30), np.ones(10), np.ones(12), np.zeros(8)]
    after = np.r_[np.ones(30), np.zeros(10), np.ones(12), np.zeros(8)]
    r = one(top2box_change(before, after, threshold=1))
    chi2 = (abs(30 - 10) - 1) ** 2 / 40  # McNemar with continuity correction, by hand
    assert r["p_value"] == pytest.approx(stats.chi2.sf(chi2, 1), rel=REL)
    assert r["estimate"] == pytest.approx(20 / 60, rel=REL)
    assert "continuity" in r["method"]


def test_top2box_change_rforhr(prepost_only):
    pre, post = prepost_only["PreTest"], prepost_only["PostTest"]
    r = one(top2box_change(pre, post, threshold=60))
    table = pd.crosstab(pre >= 60, post >= 60)  # pandas crosstab as the reference count
    up = int(table.loc[False, True]) if True in table.columns else 0
    down = int(table.loc[True, False]) if (True in table.index and False in table.columns) else 0
    assert (r["discordant_up"], r["discordant_down"]) == (up, down)
    assert r["share_before"] == pytest.approx((pre >= 60).mean(), rel=REL)
    assert r["share_after"] == pytest.approx((post >= 60).mean(), rel=REL)
    assert r["p_value"] == pytest.approx(stats.binomtest(down, up + down).pvalue, rel=REL)


def test_top2box_change_no_discordant_pairs():
    r = one(top2box_change([5, 1, 5], [5, 2, 4], threshold=4))
    assert r["estimate"] == 0 and r["n"] == 3
    assert math.isnan(r["p_value"]) and math.isnan(r["ci_low"])


def test_top2box_change_edge_cases():
    assert one(top2box_change([], [], threshold=4))["n"] == 0
    r = one(top2box_change([np.nan, 3], [5, np.nan], threshold=4))
    assert r["n"] == 0
    with pytest.raises(ValueError):
        top2box_change([1, 2], [1], threshold=4)


def test_wilcoxon_is_scipys_default_exact_and_deterministic_with_ties():
    no_ties = np.array([0.5, -1.25, 2.0, 3.5, -0.75, 1.5])
    r = one(paired_change(np.zeros(6), no_ties))
    # reference: scipy.stats.wilcoxon exact distribution (no ties, no zeros, n <= 50)
    assert r["wilcoxon_p"] == pytest.approx(
        stats.wilcoxon(no_ties, zero_method="pratt", method="exact").pvalue, rel=REL)
    ties = np.array([1.0, 1.0, -1.0, 2.0, 0.0, 2.0, 3.0])
    first = one(paired_change(np.zeros(7), ties))["wilcoxon_p"]
    # reference: scipy.stats.wilcoxon(zero_method="pratt"), default method (every sign flip)
    assert first == stats.wilcoxon(ties, zero_method="pratt").pvalue
    assert one(paired_change(np.zeros(7), ties))["wilcoxon_p"] == first
    # the example: changes 1, 1, 2, 1, 1 -> 0.0625 (the normal approximation gave 0.034)
    five = one(paired_change(np.zeros(5), [1, 1, 2, 1, 1]))["wilcoxon_p"]
    assert five == stats.wilcoxon([1, 1, 2, 1, 1], zero_method="pratt").pvalue == 0.0625
