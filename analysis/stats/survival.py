"""Retention: Kaplan–Meier curves, S(t) and log-rank (Cox: :mod:`analysis.stats.cox`).

Durations are in days from the cohort start; ``events`` is 1 for the event of interest
(a voluntary exit) and 0 for censored (still employed, or an involuntary exit censored at its
date — the caller maps exit types to 0/1 before calling).
"""

from __future__ import annotations

import functools
import math
from typing import Any

import numpy as np
import pandas as pd

from analysis.stats._dist import chi2_sf, norm_ppf, norm_sf
from analysis.stats._result import (
    as_float_array,
    check_confidence,
    nan_extras,
    result_record,
    row_frame,
)

KM_COLUMNS = ("time", "survival", "ci_low", "ci_high", "at_risk", "events", "se")
SURV_AT_EXTRAS = ("se", "followup_max")
SURV_DIFF_EXTRAS = ("estimate_treated", "estimate_comparison", "n_treated", "n_comparison", "se")
LOGRANK_EXTRAS = ("chi2", "df")


def _survival_arrays(durations: object, events: object) -> tuple[np.ndarray, np.ndarray]:
    """Float durations and 0/1 events of equal length; rows with a NaN in either dropped."""
    d, e, _ = _count_arrays(durations, events, None)
    return d, e


def _count_arrays(durations: object, events: object, counts: object | None
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Durations, 0/1 events and frequency counts (1 each when ``counts`` is None) of equal
    length; rows with a NaN anywhere, or a count of 0, dropped."""
    d = as_float_array(durations, "durations")
    e = as_float_array(events, "events")
    if d.shape != e.shape:
        raise ValueError(
            f"durations and events must have the same length (got {d.size} and {e.size})"
        )
    w = np.ones(d.size) if counts is None else as_float_array(counts, "counts")
    if w.shape != d.shape:
        raise ValueError(f"counts must have one entry per duration (got {w.size} and {d.size})")
    keep = ~(np.isnan(d) | np.isnan(e) | np.isnan(w)) & (w != 0)
    d, e, w = d[keep], e[keep], w[keep]
    if np.any((e != 0) & (e != 1)):
        raise ValueError("events must be 0 (censored) or 1 (event); map other exit codes first")
    if np.any(d < 0):
        raise ValueError("durations must be non-negative")
    if np.any((w < 0) | (w != np.round(w))):
        raise ValueError("counts must be non-negative whole numbers (people per row)")
    return d, e, w


def _km_steps(d: np.ndarray, e: np.ndarray, w: np.ndarray
              ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(event times, at risk, events, S, Greenwood SE) from counted rows, computed step for
    step as ``SurvfuncRight`` (statsmodels' ``_calc_survfunc_right``) does, so the numbers are
    the same; one pass over the distinct times instead of one row per person."""
    times, inv = np.unique(d, return_inverse=True)
    dead = np.bincount(inv, weights=e * w, minlength=times.size)
    risk = np.cumsum(np.bincount(inv, weights=w, minlength=times.size)[::-1])[::-1]
    keep = dead > 0
    times, dead, risk = times[keep], dead[keep], risk[keep]
    sp = 1 - dead / risk
    tiny = sp < 1e-16
    sp[tiny] = 1e-16
    sp = np.exp(np.cumsum(np.log(sp)))
    sp[tiny] = 0
    greenwood = dead / np.clip(risk * (risk - dead), 1e-12, np.inf)
    greenwood[(risk == dead) | (risk == 0)] = np.nan
    se = np.sqrt(np.cumsum(greenwood))
    finite = np.isfinite(se) | (sp != 0)
    se[finite] *= sp[finite]
    se[~finite] = np.nan
    return times, risk, dead, sp, se


@functools.lru_cache(maxsize=8)
def _z(confidence: float) -> float:
    """The two-sided normal quantile (cached: scipy's ppf costs a millisecond per call)."""
    return float(norm_ppf(0.5 + confidence / 2))


def _loglog_ci(s: np.ndarray, se: np.ndarray, z: float) -> tuple[np.ndarray, np.ndarray]:
    """Pointwise log-log (Kalbfleisch–Prentice) interval: ``S^exp(±z·σ)``, σ = se / (S·|log S|).

    S = 1 (no event yet) gives [1, 1] and S = 0 gives [0, 0], as R's survfit does.
    """
    s = np.asarray(s, dtype=float)
    se = np.asarray(se, dtype=float)
    low = s.copy()
    high = s.copy()
    inner = (s > 0) & (s < 1)
    with np.errstate(divide="ignore", invalid="ignore"):  # masked out by ``inner``
        sigma = se / (s * np.abs(np.log(s)))
    low[inner] = s[inner] ** np.exp(z * sigma[inner])
    high[inner] = s[inner] ** np.exp(-z * sigma[inner])
    return low, high


def kaplan_meier(durations: object, events: object, *, confidence: float = 0.95) -> pd.DataFrame:
    """Kaplan–Meier curve (Kaplan & Meier 1958, JASA 53:457) as a tidy step table.

    One row per distinct event time plus a first row at time 0 with survival 1:
    ``S(t) = Π_{t_j ≤ t} (1 − d_j / n_j)`` (``statsmodels.duration.survfunc.SurvfuncRight``),
    ``se`` by Greenwood's formula ``S(t)·sqrt(Σ d_j / (n_j (n_j − d_j)))``, and a pointwise
    **log-log** band ``S^exp(±z·se/(S·|log S|))`` (Kalbfleisch & Prentice 2002, §1.3; R
    ``survfit(conf.type = "log-log")``), which stays within [0, 1]. ``at_risk`` is n_j just
    before t_j, ``events`` is d_j. Columns: ``time, survival, ci_low, ci_high, at_risk,
    events, se``. Empty input gives an empty table with these columns.
    """
    return kaplan_meier_counts(durations, events, None, confidence=confidence)


def kaplan_meier_counts(durations: object, events: object, counts: object | None, *,
                        confidence: float = 0.95) -> pd.DataFrame:
    """:func:`kaplan_meier` from counted rows: ``counts[i]`` people left (event 1) or were
    censored (event 0) at ``durations[i]`` (e.g. a SQL ``group by duration, event``)."""
    confidence = check_confidence(confidence)
    d, e, w = _count_arrays(durations, events, counts)
    n = float(w.sum())
    first = {
        "time": 0.0,
        "survival": 1.0,
        "ci_low": 1.0,
        "ci_high": 1.0,
        "at_risk": n,
        "events": 0.0,
        "se": 0.0,
    }
    if d.size == 0:
        empty = pd.DataFrame({c: pd.Series(dtype=float) for c in KM_COLUMNS})
        return empty.astype({"at_risk": "int64", "events": "int64"})
    if e.sum() == 0:
        return pd.DataFrame([first], columns=list(KM_COLUMNS)).astype(
            {"at_risk": "int64", "events": "int64"}
        )
    times, risk, dead, sp, se = _km_steps(d, e, w)
    z = _z(confidence)
    low, high = _loglog_ci(sp, se, z)
    curve = pd.DataFrame(
        {
            "time": times,
            "survival": sp,
            "ci_low": low,
            "ci_high": high,
            "at_risk": risk,
            "events": dead,
            "se": se,
        }
    )
    if curve["time"].iloc[0] > 0:
        curve = pd.concat([pd.DataFrame([first]), curve], ignore_index=True)
    curve = curve[list(KM_COLUMNS)]
    return curve.astype({"at_risk": "int64", "events": "int64"})


def _s_at(d: np.ndarray, e: np.ndarray, w: np.ndarray, t: float) -> tuple[float, float]:
    """KM step value and Greenwood SE at ``t`` (the last event time ≤ t)."""
    if e.sum() == 0 or d[e == 1].min() > t:
        return 1.0, 0.0
    times, _, _, sp, se = _km_steps(d, e, w)
    idx = int(np.searchsorted(times, t, side="right")) - 1
    return float(sp[idx]), float(se[idx])


def survival_at(
    durations: object, events: object, *, t: float = 365, confidence: float = 0.95
) -> pd.DataFrame:
    """Kaplan–Meier survival at ``t`` days, e.g. 12-month retention ``S(365)``.

    estimate = KM step value at t (last event time ≤ t); ``se`` = Greenwood SE there; CI
    log-log transformed as in :func:`kaplan_meier`. ``followup_max`` is the longest observed
    duration. If nobody was followed up to t (followup_max < t) S(t) is not identified and the
    estimate is NaN; ``n`` is the number of people.
    """
    return row_frame(survival_at_counts(durations, events, None, t=t, confidence=confidence))


def survival_at_counts(durations: object, events: object, counts: object | None, *,
                       t: float = 365, confidence: float = 0.95) -> dict[str, Any]:
    """:func:`survival_at` from counted rows (see :func:`kaplan_meier_counts`), as the result
    row's dict (so many cells can go into one frame at once)."""
    confidence = check_confidence(confidence)
    d, e, w = _count_arrays(durations, events, counts)
    n = int(w.sum())
    method = f"Kaplan–Meier S({t:g}); Greenwood SE; log-log {confidence:.0%} CI"
    extras = nan_extras(SURV_AT_EXTRAS)
    if n == 0:
        return result_record(n=0, method=method + " — no people", extra=extras)
    extras["followup_max"] = d.max()
    if d.max() < t:
        return result_record(
            n=n,
            method=method + f" — follow-up ends at {d.max():g} days, before {t:g}",
            extra=extras,
        )
    s, se = _s_at(d, e, w, t)
    extras["se"] = se
    low, high = _loglog_ci(np.array([s]), np.array([se]), _z(confidence))
    return result_record(n=n, estimate=s, ci_low=low[0], ci_high=high[0], method=method,
                         extra=extras)


def survival_difference_at(
    d1: object,
    e1: object,
    d0: object,
    e0: object,
    *,
    t: float = 365,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Difference in KM survival at ``t`` between treated (1) and comparison (0).

    ``estimate = S1(t) − S0(t)``; ``se = sqrt(se1² + se0²)`` (Greenwood, independent arms);
    CI ``estimate ± z·se`` and a two-sided Wald z-test ``p = 2·(1 − Φ(|estimate / se|))``
    (Klein, Logan, Harhoff & Andersen 2007, Stat. Med. 26:4505, the "naive" test at a fixed
    time). NaN when either arm is not followed up to t; p and CI NaN when se = 0.
    """
    return row_frame(
        survival_difference_at_counts(d1, e1, None, d0, e0, None, t=t, confidence=confidence)
    )


def survival_difference_at_counts(
    d1: object, e1: object, n1: object | None, d0: object, e0: object, n0: object | None, *,
    t: float = 365, confidence: float = 0.95,
) -> dict[str, Any]:
    """:func:`survival_difference_at` from counted rows per arm (``n1``, ``n0``: people per
    row, see :func:`kaplan_meier_counts`), as the result row's dict."""
    confidence = check_confidence(confidence)
    r1 = survival_at_counts(d1, e1, n1, t=t, confidence=confidence)
    r0 = survival_at_counts(d0, e0, n0, t=t, confidence=confidence)
    size1, size0 = int(r1["n"]), int(r0["n"])
    s1, s0 = float(r1["estimate"]), float(r0["estimate"])
    se = math.hypot(float(r1["se"]), float(r0["se"]))
    method = f"difference of Kaplan–Meier S({t:g}); Greenwood SE; Wald {confidence:.0%} CI"
    extras: dict[str, object] = {
        "estimate_treated": s1,
        "estimate_comparison": s0,
        "n_treated": size1,
        "n_comparison": size0,
        "se": se,
    }
    estimate = s1 - s0
    n = size1 + size0
    if math.isnan(estimate):
        return result_record(n=n, method=method + " — an arm is not followed up to t", extra=extras)
    if not se > 0:
        return result_record(n=n, estimate=estimate, method=method + " — SE is 0", extra=extras)
    if s1 == 1 or s0 == 1:
        # Greenwood's SE is 0 for an arm with no exits by t: the Wald CI would be far too narrow
        return result_record(
            n=n, estimate=estimate,
            method=method + " — an arm has no exits by t, so no reliable CI", extra=extras,
        )
    z = _z(confidence)
    return result_record(
        n=n,
        estimate=estimate,
        ci_low=estimate - z * se,
        ci_high=estimate + z * se,
        p_value=2 * float(norm_sf(abs(estimate / se))),
        method=method,
        extra=extras,
    )


def _grouped(durations: object, events: object, groups: object, counts: object | None
             ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(durations, events, counts, integer group codes, sorted group labels) with rows missing
    any value dropped."""
    d = as_float_array(durations, "durations")
    e = as_float_array(events, "events")
    g = groups if isinstance(groups, np.ndarray) and groups.dtype.kind in "biu" else \
        np.asarray(groups, dtype=object)  # integer arrays (the arms) skip the object path
    if g.ndim != 1 or not (d.size == e.size == g.size):
        raise ValueError(
            f"durations, events and groups must have the same length "
            f"(got {d.size}, {e.size} and {g.size})"
        )
    w = np.ones(d.size) if counts is None else as_float_array(counts, "counts")
    if w.shape != d.shape:
        raise ValueError(f"counts must have one entry per duration (got {w.size} and {d.size})")
    keep = ~(np.isnan(d) | np.isnan(e) | np.isnan(w) | pd.isna(g)) & (w != 0)
    d, e, w = _count_arrays(d[keep], e[keep], w[keep])
    if g.dtype != object:
        levels, codes = np.unique(g[keep], return_inverse=True)
        return d, e, w, codes, levels.astype(object)
    # integer codes: np.unique must not compare mixed Python objects
    codes, levels = pd.factorize(g[keep], sort=True)
    return d, e, w, codes, np.asarray(levels, dtype=object)


def logrank(durations: object, events: object, groups: object) -> pd.DataFrame:
    """Log-rank test of equal survival across groups (Mantel 1966; Peto & Peto 1972).

    ``chi2 = (O − E)' V⁻¹ (O − E)`` on ``df = k − 1`` for k groups
    (``statsmodels.duration.survfunc.survdiff``); ``p_value = P(χ²_df > chi2)`` computed with
    the survival function (more precise than ``1 − cdf`` for tiny p). There is no estimate;
    ``estimate`` and ``effect_size`` are NaN. NaN when fewer than two groups or no events.
    """
    return row_frame(logrank_counts(durations, events, groups, None))


def logrank_counts(durations: object, events: object, groups: object,
                   counts: object | None) -> dict[str, Any]:
    """:func:`logrank` from counted rows (see :func:`kaplan_meier_counts`); the sums over
    distinct times are those of ``survdiff``, on a groups × times table of counts. Returns
    the result row's dict."""
    d, e, w, codes, levels = _grouped(durations, events, groups, counts)
    k = levels.size
    method = "log-rank test (chi-square)"
    extras = nan_extras(LOGRANK_EXTRAS)
    if k < 2 or e.sum() == 0:
        return result_record(
            n=int(w.sum()), method=method + " — needs two groups and at least one event",
            extra=extras,
        )
    times, inv = np.unique(d, return_inverse=True)
    cell = codes * times.size + inv
    shape = (k, times.size)
    people = np.bincount(cell, weights=w, minlength=k * times.size).reshape(shape)
    observed = np.bincount(cell, weights=e * w, minlength=k * times.size).reshape(shape)
    at_risk = np.cumsum(people[:, ::-1], axis=1)[:, ::-1]
    obs, total = observed.sum(axis=0), at_risk.sum(axis=0)
    used = total > 1
    share = (at_risk / np.clip(total, 1e-10, np.inf))[1:, used]  # the first group is the base
    scale = (obs * (total - obs) / np.clip(total - 1, 1e-10, np.inf))[used]
    o_minus_e = (observed[1:, used] - share * obs[used]).sum(axis=1)
    var = np.diag(share @ scale) - (share * scale) @ share.T
    if np.linalg.matrix_rank(var) < k - 1:  # no event while two groups were at risk
        return result_record(
            n=int(w.sum()), method=method + " — no event while both groups were at risk",
            extra=extras,
        )
    chi2 = float(o_minus_e.dot(np.linalg.solve(var, o_minus_e)))
    extras["chi2"] = chi2
    extras["df"] = k - 1
    return result_record(n=int(w.sum()), p_value=float(chi2_sf(chi2, k - 1)), method=method,
                      extra=extras)
