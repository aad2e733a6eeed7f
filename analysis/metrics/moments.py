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

from analysis.cache.cubes import Cube
from analysis.cache.memo import kept, remembered
from analysis.metrics.data import PULSE_SCORES_SQL
from analysis.metrics.survival_queries import OWN_ARMS_SQL
from analysis.store.db import Store
from analysis.store.filters import Filters
from analysis.store.waves import WAVES_SQL

VALUES = ("d", "pre", "post")
COLUMNS = ["cohort_id", "construct", "treat", "role", "slice", "n",
           "mean_d", "var_d", "mean_pre", "var_pre", "mean_post", "var_post"]
_MOMENTS_SQL = ", ".join(f"avg({v}) as mean_{v}, coalesce(var_samp({v}), 0) * (count(*) - 1) "
                         f"as m2_{v}" for v in VALUES)


def pulse_change_moments(store: Store, filters: Filters, *, by: str | None = None) -> pd.DataFrame:
    """:func:`analysis.metrics.data.pulse_pairs` reduced to per-arm moments: one row per cohort ×
    construct × treat × role (mentor, mentee, comparison, and 'all' for both treated roles)
    [× the ``by`` column as ``slice``], in that order, with n and the mean and ddof=1 variance
    of the change, of the before and of the after scores
    (:data:`analysis.stats.grouped.ARM_MOMENTS`).

    Where a cohort has no explicit comparison group its arm is everyone outside the programme
    (DESIGN.md) — most of the company at 200,000 employees, the same people for every cohort.
    Worked on the cubes' integer codes: a filter change pools a few thousand cube rows, where
    each pandas operation would cost more than the sums."""
    sliced = by is not None and by != "role"
    slice_by = by if sliced else None
    cube = _cube(store, "participants")
    rows = cube.select(filters, slice_by)
    if filters.cohort is not None:
        rows = rows[cube.equal(rows, "cohort_id", filters.cohort)]
    if filters.role is not None:  # the role filter narrows the treated arm only
        rows = rows[cube.equal(rows, "treat", 0) | cube.equal(rows, "role", filters.role)]
    place = ["cohort_id", "construct", "treat"]
    own = _pool(cube, rows, [*place, "role"], slice_by)
    every_role = _pool(cube, rows[cube.equal(rows, "treat", 1)], place, slice_by)
    every_role["role"] = np.full(len(every_role["n"]), "all", dtype=object)
    parts = [own, every_role, _outsider_moments(store, filters, slice_by)]
    frame = {c: np.concatenate([part[c] for part in parts]) for c in COLUMNS if c != "slice"}
    frame["slice"] = (np.concatenate([part["slice"] for part in parts]) if sliced
                      else np.full(len(frame["n"]), None, dtype=object))
    order = np.lexsort([_ranks(frame[c]) for c in ("slice", "role", "treat", "construct",
                                                    "cohort_id")])
    out = pd.DataFrame({c: frame[c][order] for c in COLUMNS})
    return out.astype({"n": "int64", "treat": "int64"})


def _ranks(values: np.ndarray) -> np.ndarray:
    """Integer ranks that sort as the values do (a missing slice: one rank, -1)."""
    return pd.factorize(values, sort=True)[0]


def _cube(store: Store, which: str) -> Cube:
    """The participant or outsider cube as a :class:`Cube`, kept while the data is unchanged."""
    def build() -> Cube:
        frame = _participant_cube(store) if which == "participants" else _outsider_cube(store)
        return Cube.of(frame, measures=["n", *(f"{m}_{v}" for m in ("mean", "m2")
                                               for v in VALUES)])
    return kept(store, ("moments_cube", which), build)


def _pool(cube: Cube, rows: np.ndarray, keys: list[str],
          by: str | None) -> dict[str, np.ndarray]:
    """Cube ``rows`` pooled per ``keys`` [and the breakdown ``by`` as ``slice``], groups in
    order of first appearance: the label columns, n, mean_v and the ddof=1 var_v.

    Pooled mean = Σ nᵢ·meanᵢ / Σ nᵢ; pooled m2 = Σ (m2ᵢ + nᵢ·(meanᵢ − mean)²); var = m2 / (n − 1).
    """
    group, first = cube.groups(rows, [*keys, *([by] if by else [])])
    out: dict[str, np.ndarray] = {c: cube.labels(c, first) for c in keys}
    out["slice"] = cube.labels(by, first) if by else np.full(len(first), None, dtype=object)
    count = cube.numbers["n"][rows]
    n = np.bincount(group, weights=count, minlength=len(first))
    out["n"] = n.astype("int64")
    for v in VALUES:
        mean_i = cube.numbers[f"mean_{v}"][rows]
        mean = np.bincount(group, weights=count * mean_i, minlength=len(first)) / n
        spread = cube.numbers[f"m2_{v}"][rows] + count * (mean_i - mean[group]) ** 2
        m2 = np.bincount(group, weights=spread, minlength=len(first))
        out[f"mean_{v}"] = mean
        with np.errstate(divide="ignore", invalid="ignore"):
            out[f"var_{v}"] = np.where(n > 1, m2 / (n - 1), np.nan)
    return out


def _participant_cube(store: Store) -> pd.DataFrame:
    """Pulse changes of each cohort's participants and explicit comparison group, per cohort ×
    construct × treat × role × generation × department × level: n, mean and m2 of d, pre, post."""
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
            order by all  -- a fixed order: the pooled sums then agree to the last bit
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
            order by all
        """)  # noqa: S608 - fixed SQL pieces only
    return remembered(store, ("outsider_cube",), build)


def _outsider_moments(store: Store, filters: Filters, by: str | None) -> dict[str, np.ndarray]:
    """:func:`_outsider_cube` pooled for one filter state: comparison-arm rows for each chosen
    cohort without an explicit comparison group (cohorts sharing a wave pair share its rows)."""
    waves = ["before_administration_id", "after_administration_id"]
    cohorts = _cohort_waves(store)
    if filters.cohort is not None:
        cohorts = cohorts[cohorts["cohort_id"] == filters.cohort]
    cube = _cube(store, "outsiders")
    rows = cube.select(filters, by)
    span = len(cube.values[waves[1]]) + 1
    pairs = cube.codes[waves[0]][rows] * span + cube.codes[waves[1]][rows]
    wanted = [cube.code(waves[0], b) * span + cube.code(waves[1], a)
              for b, a in zip(cohorts[waves[0]], cohorts[waves[1]], strict=True)]
    pooled = _pool(cube, rows[np.isin(pairs, wanted)], [*waves, "construct"], by)
    pair_of = pooled.pop(waves[0]).astype(object), pooled.pop(waves[1]).astype(object)
    # each cohort gets its wave pair's rows, cohorts in their order (a handful: not data rows)
    take = [np.flatnonzero((pair_of[0] == b) & (pair_of[1] == a))
            for b, a in zip(cohorts[waves[0]], cohorts[waves[1]], strict=True)]
    index = np.concatenate([np.zeros(0, dtype=np.int64), *take])
    out = {c: values[index] for c, values in pooled.items()}
    out["cohort_id"] = np.repeat(cohorts["cohort_id"].to_numpy(dtype=object),
                                 [len(t) for t in take])
    out["treat"] = np.zeros(len(index), dtype=np.int64)
    out["role"] = np.full(len(index), "comparison", dtype=object)
    return out


def _cohort_waves(store: Store) -> pd.DataFrame:
    """Each cohort without an explicit comparison group, with its before/after waves."""
    return remembered(store, ("cohort_waves",), lambda: store.query(f"""
        with waves as ({WAVES_SQL})
        select cohort_id, before_administration_id, after_administration_id from waves
        where cohort_id not in (select cohort_id from participants where role = 'comparison')
    """))  # noqa: S608 - fixed SQL pieces only


def warm(store: Store) -> None:
    """Build both cubes now (see :func:`analysis.metrics.registry.warm`)."""
    _participant_cube(store)
    _outsider_cube(store)
    _cohort_waves(store)

