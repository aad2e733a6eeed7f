"""The scipy.special shortcuts equal scipy.stats' distributions and statsmodels' Wilson interval."""

from __future__ import annotations

import numpy as np
from scipy import stats
from statsmodels.stats.proportion import proportion_confint

from analysis.stats import _dist

X = np.array([-3.0, -0.4, 0.0, 0.7, 2.5, np.nan])
Q = np.array([0.005, 0.025, 0.5, 0.975, 0.995, np.nan])
DF = np.array([1.0, 2.0, 7.0, 30.0, 400.0, 5.0])


def test_distribution_functions_equal_scipy_stats() -> None:
    # references: scipy.stats.t / norm / chi2 / f called directly, bit for bit
    np.testing.assert_array_equal(_dist.t_sf(X, DF), stats.t.sf(X, DF))
    np.testing.assert_array_equal(_dist.t_ppf(Q, DF), stats.t.ppf(Q, DF))
    np.testing.assert_array_equal(_dist.norm_sf(X), stats.norm.sf(X))
    np.testing.assert_array_equal(_dist.norm_ppf(Q), stats.norm.ppf(Q))
    np.testing.assert_array_equal(_dist.chi2_sf(np.abs(X), DF), stats.chi2.sf(np.abs(X), DF))
    np.testing.assert_array_equal(_dist.f_ppf(Q, 3.0, DF), stats.f.ppf(Q, 3.0, DF))


def test_wilson_equals_statsmodels() -> None:
    count = np.array([0, 1, 3, 10, 7, 50])
    n = np.array([5, 1, 10, 10, 40, 51])
    for confidence in (0.9, 0.95, 0.99):
        low, high = _dist.wilson(count, n, confidence=confidence)
        # reference: statsmodels.stats.proportion.proportion_confint(method="wilson")
        ref_low, ref_high = proportion_confint(count, n, alpha=1 - confidence, method="wilson")
        np.testing.assert_allclose(low, ref_low, rtol=0, atol=1e-15)
        np.testing.assert_allclose(high, ref_high, rtol=0, atol=1e-15)
