"""Before/after comparisons on the same people (complete pairs only)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from analysis.stats._dist import norm_ppf, scipy_stats, t_ppf, t_sf
from analysis.stats._result import (
    check_confidence,
    is_constant,
    nan_extras,
    paired_arrays,
    result_row,
)

PAIRED_EXTRAS = (
    "mean_before",
    "mean_after",
    "sd_change",
    "t_stat",
    "df",
    "hedges_gz",
    "wilcoxon_stat",
    "wilcoxon_p",
)

TOP2BOX_EXTRAS = ("share_before", "share_after", "discordant_up", "discordant_down")


def paired_change(before: object, after: object, *, confidence: float = 0.95) -> pd.DataFrame:
    """Mean change after − before on complete pairs, with paired t-test and Wilcoxon signed-rank.

    With differences ``d_i = after_i − before_i`` (pairs with a NaN on either side dropped):

    * estimate ``= mean(d)``; ``sd_change = sd(d, ddof=1)``; ``se = sd_change / sqrt(n)``
    * ``t_stat = mean(d) / se`` on ``df = n − 1``; two-sided ``p_value`` from Student's t
      (identical to ``scipy.stats.ttest_rel(after, before)``)
    * CI: ``mean(d) ± t_{1−α/2, df} · se``
    * ``effect_size`` = Cohen's d_z ``= mean(d) / sd(d)``; ``hedges_gz = J · d_z`` with
      ``J = 1 − 3 / (4·df − 1)`` (Hedges & Olkin 1985; Lakens 2013, Front. Psychol. 4:863)
    * ``wilcoxon_stat, wilcoxon_p``: ``scipy.stats.wilcoxon(d, zero_method="pratt")`` with its
      default method: exact for small n (the null distribution without ties or zeros up to
      n = 50, every sign flip with them up to n = 13), else the normal approximation;
      two-sided (Pratt 1959 keeps zero differences in the ranking); NaN when every d is 0.

    Too little data: n < 2 gives NaN for every inferential number; zero variance of d (all
    differences equal) keeps the descriptive means and the estimate but t, p, CI and d_z are NaN.
    """
    confidence = check_confidence(confidence)
    b, a = paired_arrays(before, after)
    d = a - b
    n = int(d.size)
    method = (
        f"paired t-test (two-sided); {confidence:.0%} CI of mean change; "
        "Wilcoxon signed-rank (Pratt)"
    )
    if n == 0:
        return result_row(
            n=0, method=method + " — no complete pairs", extra=nan_extras(PAIRED_EXTRAS)
        )

    extras: dict[str, object] = nan_extras(PAIRED_EXTRAS)
    extras["mean_before"] = b.mean()
    extras["mean_after"] = a.mean()
    estimate = d.mean()

    if n < 2:
        return result_row(
            n=n, estimate=estimate, method=method + " — fewer than 2 pairs", extra=extras
        )

    if np.any(d != 0):
        w = scipy_stats().wilcoxon(d, zero_method="pratt", alternative="two-sided")
        extras["wilcoxon_stat"] = w.statistic
        extras["wilcoxon_p"] = w.pvalue

    sd = d.std(ddof=1)
    df = n - 1
    extras["sd_change"] = sd
    extras["df"] = df
    # equal differences can leave sd at rounding noise, e.g. (0.2 − 0.1) vs (0.3 − 0.2)
    if is_constant(d, scale=max(np.abs(b).max(), np.abs(a).max())) or not math.isfinite(sd):
        return result_row(
            n=n,
            estimate=estimate,
            method=method + " — all changes are equal, no variance",
            extra=extras,
        )

    se = sd / math.sqrt(n)
    t_stat = estimate / se
    p_value = 2 * float(t_sf(abs(t_stat), df))
    half = float(t_ppf(0.5 + confidence / 2, df)) * se
    d_z = estimate / sd
    extras["t_stat"] = t_stat
    extras["hedges_gz"] = (1 - 3 / (4 * df - 1)) * d_z
    return result_row(
        n=n,
        estimate=estimate,
        ci_low=estimate - half,
        ci_high=estimate + half,
        p_value=p_value,
        effect_size=d_z,
        method=method,
        extra=extras,
    )


def top2box_change(
    before: object, after: object, *, threshold: float, confidence: float = 0.95
) -> pd.DataFrame:
    """Change in the share of people in the top box(es), value >= ``threshold``, on complete pairs.

    Paired 2×2 table: ``b = discordant_up`` (below → top), ``c = discordant_down`` (top → below).

    * estimate ``= share_after − share_before = (b − c) / n`` (proportions 0–1)
    * Wald CI for a difference of paired proportions (Agresti 2013, *Categorical Data
      Analysis*, §11.1.1): ``se = sqrt((b + c) − (b − c)² / n) / n``, estimate ± z·se
    * ``p_value``: McNemar (``statsmodels.stats.contingency_tables.mcnemar``), exact binomial
      when ``b + c < 25``, else chi-square with continuity correction (McNemar 1947)
    * ``effect_size``: conditional odds ratio ``b / c`` (NaN when c = 0)

    With no discordant pairs there is no evidence either way: estimate 0, CI and p NaN.
    """
    confidence = check_confidence(confidence)
    b_vals, a_vals = paired_arrays(before, after)
    n = int(b_vals.size)
    top_before = b_vals >= threshold
    top_after = a_vals >= threshold
    up = int(np.sum(~top_before & top_after))
    down = int(np.sum(top_before & ~top_after))
    discordant = up + down
    test = "exact McNemar" if discordant < 25 else "McNemar chi-square (continuity-corrected)"
    method = f"top-2-box (>= {threshold:g}) change; {test}; Wald {confidence:.0%} CI (paired)"
    if n == 0:
        return result_row(
            n=0, method=method + " — no complete pairs", extra=nan_extras(TOP2BOX_EXTRAS)
        )

    extras: dict[str, object] = {
        "share_before": top_before.mean(),
        "share_after": top_after.mean(),
        "discordant_up": up,
        "discordant_down": down,
    }
    estimate = (up - down) / n
    if discordant == 0:
        return result_row(
            n=n, estimate=estimate, method=method + " — no discordant pairs", extra=extras
        )

    se = math.sqrt(discordant - (up - down) ** 2 / n) / n
    z = float(norm_ppf(0.5 + confidence / 2))
    # full 2x2 for mcnemar: rows before top/below, columns after top/below
    both_top = int(np.sum(top_before & top_after))
    both_below = int(np.sum(~top_before & ~top_after))
    table = [[both_top, down], [up, both_below]]
    if discordant < 25:
        res = _mcnemar()(table, exact=True)
    else:
        res = _mcnemar()(table, exact=False, correction=True)
    return result_row(
        n=n,
        estimate=estimate,
        ci_low=estimate - z * se if se > 0 else math.nan,
        ci_high=estimate + z * se if se > 0 else math.nan,
        p_value=res.pvalue,
        effect_size=up / down if down > 0 else math.nan,
        method=method,
        extra=extras,
    )


def _mcnemar() -> Any:
    """statsmodels' McNemar test, imported on first use (statsmodels costs a second to load)."""
    from statsmodels.stats.contingency_tables import mcnemar

    return mcnemar
