"""Retention's hazard ratio: Cox proportional hazards (Cox 1972) with Efron's ties, on people
(statsmodels PHReg) or, with two arms and no covariates, on counts per duration and arm."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from analysis.stats._dist import norm_sf
from analysis.stats._frame import as_binary, design_matrix, require_columns
from analysis.stats._result import (
    as_float_array,
    check_confidence,
    nan_extras,
    result_record,
    result_row,
    row_frame,
)
from analysis.stats.survival import _grouped, _survival_arrays, _z

COX_EXTRAS = ("coef", "se", "n_events")


def cox_hazard_ratio(
    frame: pd.DataFrame,
    *,
    duration: str,
    event: str,
    treat: str,
    covariates: Sequence[str] = (),
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Cox proportional-hazards ratio for ``treat`` (Cox 1972, JRSS-B 34:187).

    ``h(t | x) = h0(t)·exp(β·treat + γ'x)`` fitted by ``statsmodels`` ``PHReg`` with Efron's
    tie handling (Efron 1977, JASA 72:557). estimate = ``exp(β)`` (HR < 1: participants leave
    at a lower rate), CI = ``exp`` of the Wald CI of β, p from the Wald test of β. Categorical
    covariates enter as treatment-coded dummies. ``effect_size`` is NaN (the HR is itself the
    effect size). Extra: ``coef`` (log HR), ``se`` (of β), ``n_events``. Rows with any missing
    value are dropped; n is the number of people in the fit.
    """
    confidence = check_confidence(confidence)
    covariates = list(covariates)
    require_columns(frame, [duration, event, treat, *covariates])
    d_all, e_all = as_float_array(frame[duration], duration), as_float_array(frame[event], event)
    work = frame[covariates].copy()
    work["_d"], work["_e"], work["_t"] = d_all, e_all, as_binary(frame[treat], treat).to_numpy()
    work = work.dropna()
    if not covariates:
        return row_frame(cox_hazard_ratio_counts(work["_d"], work["_e"], work["_t"], None,
                                                 confidence=confidence))
    d, e = _survival_arrays(work["_d"], work["_e"])
    n = len(work)
    method = _cox_method(confidence) + f"; adjusted for {', '.join(covariates)}"
    extras = nan_extras(COX_EXTRAS)
    extras["n_events"] = e.sum()
    if n < 2 or e.sum() == 0 or work["_t"].nunique() < 2:
        return result_row(
            n=n, method=method + " — needs both arms and at least one event", extra=extras
        )
    arm_events = pd.Series(e).groupby(work["_t"].to_numpy()).sum()
    if (arm_events == 0).any():
        return result_row(n=n, method=method + _NOT_ESTIMABLE, extra=extras)
    x = pd.concat(
        [work["_t"].rename(treat), design_matrix(work, covariates, drop_first=True)], axis=1
    )
    from statsmodels.duration.hazard_regression import PHReg  # a second to import: on use

    fit = PHReg(d, x.to_numpy(dtype=float), status=e, ties="efron").fit()
    coef, se = float(fit.params[0]), float(fit.bse[0])
    ci = np.asarray(fit.conf_int(alpha=1 - confidence))[0]
    extras["coef"] = coef
    extras["se"] = se
    return result_row(n=n, estimate=math.exp(coef), ci_low=math.exp(ci[0]),
                      ci_high=math.exp(ci[1]), p_value=float(fit.pvalues[0]), method=method,
                      extra=extras)


# the partial likelihood has no maximum: the HR is 0 or infinite, not estimable
_NOT_ESTIMABLE = " — an arm has no events; the hazard ratio is not estimable"
_NO_MAXIMUM = (" — the arms are never at risk together or all exits fall in one arm over time; "
               "the hazard ratio is not estimable")


def _cox_method(confidence: float) -> str:
    return f"Cox PH (Efron ties); hazard ratio, Wald {confidence:.0%} CI"


def cox_hazard_ratio_counts(durations: object, events: object, treat: object,
                            counts: object | None, *, confidence: float = 0.95) -> dict[str, Any]:
    """:func:`cox_hazard_ratio` for the 0/1 ``treat`` alone (no covariates), from counted rows
    (``counts[i]`` people in arm ``treat[i]`` with ``durations[i]`` and ``events[i]``), as the
    result row's dict."""
    confidence = check_confidence(confidence)
    d, e, w, codes, levels = _grouped(durations, events, treat, counts)
    if not set(levels.tolist()) <= {0, 1}:
        raise ValueError("treat must be 0/1")
    arm = levels.astype(float)[codes]
    n = int(w.sum())
    method = _cox_method(confidence)
    extras = nan_extras(COX_EXTRAS)
    events_total = float((e * w).sum())
    extras["n_events"] = events_total
    if n < 2 or events_total == 0 or np.unique(arm).size < 2:
        return result_record(
            n=n, method=method + " — needs both arms and at least one event", extra=extras
        )
    times, inv = np.unique(d, return_inverse=True)
    cell = arm.astype(int) * times.size + inv
    people = np.bincount(cell, weights=w, minlength=2 * times.size).reshape(2, -1)
    dead = np.bincount(cell, weights=e * w, minlength=2 * times.size).reshape(2, -1)
    if (dead.sum(axis=1) == 0).any():
        return result_record(n=n, method=method + _NOT_ESTIMABLE, extra=extras)
    risk = np.cumsum(people[:, ::-1], axis=1)[:, ::-1]
    at = dead.sum(axis=0) > 0  # event times only
    coef, se = _cox_binary_efron_counts(risk[0, at], risk[1, at], dead[0, at], dead[1, at])
    # |β| > 20 (a ratio beyond 5e8) or SE > 10 only arise where the likelihood keeps rising
    # (monotone likelihood): the finite number Newton stops at is not an estimate
    if not (math.isfinite(coef) and math.isfinite(se)) or abs(coef) > 20 or se > 10:
        return result_record(n=n, method=method + _NO_MAXIMUM, extra=extras)
    z = _z(confidence)
    extras["coef"] = coef
    extras["se"] = se
    return result_record(
        n=n,
        estimate=math.exp(coef),
        ci_low=math.exp(coef - z * se),
        ci_high=math.exp(coef + z * se),
        p_value=float(2 * norm_sf(abs(coef / se))),
        method=method,
        extra=extras,
    )


def _cox_binary_efron_counts(n0: np.ndarray, n1: np.ndarray, d0: np.ndarray, d1: np.ndarray
                             ) -> tuple[float, float]:
    """β and its SE for one 0/1 covariate, Efron ties, by Newton–Raphson on counts.

    With one binary covariate the partial likelihood depends only on, at each distinct event
    time, the people at risk (n0, n1) and the events (d0, d1) per arm:
    ``ℓ(β) = Σ_j [β·d1_j − Σ_{l<d_j} log(n0 + n1·e^β − (l/d_j)(d0 + d1·e^β))]``
    (Efron 1977). Same estimate as ``PHReg(ties="efron")`` without its per-time Python loop,
    which took seconds on a few thousand people.
    """
    total = (d0 + d1).astype(int)
    j = np.repeat(np.arange(total.size), total)  # one entry per tied event
    frac = (np.arange(total.sum()) - np.repeat(np.cumsum(total) - total, total)) / total[j]
    beta = 0.0
    hess = -1.0
    for _ in range(100):
        eb = math.exp(beta)
        a = n0[j] + n1[j] * eb - frac * (d0[j] + d1[j] * eb)
        b = eb * (n1[j] - frac * d1[j])
        with np.errstate(divide="ignore", invalid="ignore"):
            score = d1.sum() - np.sum(b / a)
            hess = -np.sum(b / a - (b / a) ** 2)
        # a flat likelihood (the arms are never at risk together) or one that rises for ever
        # (monotone likelihood) has no finite maximum: no estimate, rather than inf or NaN noise
        if not (math.isfinite(score) and hess < 0) or abs(beta) > 50:
            return math.nan, math.nan
        step = score / hess
        beta -= step
        if abs(step) < 1e-12:
            break
    return beta, math.sqrt(-1.0 / hess)
