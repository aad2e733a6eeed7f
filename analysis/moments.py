"""Pulse-survey change moments per arm, from cubes kept while the data is unchanged.

A difference-in-differences row needs, per arm, only n and the mean and variance of the change
and of the before and after scores. Both arms are counted once per data version into cubes —
participants and explicit comparison groups per cohort × construct × role × generation ×
department × level; everyone outside the programme per before/after wave pair × construct ×
slices — so a filter change selects a few thousand cube rows and pools them (Chan et al.'s
pairwise update: the same numbers as one pass over the people).

Chan, Golub & LeVeque (1983), "Algorithms for computing the sample variance".
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.data import OWN_ARMS_SQL, PULSE_SCORES_SQL, remembered, remembered_part
from analysis.filters import Filters
from analysis.stats._groups import group_ids
from analysis.store import Store
from analysis.waves import WAVES_SQL

SLICE_NAMES = ("generation", "department", "level")
VALUES = ("d", "pre", "post")
COLUMNS = ["cohort_id", "construct", "treat", "role", "slice", "n",
           "mean_d", "var_d", "mean_pre", "var_pre", "mean_post", "var_post"]
_MOMENTS_SQL = ", ".join(f"avg({v}) as mean_{v}, coalesce(var_samp({v}), 0) * (count(*) - 1) "
                         f"as m2_{v}" for v in VALUES)


def pulse_change_moments(store: Store, filters: Filters, *, by: str | None = None) -> pd.DataFrame:
    """:func:`analysis.data.pulse_pairs` reduced to per-arm moments: one row per cohort ×
    construct × treat × role (mentor, mentee, comparison, and 'all' for both treated roles)
    [× the ``by`` column as ``slice``], with n and the mean and ddof=1 variance of the change,
    of the before and of the after scores (:data:`analysis.stats.grouped.ARM_MOMENTS`).

    Where a cohort has no explicit comparison group its arm is everyone outside the programme
    (DESIGN.md) — most of the company at 200,000 employees, the same people for every cohort."""
    sliced = by is not None and by != "role"
    cube = _select(_participant_cube(store, filters.cohort), filters, by if sliced else None)
    if filters.role is not None:  # the role filter narrows the treated arm only
        cube = cube[(cube["treat"] == 0) | (cube["role"] == filters.role)]
    keys = ["cohort_id", "construct", "treat", "role", "slice"]
    own = pool(cube, keys)
    every_role = pool(cube[cube["treat"] == 1], [k for k in keys if k != "role"])
    frame = pd.concat([own, every_role.assign(role="all"),
                       _outsider_moments(store, filters, by if sliced else None)],
                      ignore_index=True)
    if not sliced:
        frame["slice"] = None
    frame = frame.sort_values(["cohort_id", "construct", "treat", "role"], kind="stable")
    return frame[COLUMNS].reset_index(drop=True)


def pool(cube: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Cube rows (n, mean_v, m2_v) pooled per ``keys`` (a missing key value is a group of its
    own): n, mean_v and the ddof=1 var_v, in order of first appearance.

    Pooled mean = Σ nᵢ·meanᵢ / Σ nᵢ; pooled m2 = Σ (m2ᵢ + nᵢ·(meanᵢ − mean)²); var = m2 / (n − 1).
    """
    group, first = group_ids(cube, keys)
    count = cube["n"].to_numpy(dtype=float)
    n = np.bincount(group, weights=count, minlength=len(first))
    out = cube.iloc[first][keys].reset_index(drop=True)
    out["n"] = n.astype("int64")
    for v in VALUES:
        mean_i = cube[f"mean_{v}"].to_numpy(dtype=float)
        mean = np.bincount(group, weights=count * mean_i, minlength=len(first)) / n
        spread = cube[f"m2_{v}"].to_numpy(dtype=float) + count * (mean_i - mean[group]) ** 2
        m2 = np.bincount(group, weights=spread, minlength=len(first))
        out[f"mean_{v}"] = mean
        with np.errstate(divide="ignore", invalid="ignore"):
            out[f"var_{v}"] = np.where(n > 1, m2 / (n - 1), np.nan)
    return out


def _select(cube: pd.DataFrame, filters: Filters, by: str | None) -> pd.DataFrame:
    """Cube rows of people in the filters' slices, with the breakdown column as ``slice``
    (rows without a value for it dropped, as ``is not null`` in SQL)."""
    for column in SLICE_NAMES:
        if getattr(filters, column):
            cube = cube[cube[column].isin(getattr(filters, column))]
    cube = cube.assign(slice=cube[by] if by else None)
    return cube[cube["slice"].notna()] if by else cube


def _participant_cube(store: Store, cohort: str | None = None) -> pd.DataFrame:
    """Pulse changes of each cohort's participants and explicit comparison group, per cohort ×
    construct × treat × role × generation × department × level: n, mean and m2 of d, pre, post.
    ``cohort``: that cohort's rows only, kept apart (a cohort's view selects from a twentieth
    of the cube)."""
    if cohort is not None:
        every = _participant_cube(store)
        return remembered_part(store, ("participant_pulse_cube", cohort), lambda: every[
            every["cohort_id"] == cohort].reset_index(drop=True))
    def build() -> pd.DataFrame:
        return store.query(f"""
            with waves as ({WAVES_SQL}),
            own as ({OWN_ARMS_SQL}),
            pairs as (
                select a.cohort_id, a.role, a.treat, e.generation, e.department, e.level,
                       b.construct, b.score as pre, f.score as post, f.score - b.score as d
                from own a
                join waves w using (cohort_id)
                join employees e using (employee_id)
                {PULSE_SCORES_SQL}
                where b.score is not null and f.score is not null
            )
            select cohort_id, construct, treat, role, generation, department, level,
                   count(*) as n, {_MOMENTS_SQL}
            from pairs
            group by all
        """)  # noqa: S608 - fixed SQL pieces only
    return remembered(store, ("participant_pulse_cube",), build)


def _outsider_cube(store: Store) -> pd.DataFrame:
    """Pulse changes of everyone outside the programme, per before/after wave pair used by a
    cohort without an explicit comparison group × construct × generation × department × level:
    n, and the mean and sum of squared deviations (m2) of d, pre and post."""
    def build() -> pd.DataFrame:
        return store.query(f"""
            with waves as ({WAVES_SQL}),
            shared_waves as (
                select distinct before_administration_id, after_administration_id from waves
                where cohort_id not in
                    (select cohort_id from participants where role = 'comparison')
            ),
            outsiders as (
                select employee_id from employees
                where employee_id not in (select employee_id from participants)
            )
            select w.before_administration_id, w.after_administration_id, b.construct,
                   e.generation, e.department, e.level, count(*) as n, {_MOMENTS_SQL}
            from (
                select a.employee_id, w.before_administration_id, w.after_administration_id,
                       b.construct, b.score as pre, f.score as post, f.score - b.score as d
                from outsiders a cross join shared_waves w
                {PULSE_SCORES_SQL}
                where b.score is not null and f.score is not null
            ) b
            join employees e using (employee_id)
            join shared_waves w using (before_administration_id, after_administration_id)
            group by all
        """)  # noqa: S608 - fixed SQL pieces only
    return remembered(store, ("outsider_cube",), build)


def _outsider_moments(store: Store, filters: Filters, by: str | None) -> pd.DataFrame:
    """:func:`_outsider_cube` pooled for one filter state: comparison-arm rows for each chosen
    cohort without an explicit comparison group."""
    waves = ["before_administration_id", "after_administration_id"]
    cohorts = _cohort_waves(store)
    outsiders = _outsider_cube(store)
    if filters.cohort is not None:  # only that cohort's wave pair is pooled
        cohorts = cohorts[cohorts["cohort_id"] == filters.cohort]
        pair = cohorts[waves].drop_duplicates()
        outsiders = remembered_part(store, ("outsider_cube", filters.cohort),
                                    lambda: outsiders.merge(pair, on=waves))
    out = pool(_select(outsiders, filters, by), [*waves, "construct", "slice"])
    rows = cohorts.merge(out, on=waves).drop(columns=waves)
    return rows.assign(treat=0, role="comparison")[COLUMNS]


def _cohort_waves(store: Store) -> pd.DataFrame:
    """Each cohort without an explicit comparison group, with its before/after waves."""
    return remembered(store, ("cohort_waves",), lambda: store.query(f"""
        with waves as ({WAVES_SQL})
        select cohort_id, before_administration_id, after_administration_id from waves
        where cohort_id not in (select cohort_id from participants where role = 'comparison')
    """))  # noqa: S608 - fixed SQL pieces only


def warm(store: Store) -> None:
    """Build both cubes now (see :func:`analysis.metrics.warm`)."""
    _participant_cube(store)
    _outsider_cube(store)
    _cohort_waves(store)

