"""Difference-in-differences against non-participants, propensity weights and covariate balance."""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd
from statsmodels.genmod import families
from statsmodels.genmod.generalized_linear_model import GLM
from statsmodels.regression.linear_model import WLS
from statsmodels.tools.sm_exceptions import (
    ConvergenceWarning,
    PerfectSeparationWarning,
    SingularMatrixWarning,
)
from statsmodels.tools.tools import add_constant

from analysis.stats._frame import as_binary, design_matrix, require_columns, weights_series
from analysis.stats._result import check_confidence, nan_extras, result_row

DID_EXTRAS = ("n_treated", "n_comparison", "se")
BALANCE_COLUMNS = (
    "covariate",
    "smd_unweighted",
    "smd_weighted",
    "mean_treated",
    "mean_comparison",
)


def difference_in_differences(
    frame: pd.DataFrame,
    *,
    outcome: str = "y",
    treat: str = "treat",
    post: str = "post",
    cluster: str = "employee_id",
    weights: object = None,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Difference-in-differences from long data (one row per person × period).

    Model (OLS; WLS when ``weights`` is given): ``y = b0 + b1·treat + b2·post + b3·treat·post + e``;
    the estimate is ``b3`` = (treated post − treated pre) − (comparison post − comparison pre).
    Standard errors are cluster-robust by ``cluster`` (the person), CR1 with the small-sample
    factor, and tests/CI use Student's t with G − 1 degrees of freedom (``use_t=True``)
    (Bertrand, Duflo & Mullainathan 2004, QJE 119:249;
    Cameron & Miller 2015, J. Hum. Resour. 50:317).

    Rows with a missing outcome, arm, period, cluster or weight are dropped before the groups are
    built. ``n`` is the number of distinct people; ``n_treated`` / ``n_comparison`` distinct
    people per arm. ``effect_size`` = ``b3 / SD_pooled(pre)`` where SD_pooled is the unweighted
    pooled within-arm SD of the pre-period outcome,
    ``sqrt(((n_t−1)s_t² + (n_c−1)s_c²) / (n_t + n_c − 2))`` — a Cohen's d on the baseline scale.

    Restricting to people with both a before and an after score is the caller's choice (the
    design asks for it); this function uses whatever rows it is given.
    """
    confidence = check_confidence(confidence)
    require_columns(frame, [outcome, treat, post, cluster])
    w = weights_series(frame, weights)
    work = pd.DataFrame(
        {
            "y": pd.to_numeric(frame[outcome], errors="raise").astype(float),
            "treat": as_binary(frame[treat], treat),
            "post": as_binary(frame[post], post),
            "cluster": frame[cluster],
        },
        index=frame.index,
    )
    if w is not None:
        work["w"] = w
    # drop first, so clusters and counts describe exactly the rows that are fitted
    work = work.dropna()
    method = (
        f"difference-in-differences, {'WLS' if w is not None else 'OLS'} y ~ treat * post; "
        f"cluster-robust SE by {cluster} (t, G−1 df); {confidence:.0%} CI"
    )
    n = int(work["cluster"].nunique())
    n_treated = int(work.loc[work["treat"] == 1, "cluster"].nunique())
    n_comparison = int(work.loc[work["treat"] == 0, "cluster"].nunique())
    extras = nan_extras(DID_EXTRAS)
    extras["n_treated"] = n_treated
    extras["n_comparison"] = n_comparison

    cells = work.groupby(["treat", "post"]).size()
    if len(cells) < 4 or n_treated < 2 or n_comparison < 2 or len(work) <= 4:
        return result_row(
            n=n,
            method=method + " — needs ≥2 people per arm and rows in both periods",
            extra=extras,
        )

    groups = pd.factorize(work["cluster"])[0]
    # the design of formula ``y ~ treat * post``, built directly (patsy costs ~0.1 s a fit)
    treat_v, post_v = work["treat"].to_numpy(), work["post"].to_numpy()
    design = pd.DataFrame(
        {"Intercept": 1.0, "treat": treat_v, "post": post_v, "treat:post": treat_v * post_v},
        index=work.index,
    )
    weights_arg = np.ones(len(work)) if w is None else work["w"].to_numpy()
    model = WLS(work["y"], design, weights=weights_arg)  # unit weights: plain OLS
    # a perfect fit gives a covariance of -0.0 and statsmodels warns in sqrt; handled below
    with np.errstate(invalid="ignore", divide="ignore"):
        fit = model.fit(cov_type="cluster", cov_kwds={"groups": groups}, use_t=True)
        term = "treat:post"
        estimate = float(fit.params[term])
        ci = fit.conf_int(alpha=1 - confidence).loc[term]
        se = float(fit.bse[term])
    extras["se"] = se
    # a perfect fit leaves SE at rounding noise and the t-test would claim p ≈ 0
    scale = abs(estimate) + float(work["y"].std(ddof=0))
    if not se > 1e-10 * scale:
        return result_row(
            n=n, estimate=estimate, method=method + " — no residual variance", extra=extras
        )

    pre = work[work["post"] == 0]
    pre_t = pre.loc[pre["treat"] == 1, "y"]
    pre_c = pre.loc[pre["treat"] == 0, "y"]
    dof = len(pre_t) + len(pre_c) - 2
    pooled_sd = (
        math.sqrt(
            ((len(pre_t) - 1) * pre_t.var(ddof=1) + (len(pre_c) - 1) * pre_c.var(ddof=1)) / dof
        )
        if len(pre_t) >= 2 and len(pre_c) >= 2
        else math.nan
    )
    return result_row(
        n=n,
        estimate=estimate,
        ci_low=ci.iloc[0],
        ci_high=ci.iloc[1],
        p_value=fit.pvalues[term],
        effect_size=estimate / pooled_sd if pooled_sd > 0 else math.nan,
        method=method,
        extra=extras,
    )


def propensity_weights(frame: pd.DataFrame, *, treat: str, covariates: Sequence[str]) -> pd.Series:
    """ATT weights from a logistic propensity model.

    ``logit P(treat = 1 | x) = x'β`` (``statsmodels`` GLM, Binomial family, logit link), with
    categorical covariates (text, category, bool) entered as treatment-coded dummies — the
    same design as ``C(x)`` in a formula. With ``p = P̂(treat = 1 | x)``:

    * treated: weight 1
    * comparison: ``p / (1 − p)`` (the odds), rescaled so the comparison weights sum to the
      number of treated people (normalised / Hájek form)

    so the weighted comparison group mirrors the treated group's covariates (average treatment
    effect on the treated; Hirano, Imbens & Ridder 2003, Econometrica 71:1161; Austin & Stuart
    2015, Stat. Med. 34:3661).

    Returns a float Series aligned with ``frame.index`` named ``"weight"``; NaN where the arm or a
    covariate is missing. When the model cannot be fitted (an arm is empty, or the covariates
    separate the arms perfectly / the fit does not converge) every weight is NaN — weighting is
    then not possible and the unweighted analysis should be shown instead.
    """
    covariates = list(covariates)
    require_columns(frame, [treat, *covariates])
    out = pd.Series(np.nan, index=frame.index, name="weight", dtype=float)
    t_all = as_binary(frame[treat], treat)
    complete = t_all.notna() & frame[covariates].notna().all(axis=1)
    sub = frame.loc[complete]
    t = t_all[complete]
    if t.nunique() < 2:
        return out
    x = add_constant(design_matrix(sub, covariates, drop_first=True), has_constant="add")
    failed = False
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fit = GLM(t, x, family=families.Binomial()).fit()
    for item in caught:
        if issubclass(item.category, PerfectSeparationWarning | ConvergenceWarning):
            failed = True
        elif issubclass(item.category, RuntimeWarning):
            # overflow in exp/log during IRLS only happens with (quasi-)separation
            failed = True
        elif issubclass(item.category, SingularMatrixWarning):
            # collinear dummies (e.g. within a slice): the coefficients are not unique but the
            # fitted probabilities, all the weights need, are (a projection)
            continue
        else:
            warnings.warn_explicit(item.message, item.category, item.filename, item.lineno)
    if failed:
        return out
    p = np.asarray(fit.fittedvalues, dtype=float)
    treated = t.to_numpy() == 1
    odds = p / (1 - p)
    w = np.where(treated, 1.0, odds)
    w[~treated] *= treated.sum() / w[~treated].sum()
    out.loc[complete] = w
    return out


def _weighted_mean_var(x: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Column-wise weighted mean and unbiased (reliability-weight) variance.

    ``var = Σw(x − m)² / (Σw − Σw²/Σw)``; equal weights give the ordinary ddof=1 variance.
    """
    sw = w.sum()
    mean = (w[:, None] * x).sum(axis=0) / sw
    denom = sw - (w**2).sum() / sw
    var = (
        (w[:, None] * (x - mean) ** 2).sum(axis=0) / denom
        if denom > 0
        else np.full(x.shape[1], np.nan)
    )
    return mean, var


def balance_table(
    frame: pd.DataFrame,
    *,
    treat: str,
    covariates: Sequence[str],
    weights: object = None,
) -> pd.DataFrame:
    """Standardised mean differences between arms, one row per numeric covariate and per level
    of each categorical covariate (``"department=Sales"``).

    ``SMD = (m_t − m_c) / sqrt((v_t + v_c) / 2)`` (Austin 2009, Stat. Med. 28:3083), with
    ``v`` the ddof=1 variance; for ``smd_weighted`` both means and variances are weighted
    (reliability-weight variance ``Σw(x − m)² / (Σw − Σw²/Σw)``). |SMD| < 0.1 is the usual
    threshold for adequate balance. ``smd_weighted`` is NaN when no weights are given; an SMD
    is NaN when both variances are 0. Computed on rows complete in ``treat``, every covariate
    and the weights (the rows the propensity model can use). ``weights`` is a column name or
    an array-like aligned with ``frame`` (e.g. the output of :func:`propensity_weights`).
    """
    covariates = list(covariates)
    require_columns(frame, [treat, *covariates])
    w_all = weights_series(frame, weights)
    t_all = as_binary(frame[treat], treat)
    complete = t_all.notna() & frame[covariates].notna().all(axis=1)
    if w_all is not None:
        complete &= w_all.notna()
    sub = frame.loc[complete]
    design = design_matrix(sub, covariates, drop_first=False)
    names = list(design.columns)
    if design.empty or len(sub) == 0:
        empty = pd.DataFrame(math.nan, index=range(len(names)), columns=list(BALANCE_COLUMNS))
        empty["covariate"] = pd.Series(names, dtype=object)
        return empty
    x = design.to_numpy(dtype=float)
    treated = t_all[complete].to_numpy() == 1
    w = np.ones(len(sub)) if w_all is None else w_all[complete].to_numpy(dtype=float)

    def smd(weight: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        if treated.sum() == 0 or (~treated).sum() == 0:
            nan = np.full(x.shape[1], np.nan)
            return nan, nan, nan
        m_t, v_t = _weighted_mean_var(x[treated], weight[treated])
        m_c, v_c = _weighted_mean_var(x[~treated], weight[~treated])
        denom = np.sqrt((v_t + v_c) / 2)
        with np.errstate(divide="ignore", invalid="ignore"):  # zero-variance levels → NaN below
            value = np.where(denom > 0, (m_t - m_c) / denom, np.nan)
        return value, m_t, m_c

    smd_u, mean_t, mean_c = smd(np.ones(len(sub)))
    smd_w = smd(w)[0] if w_all is not None else np.full(x.shape[1], np.nan)
    return pd.DataFrame(
        {
            "covariate": names,
            "smd_unweighted": smd_u,
            "smd_weighted": smd_w,
            "mean_treated": mean_t,
            "mean_comparison": mean_c,
        },
        columns=list(BALANCE_COLUMNS),
    )
