from __future__ import annotations

import math

import numpy as np
import pytest
from statsmodels.stats.multitest import multipletests

from analysis.stats import adjust_pvalues

REL = 1e-6


def test_holm_and_bh_by_hand():
    # Holm: sorted .01·3 = .03, .03·2 = .06, .04·1 → max(.06, .04) = .06
    np.testing.assert_allclose(adjust_pvalues([0.01, 0.04, 0.03]), [0.03, 0.06, 0.06], rtol=REL)
    # BH: .01·3/1 = .03, .03·3/2 = .045, .04·3/3 = .04 → step-up minimum: .03, .04, .04
    np.testing.assert_allclose(
        adjust_pvalues([0.01, 0.04, 0.03], method="fdr_bh"), [0.03, 0.04, 0.04], rtol=REL
    )


@pytest.mark.parametrize(("method", "sm_method"), [("holm", "holm"), ("bh", "fdr_bh")])
def test_matches_multipletests(method, sm_method):
    p = np.random.default_rng(3).uniform(0, 0.2, 12)
    ref = multipletests(p, method=sm_method)[1]  # reference: statsmodels multipletests
    np.testing.assert_allclose(adjust_pvalues(p, method=method), ref, rtol=REL)


def test_nan_excluded_from_family():
    p = [0.01, math.nan, 0.04, 0.03]
    out = adjust_pvalues(p)
    assert math.isnan(out[1])
    ref = multipletests([0.01, 0.04, 0.03], method="holm")[1]  # m = 3, not 4
    np.testing.assert_allclose(out[[0, 2, 3]], ref, rtol=REL)
    assert np.isnan(adjust_pvalues([math.nan, math.nan])).all()
    assert adjust_pvalues([]).shape == (0,)


def test_malformed():
    with pytest.raises(ValueError, match="method"):
        adjust_pvalues([0.1], method="bonferroni-ish")
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        adjust_pvalues([0.1, 1.2])


@pytest.mark.parametrize("method", ["holm", "fdr_bh"])
def test_by_family_matches_multipletests_per_family(method):
    from analysis.stats.multiple import adjust_pvalues_by_family

    rng = np.random.default_rng(7)
    p = rng.uniform(0, 0.2, size=40)
    p[[3, 17]] = np.nan
    p[5] = p[6]  # a tie
    families = rng.choice(["a", "b", "c"], size=40)
    got = adjust_pvalues_by_family(p, families, method=method)
    for fam in "abc":
        mask = (families == fam) & ~np.isnan(p)
        # reference: statsmodels multipletests on each family alone
        expected = multipletests(p[mask], method=method)[1]
        np.testing.assert_allclose(got[mask], expected, rtol=1e-12)
    assert np.isnan(got[[3, 17]]).all()
