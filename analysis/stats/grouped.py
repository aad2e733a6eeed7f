"""The before/after statistics of :mod:`analysis.stats.paired` for many groups at once.

:func:`analysis.stats.paired.paired_change` and ``top2box_change`` describe one group and are the
reference; these compute the same rows for every group of a long frame with grouped numpy/pandas
operations, so a metric over hundreds of cohort × construct × role × slice cells costs one pass
instead of one pass per cell. Tests hold each row equal to the per-group function.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from analysis.stats._dist import chi2_sf, norm_ppf, norm_sf, scipy_stats, t_ppf, t_sf
from analysis.stats._groups import extremes, lookup, sums
from analysis.stats._result import COMMON_COLUMNS, check_confidence
from analysis.stats.paired import PAIRED_EXTRAS, TOP2BOX_EXTRAS
from analysis.stats.signed_rank import EXACT_MAX, FLIP_MAX, exact_untied_p, sign_flip_p


def reported_groups(frame: pd.DataFrame, keys: Sequence[str],
                    cells: pd.DataFrame | None) -> pd.DataFrame:
    """The groups to report: ``cells`` when given (groups without rows get an n = 0 row), else
    every key combination present."""
    groups = frame[list(keys)] if cells is None else cells[list(keys)]
    return groups.drop_duplicates().sort_values(list(keys)).reset_index(drop=True)


def group_index(frame: pd.DataFrame, groups: pd.DataFrame, keys: list[str]) -> np.ndarray:
    """Each row's position in ``groups`` (unique key rows), -1 where the row has a missing key
    (dropped, as a groupby would) or its keys are not in ``groups``."""
    return lookup(groups, frame, keys)


def _grouped_rows(frame: pd.DataFrame, keys: list[str], cells: pd.DataFrame | None,
                  columns: Sequence[str]) -> tuple[pd.DataFrame, list[np.ndarray], np.ndarray]:
    """The groups to report, and for the rows in one of them with every ``columns`` value
    present: those values and the row's group."""
    groups = reported_groups(frame, keys, cells)
    values = [pd.to_numeric(frame[c], errors="raise").to_numpy(dtype=float) for c in columns]
    where = group_index(frame, groups, keys)
    done = (where >= 0) & ~np.any([np.isnan(v) for v in values], axis=0)
    return groups, [v[done] for v in values], where[done]


def _wilcoxon_pratt(d: np.ndarray, group: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """Two-sided Wilcoxon signed-rank (Pratt zeros) per group, as
    ``scipy.stats.wilcoxon(d, zero_method="pratt")`` with its default ``method="auto"``: exact
    for small groups (:mod:`analysis.stats.signed_rank`: n <= 50 without ties or zeros, every
    sign flip for n <= 13 with them), else the normal approximation with tie correction and
    without continuity correction.

    Ranks of |d| within a group (ties share the average rank); r₊ and r₋ sum the ranks of
    positive and negative changes; with n pairs of which n₀ are zero, under H₀
    E = n(n+1)/4 − n₀(n₀+1)/4 and Var = [n(n+1)(2n+1) − n₀(n₀+1)(2n₀+1) − Σ(t³ − t)/2] / 24
    over tie groups t of non-zero |d|; z = (r₊ − E)/√Var, p = 2·(1 − Φ(|z|)).
    """
    absd = np.abs(d)
    order = np.lexsort((absd, group))
    g, a = group[order], absd[order]
    starts = np.searchsorted(g, np.arange(size))
    new_run = np.ones(len(g), dtype=bool)
    new_run[1:] = (g[1:] != g[:-1]) | (a[1:] != a[:-1])
    run = np.cumsum(new_run) - 1
    run_start = np.flatnonzero(new_run)
    run_size = np.diff(np.append(run_start, len(g)))
    position = run_start - starts[g[run_start]]  # 0-based rank position of each run's first row
    run_rank = position + (run_size + 1) / 2.0
    rank = np.empty(len(d))
    rank[order] = run_rank[run]
    n = np.bincount(group, minlength=size).astype(float)
    r_plus = sums(group, np.where(d > 0, rank, 0.0), size)
    r_minus = sums(group, np.where(d < 0, rank, 0.0), size)
    n0 = sums(group, (d == 0).astype(float), size)
    # Pratt: zeros take part in the ranking but not in the tie correction
    counted = a[run_start] != 0
    run_group = g[run_start][counted]
    ties = run_size[counted].astype(float)
    tie_term = sums(run_group, ties**3 - ties, size)
    largest_tie = np.ones(size)
    np.maximum.at(largest_tie, run_group, ties)
    mean = n * (n + 1) / 4 - n0 * (n0 + 1) / 4
    var = (n * (n + 1) * (2 * n + 1) - n0 * (n0 + 1) * (2 * n0 + 1) - tie_term / 2) / 24
    with np.errstate(divide="ignore", invalid="ignore"):
        z = (r_plus - mean) / np.sqrt(var)
    stat = np.where(var > 0, np.minimum(r_plus, r_minus), np.nan)
    p = np.where(var > 0, 2 * norm_sf(np.abs(z)), np.nan)
    tested = (n >= 2) & (var > 0)
    untied = tested & (n0 == 0) & (largest_tie <= 1) & (n <= EXACT_MAX)
    p[untied] = exact_untied_p(n[untied].astype(np.int64), r_plus[untied])
    flipped = tested & ~untied & (n <= FLIP_MAX)
    if flipped.any():
        number = np.full(size, -1)
        number[flipped] = np.arange(int(flipped.sum()))
        rows = number[group] >= 0
        signed = np.where(d != 0, rank, 0.0)  # a zero keeps its place, flips nothing
        p[flipped] = sign_flip_p(signed[rows], number[group[rows]], int(flipped.sum()),
                                 r_plus[flipped])
    return stat, p


def paired_change_groups(frame: pd.DataFrame, keys: Sequence[str], *, before: str = "before",
                         after: str = "after", confidence: float = 0.95,
                         cells: pd.DataFrame | None = None) -> pd.DataFrame:
    """:func:`analysis.stats.paired.paired_change` for every group of ``keys`` in ``frame``:
    one row per group (sorted by ``keys``), the key columns first, then the same columns,
    values and method text as the per-group function (paired t, t CI, d_z, Hedges' g_z,
    Wilcoxon signed-rank with Pratt zeros). Groups with no complete pair (and ``cells`` without
    rows) get an ``n = 0`` row."""
    keys = list(keys)
    groups, (b, a), group = _grouped_rows(frame, keys, cells, [before, after])
    columns = paired_change_arrays(b, a, group, len(groups), confidence=confidence)
    return groups.assign(**columns)[[*keys, *COMMON_COLUMNS, *PAIRED_EXTRAS]]


def paired_change_arrays(b: np.ndarray, a: np.ndarray, group: np.ndarray, size: int, *,
                         confidence: float = 0.95) -> dict[str, np.ndarray]:
    """The columns of :func:`paired_change_groups` for groups ``0 … size − 1`` of complete
    pairs (``b``, ``a``) numbered by ``group``; a group without pairs gets n = 0."""
    confidence = check_confidence(confidence)
    d = a - b
    count = np.bincount(group, minlength=size).astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        estimate = sums(group, d, size) / count
        sd = np.sqrt(sums(group, (d - estimate[group]) ** 2, size) / (count - 1))
    sd[count < 2] = np.nan
    low, high = _extremes_or_nan(d, group, count)
    scale = _extremes_or_nan(np.maximum(np.abs(b), np.abs(a)), group, count)[1]
    nonzero = sums(group, (d != 0).astype(float), size) > 0
    with np.errstate(invalid="ignore"):
        constant = ((high - low) <= 1e-10 * np.maximum(scale, np.finfo(float).tiny)) \
            | ~np.isfinite(sd)
    w_stat, w_p = _wilcoxon_pratt(d, group, size)
    few = count < 2
    testable = ~few & ~constant
    df = count - 1
    with np.errstate(divide="ignore", invalid="ignore"):
        se = sd / np.sqrt(count)
        t_stat = np.where(testable, estimate / se, np.nan)
        effect = np.where(testable, estimate / sd, np.nan)
        half = t_ppf(0.5 + confidence / 2, np.where(testable, df, np.nan)) * se
        p_value = np.where(testable, 2 * t_sf(np.abs(t_stat), df), np.nan)
        mean_before, mean_after = sums(group, b, size) / count, sums(group, a, size) / count
        hedges = (1 - 3 / (4 * df - 1)) * effect
    method = (f"paired t-test (two-sided); {confidence:.0%} CI of mean change; "
              "Wilcoxon signed-rank (Pratt)")
    return {
        "n": count.astype("int64"), "estimate": estimate, "ci_low": estimate - half,
        "ci_high": estimate + half, "p_value": p_value, "p_adjusted": np.full(size, np.nan),
        "effect_size": effect,
        "method": np.select([count == 0, few, constant],
                            [method + " — no complete pairs", method + " — fewer than 2 pairs",
                             method + " — all changes are equal, no variance"], method),
        "mean_before": mean_before, "mean_after": mean_after,
        "sd_change": np.where(few, np.nan, sd), "t_stat": t_stat,
        "df": np.where(few, np.nan, df), "hedges_gz": hedges,
        "wilcoxon_stat": np.where(few | ~nonzero, np.nan, w_stat),
        "wilcoxon_p": np.where(few | ~nonzero, np.nan, w_p)}


def top2box_change_groups(frame: pd.DataFrame, keys: Sequence[str], *, threshold: float,
                          before: str = "before", after: str = "after",
                          confidence: float = 0.95,
                          cells: pd.DataFrame | None = None) -> pd.DataFrame:
    """:func:`analysis.stats.paired.top2box_change` for every group of ``keys``: the paired
    2×2 table per group, Wald CI of the difference of paired proportions and McNemar's test
    (exact binomial when b + c < 25, else chi-square with continuity correction — the two
    branches of ``statsmodels.stats.contingency_tables.mcnemar``)."""
    keys = list(keys)
    groups, (b, a), group = _grouped_rows(frame, keys, cells, [before, after])
    columns = top2box_change_arrays(b, a, group, len(groups), threshold=threshold,
                                    confidence=confidence)
    return groups.assign(**columns)[[*keys, *COMMON_COLUMNS, *TOP2BOX_EXTRAS]]


def top2box_change_arrays(b: np.ndarray, a: np.ndarray, group: np.ndarray, size: int, *,
                          threshold: float, confidence: float = 0.95) -> dict[str, np.ndarray]:
    """The columns of :func:`top2box_change_groups` for groups ``0 … size − 1`` of complete
    pairs numbered by ``group``; a group without pairs gets n = 0 and no counts (the count
    columns are float: NaN there)."""
    confidence = check_confidence(confidence)
    top_b, top_a = b >= threshold, a >= threshold
    n = np.bincount(group, minlength=size).astype(float)
    up = sums(group, (~top_b & top_a).astype(float), size)
    down = sums(group, (top_b & ~top_a).astype(float), size)
    disc = up + down
    z = norm_ppf(0.5 + confidence / 2)
    tested = disc > 0
    with np.errstate(divide="ignore", invalid="ignore"):
        estimate = (up - down) / n
        se = np.sqrt(disc - (up - down) ** 2 / n) / n
        chi2_p = chi2_sf((np.abs(up - down) - 1) ** 2 / np.where(tested, disc, np.nan), 1)
        ratio = np.where(tested & (down > 0), up / down, np.nan)
        share_before = sums(group, top_b.astype(float), size) / n
        share_after = sums(group, top_a.astype(float), size) / n
    exact_p = np.minimum(1.0, 2 * scipy_stats().binom.cdf(np.minimum(up, down), disc, 0.5))
    label = f"top-2-box (>= {threshold:g}) change; {{}}; Wald {confidence:.0%} CI (paired)"
    base = np.where(disc < 25, label.format("exact McNemar"),
                    label.format("McNemar chi-square (continuity-corrected)"))
    with np.errstate(invalid="ignore"):
        shown = tested & (se > 0)
    empty = n == 0
    counts = {"discordant_up": np.where(empty, np.nan, up),
              "discordant_down": np.where(empty, np.nan, down)}
    return {
        "n": n.astype("int64"), "estimate": estimate,
        "ci_low": np.where(shown, estimate - z * se, np.nan),
        "ci_high": np.where(shown, estimate + z * se, np.nan),
        "p_value": np.where(tested, np.where(disc < 25, exact_p, chi2_p), np.nan),
        "p_adjusted": np.full(size, np.nan), "effect_size": ratio,
        "method": np.select([empty, ~tested],
                            [label.format("exact McNemar") + " — no complete pairs",
                             np.char.add(base.astype(str), " — no discordant pairs")], base),
        "share_before": share_before, "share_after": share_after, **counts}


def mean_ci_groups(frame: pd.DataFrame, keys: Sequence[str], *, value: str,
                   confidence: float = 0.95, cells: pd.DataFrame | None = None) -> pd.DataFrame:
    """:func:`analysis.stats.descriptive.mean_ci` for every group of ``keys``: mean with the
    Student-t CI ``mean ± t(1 − α/2, n − 1) · sd / √n`` (NaN values dropped)."""
    groups, (x,), group = _grouped_rows(frame, list(keys), cells, [value])
    return mean_ci_cells(groups, x, group, confidence=confidence)


def mean_ci_cells(cells: pd.DataFrame, values: np.ndarray, group: np.ndarray, *,
                  confidence: float = 0.95) -> pd.DataFrame:
    """:func:`mean_ci_arrays` as result rows: ``cells``' columns, then the common result
    columns (no test: p and effect size NaN) and ``sd``."""
    columns = mean_ci_arrays(values, group, len(cells), confidence=confidence)
    out = cells.assign(**columns, p_value=np.nan, p_adjusted=np.nan, effect_size=np.nan)
    return out[[*cells.columns, *COMMON_COLUMNS, "sd"]]


def _mean_method(confidence: float) -> str:
    return f"mean; Student-t {confidence:.0%} CI"


def mean_ci_arrays(values: np.ndarray, group: np.ndarray, size: int, *,
                   confidence: float = 0.95) -> dict[str, np.ndarray]:
    """The columns of :func:`mean_ci_groups` (n, estimate, ci_low, ci_high, method, sd) for
    groups ``0 … size − 1`` of ``values`` (no NaN) numbered by ``group``; a group without
    values gets n = 0, NaN and the "no values" method."""
    confidence = check_confidence(confidence)
    n = np.bincount(group, minlength=size).astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = sums(group, values, size) / n
        sd = np.where(n > 1, np.sqrt(sums(group, (values - mean[group]) ** 2, size) / (n - 1)),
                      np.nan)
    low, high = _extremes_or_nan(values, group, n)
    scale = np.maximum(np.abs(low), np.abs(high))
    with np.errstate(invalid="ignore"):
        varies = (n >= 2) & ((high - low) > 1e-10 * np.maximum(scale, np.finfo(float).tiny))
        half = t_ppf(0.5 + confidence / 2, np.where(varies, n - 1, np.nan)) * sd / np.sqrt(n)
    method = _mean_method(confidence)
    return {"n": n.astype("int64"), "estimate": mean, "ci_low": mean - half,
            "ci_high": mean + half,
            "method": np.where(n > 0, method, method + " — no values").astype(object), "sd": sd}


def _extremes_or_nan(values: np.ndarray, group: np.ndarray,
                     n: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """:func:`extremes` of the groups with values; NaN for the empty ones."""
    present = np.flatnonzero(n > 0)
    if len(present) == len(n):
        return extremes(values, group, len(n))
    low, high = np.full(len(n), np.nan), np.full(len(n), np.nan)
    position = np.full(len(n), -1)
    position[present] = np.arange(len(present))
    low[present], high[present] = extremes(values, position[group], len(present))
    return low, high


def median_arrays(values: np.ndarray, group: np.ndarray, size: int) -> tuple[np.ndarray,
                                                                             np.ndarray]:
    """Each group's count and median of ``values`` (NaN values dropped; NaN for an empty
    group), as pandas' grouped ``median``: the middle value, or the mean of the two middle."""
    kept = ~np.isnan(values)
    values, group = values[kept], group[kept]
    n = np.bincount(group, minlength=size)
    order = np.lexsort((values, group))
    ordered = values[order]
    starts = np.concatenate(([0], np.cumsum(n)[:-1])) if size else np.zeros(0, dtype=np.int64)
    some = n > 0
    lower = np.where(some, starts + (n - 1) // 2, 0)
    upper = np.where(some, starts + n // 2, 0)
    if not len(ordered):
        return n, np.full(size, np.nan)
    median = np.where(some, (ordered[lower] + ordered[upper]) / 2, np.nan)
    return n, median


ARM_MOMENTS = ("n", "mean_d", "var_d", "mean_pre", "var_pre", "mean_post", "var_post")


def did_from_moments(arms: pd.DataFrame, *, confidence: float = 0.95,
                     cluster: str = "employee_id") -> pd.DataFrame:
    """:func:`analysis.stats.did.difference_in_differences` for many cells from per-arm moments
    of a balanced two-period panel (every person observed before and after).

    ``arms`` has, per cell, ``{m}_t`` (treated) and ``{m}_c`` (comparison) for each ``m`` of
    :data:`ARM_MOMENTS`: people, mean and ddof=1 variance of the change ``d = after − before``,
    of the before scores and of the after scores. With one row per person and period, OLS of
    ``y ~ treat * post`` gives ``b3 = mean(d_t) − mean(d_c)``, and its CR1 cluster-robust
    variance by person reduces to

        ``V = c · (SS_t / n_t² + SS_c / n_c²)``,  ``SS = (n − 1)·var(d)``,
        ``c = G/(G − 1) · (N − 1)/(N − K)``  (G = n_t + n_c people, N = 2G rows, K = 4),

    with Student's t on G − 1 df (Cameron & Miller 2015, J. Hum. Resour. 50:317).
    ``effect_size`` = b3 / pooled within-arm SD of the before scores. Returns the result columns
    and ``n_treated, n_comparison, se`` in the input's order and index.
    """
    confidence = check_confidence(confidence)
    # numpy throughout: a few hundred cells, where each pandas operation costs more than its sum
    m = {c: arms[c].to_numpy(dtype=float) for c in arms.columns
         if c.endswith(("_t", "_c")) and c[:-2] in ARM_MOMENTS}
    n_t, n_c = np.nan_to_num(m["n_t"]), np.nan_to_num(m["n_c"])
    people = n_t + n_c
    estimate = m["mean_d_t"] - m["mean_d_c"]
    rows = 2 * people
    with np.errstate(divide="ignore", invalid="ignore"):
        factor = people / (people - 1) * (rows - 1) / (rows - 4)
        ss_t, ss_c = (n_t - 1) * m["var_d_t"], (n_c - 1) * m["var_d_c"]
        se = np.sqrt(factor * (ss_t / n_t**2 + ss_c / n_c**2))
        # population SD of every y (both arms, both periods): the scale of "no variance"
        parts = [(n_t, m["mean_pre_t"], m["var_pre_t"]), (n_t, m["mean_post_t"], m["var_post_t"]),
                 (n_c, m["mean_pre_c"], m["var_pre_c"]), (n_c, m["mean_post_c"], m["var_post_c"])]
        grand = sum(n * mean for n, mean, _ in parts) / rows
        spread = sum(n * (((n - 1) / n) * np.nan_to_num(v) + (mean - grand) ** 2)
                     for n, mean, v in parts) / rows
        scale = np.abs(estimate) + np.sqrt(spread)
        pooled = np.sqrt(((n_t - 1) * m["var_pre_t"] + (n_c - 1) * m["var_pre_c"])
                         / (people - 2))
        enough = (n_t >= 2) & (n_c >= 2)
        varies = enough & (se > 1e-10 * scale)
        df = people - 1
        half = t_ppf(0.5 + confidence / 2, np.where(varies, df, np.nan)) * se
        p_value = 2 * t_sf(np.abs(estimate / se), df)
        effect = estimate / pooled
    method = (f"difference-in-differences, OLS y ~ treat * post; cluster-robust SE by {cluster} "
              f"(t, G−1 df); {confidence:.0%} CI")
    nan = np.nan
    return pd.DataFrame({
        "n": people.astype("int64"),
        "estimate": np.where(enough, estimate, nan),
        "ci_low": np.where(varies, estimate - half, nan),
        "ci_high": np.where(varies, estimate + half, nan),
        "p_value": np.where(varies, p_value, nan),
        "p_adjusted": nan,
        "effect_size": np.where(varies & (pooled > 0), effect, nan),
        "method": np.select([~enough, ~varies],
                            [method + " — needs ≥2 people per arm and rows in both periods",
                             method + " — no residual variance"], method),
        "n_treated": n_t, "n_comparison": n_c, "se": np.where(enough, se, nan),
    }, index=arms.index)
