"""Descriptive estimates with their uncertainty: mean, median, share, dose–response slope."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from analysis.stats._dist import scipy_stats, t_ppf, wilson
from analysis.stats._result import as_float_array, check_confidence, is_constant, result_row

DOSE_EXTRAS = ("spearman_rho", "spearman_p", "intercept")


def mean_ci(values: object, *, confidence: float = 0.95) -> pd.DataFrame:
    """Mean with a Student-t CI ``mean ± t(1 − α/2, n − 1) · sd / √n`` (NaN values dropped).

    ``effect_size`` is NaN; ``sd`` is an extra column. CI NaN for n < 2 or no variance.
    """
    confidence = check_confidence(confidence)
    x = as_float_array(values, "values")
    x = x[~np.isnan(x)]
    n = int(x.size)
    method = f"mean; Student-t {confidence:.0%} CI"
    if n == 0:
        return result_row(n=0, method=method + " — no values", extra={"sd": math.nan})
    mean = float(x.mean())
    sd = float(x.std(ddof=1)) if n > 1 else math.nan
    if n < 2 or is_constant(x, scale=float(np.abs(x).max())):
        return result_row(n=n, estimate=mean, method=method, extra={"sd": sd})
    half = float(t_ppf(0.5 + confidence / 2, n - 1)) * sd / math.sqrt(n)
    return result_row(n=n, estimate=mean, ci_low=mean - half, ci_high=mean + half,
                      method=method, extra={"sd": sd})


def median_row(values: object) -> pd.DataFrame:
    """Median (NaN values dropped); no interval: it describes the pairs, it is not a test."""
    x = as_float_array(values, "values")
    x = x[~np.isnan(x)]
    if x.size == 0:
        return result_row(n=0, method="median — no values")
    return result_row(n=int(x.size), estimate=float(np.median(x)), method="median")


def proportion(successes: int, n: int, *, confidence: float = 0.95) -> pd.DataFrame:
    """Share ``successes / n`` with the Wilson score CI (Wilson 1927, JASA 22:209;
    ``statsmodels.stats.proportion.proportion_confint(method="wilson")``)."""
    confidence = check_confidence(confidence)
    if n < 0 or not 0 <= successes <= max(n, 0):
        raise ValueError(f"need 0 <= successes <= n, got {successes} of {n}")
    method = f"share; Wilson {confidence:.0%} CI"
    if n == 0:
        return result_row(n=0, method=method + " — none", extra={"count": 0.0})
    low, high = wilson(successes, n, confidence=confidence)
    return result_row(n=n, estimate=successes / n, ci_low=float(low), ci_high=float(high),
                      method=method,
                      extra={"count": float(successes)})


def dose_response(dose: object, response: object, *, clusters: object = None,
                  confidence: float = 0.95) -> pd.DataFrame:
    """Slope of ``response`` on ``dose`` (OLS ``y = a + b·x``) with its t CI and p, and
    Spearman's rank correlation as ``effect_size`` (``scipy.stats.spearmanr``).

    With ``clusters`` (e.g. the pair, when both partners are in the data) the SE is
    cluster-robust (CR1, t with G − 1 df, ``use_t=True``). Rows with a NaN are dropped.
    """
    confidence = check_confidence(confidence)
    x = as_float_array(dose, "dose")
    y = as_float_array(response, "response")
    if x.shape != y.shape:
        raise ValueError(f"dose and response must have the same length ({x.size}, {y.size})")
    keep = ~(np.isnan(x) | np.isnan(y))
    groups = None
    if clusters is not None:
        groups = np.asarray(clusters, dtype=object)
        if groups.shape != x.shape:
            raise ValueError("clusters must have one value per row")
        groups = pd.factorize(groups[keep])[0]
    x, y = x[keep], y[keep]
    n = int(x.size)
    se_kind = "cluster-robust SE by pair" if groups is not None else "OLS SE"
    method = f"dose–response: OLS slope ({se_kind}, {confidence:.0%} CI); Spearman rho"
    extras: dict[str, object] = dict.fromkeys(DOSE_EXTRAS, math.nan)
    if n < 3 or np.ptp(x) == 0 or np.ptp(y) == 0:
        return result_row(n=n, method=method + " — needs ≥3 people and varying values",
                          extra=extras)
    from statsmodels.regression.linear_model import OLS  # a second to import: on use
    from statsmodels.tools.tools import add_constant

    design = add_constant(x, has_constant="add")
    model = OLS(y, design)
    fit = (model.fit(cov_type="cluster", cov_kwds={"groups": groups}, use_t=True)
           if groups is not None else model.fit())
    ci = np.asarray(fit.conf_int(alpha=1 - confidence))[1]
    rho = scipy_stats().spearmanr(x, y)
    extras.update(spearman_rho=float(rho.statistic), spearman_p=float(rho.pvalue),
                  intercept=float(fit.params[0]))
    return result_row(n=n, estimate=float(fit.params[1]), ci_low=ci[0], ci_high=ci[1],
                      p_value=float(fit.pvalues[1]), effect_size=float(rho.statistic),
                      method=method, extra=extras)
