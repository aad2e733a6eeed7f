"""Retention's SQL: the roster population and its counts per cohort × arm × role × slice ×
duration × event (whole-data cubes kept per data version). No statistics happen here."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.cache.cubes import Cube
from analysis.cache.memo import _memo_by_state, kept, remembered
from analysis.metrics.data import ARMS_SQL, _arm_where
from analysis.store.db import Store
from analysis.store.filters import Filters


def roster_as_of(store: Store) -> pd.Timestamp:
    """The roster's as-of date (meta ``roster_as_of``), else the latest date in the roster."""
    kept = remembered(store, ("roster_as_of",), lambda: store.query(
        """
        select coalesce(
            (select try_cast(value as date) from meta where key = 'roster_as_of'),
            (select greatest(max(hire_date), max(termination_date)) from employees)) as d
        """
    ))
    return pd.Timestamp(kept["d"].iloc[0])


def retention_population(store: Store, filters: Filters) -> pd.DataFrame:
    """Everyone employed on each cohort's start date, in either arm (DESIGN.md, "Retention").

    duration = days from the start to a voluntary exit (event 1), to an involuntary or
    unclassified exit (censored, event 0), else to the roster's as-of date (censored). Exits
    after the as-of date are censored at it. Columns: cohort_id, employee_id, role, treat,
    generation, department, level, salary, tenure_years, duration, event.
    """
    where, params = _arm_where(filters)
    sql = f"""
        with {ARMS_SQL}, snap as (select cast($as_of as date) as d)
        select a.cohort_id, a.employee_id, a.role, a.treat, e.generation, e.department, e.level,
               e.salary, date_diff('day', e.hire_date, c.start_date) / 365.25 as tenure_years,
               date_diff('day', c.start_date,
                         case when e.termination_date <= snap.d then e.termination_date
                              else snap.d end) as duration,
               case when e.termination_type = 'voluntary' and e.termination_date <= snap.d
                    then 1 else 0 end as event
        from arms a
        join cohorts c using (cohort_id)
        join employees e using (employee_id)
        cross join snap
        where (e.hire_date is null or e.hire_date <= c.start_date)
          and (e.termination_date is null or e.termination_date >= c.start_date)
          and c.start_date <= snap.d
          and {where}
        order by a.cohort_id, a.treat desc, a.employee_id
    """  # noqa: S608
    return store.query(sql, {**params, "as_of": roster_as_of(store).date()})


SLICE_COLUMNS = ("generation", "department", "level")


def retention_counts(store: Store, filters: Filters, *, by: str | None = None,
                     cohort: str | None = None) -> pd.DataFrame:
    """:func:`retention_population` counted per cohort × arm × role × slice × duration × event.

    Columns: cohort_id, treat, role, slice (the ``by`` column's value; null without a slice
    or for ``by="role"``), duration, event, people, salary_sum and salary_n (the sum and number
    of known salaries). ``cohort`` keeps one cohort only (on top of the filters). A few
    thousand rows per cohort instead of one per person. Kept while the data is unchanged
    (retention and ROI rows read the same counts).
    """
    return remembered(store, ("retention_counts", filters, by, cohort),
                       lambda: _retention_counts(store, filters, by=by, cohort=cohort),
                       shelf=_memo_by_state)


def _retention_counts(store: Store, filters: Filters, *, by: str | None,
                      cohort: str | None) -> pd.DataFrame:
    """Participants and explicit comparison groups selected from :func:`_own_survival` and
    summed for the filter state; the implicit comparison arm (everyone outside the programme)
    from :func:`_outsider_survival`."""
    if by is not None and by != "role" and by not in SLICE_COLUMNS:
        raise ValueError(f"cannot slice retention by {by!r}")
    slice_by = by if by in SLICE_COLUMNS else None
    cube = _survival_cube(store, "own")
    rows = cube.select(filters, slice_by)
    for value in (filters.cohort, cohort):
        if value is not None:
            rows = rows[cube.equal(rows, "cohort_id", value)]
    if filters.role is not None:  # the role filter narrows the treated arm only
        rows = rows[cube.equal(rows, "treat", 0) | cube.equal(rows, "role", filters.role)]
    own = _survival_sums(cube, rows, ["cohort_id", "treat", "role"], slice_by)
    return pd.concat([own, _outsider_survival(store, filters, by=by, cohort=cohort)],
                     ignore_index=True)


def _survival_cube(store: Store, which: str) -> Cube:
    """:func:`_own_survival` or the outsiders' survival cube as a :class:`Cube` (kept)."""
    def build() -> Cube:
        frame = _own_survival(store) if which == "own" else _outsider_survival_cube(store)
        return Cube.of(frame, measures=["people", "salary_sum", "salary_n"])
    return kept(store, ("survival_cube", which), build)


# Each cohort's treated people (mentors, mentees) and its explicit comparison group, if any.
OWN_ARMS_SQL = """
                select cohort_id, employee_id, role, 1 as treat
                from participants where role in ('mentor', 'mentee')
                union all
                select cohort_id, employee_id, 'comparison', 0
                from participants where role = 'comparison'
"""


def _own_survival(store: Store) -> pd.DataFrame:
    """Each cohort's participants and explicit comparison group counted per cohort × arm × role
    × generation × department × level × duration × event (kept while the data is unchanged)."""
    def build() -> pd.DataFrame:
        return store.query(f"""
            with snap as (select cast($as_of as date) as d),
            own as ({OWN_ARMS_SQL})
            select a.cohort_id, a.treat, a.role, e.generation, e.department, e.level,
                   {_SURVIVAL_SQL}
            from own a
            join cohorts c using (cohort_id)
            join employees e using (employee_id)
            cross join snap
            where {_AT_START_SQL}
            group by all
        """, {"as_of": roster_as_of(store).date()})  # noqa: S608 - fixed SQL pieces only
    return remembered(store, ("own_survival",), build)


def _survival_sums(cube: Cube, rows: np.ndarray, keys: list[str],
                   by: str | None) -> pd.DataFrame:
    """Survival cube ``rows`` summed per ``keys`` × slice (the ``by`` column; null without
    one) × duration × event, in order of first appearance. ``salary_sum`` stays null where no
    one in the group has a known salary, as SQL's ``sum``."""
    group, first = cube.groups(rows, [*keys, *([by] if by else []), "duration", "event"])
    size = len(first)
    out = pd.DataFrame({
        **{c: cube.labels(c, first) for c in keys},
        "slice": cube.labels(by, first) if by else np.full(size, None, dtype=object),
        "duration": cube.labels("duration", first), "event": cube.labels("event", first),
        **{c: cube.sums(c, rows, group, size).astype("int64") for c in ("people", "salary_n")},
    })
    salary = cube.numbers["salary_sum"][rows]
    known = np.bincount(group, weights=~np.isnan(salary), minlength=size)
    total = np.bincount(group, weights=np.nan_to_num(salary), minlength=size)
    out["salary_sum"] = np.where(known > 0, total, np.nan)
    return out


# duration and voluntary-exit event at the roster's as-of date, per person (e) and cohort (c)
_SURVIVAL_SQL = """
               date_diff('day', c.start_date,
                         case when e.termination_date <= snap.d then e.termination_date
                              else snap.d end) as duration,
               case when e.termination_type = 'voluntary' and e.termination_date <= snap.d
                    then 1 else 0 end as event,
               count(*) as people, sum(e.salary) as salary_sum, count(e.salary) as salary_n"""
# employed on the cohort's start date, which is not after the as-of date
_AT_START_SQL = """(e.hire_date is null or e.hire_date <= c.start_date)
          and (e.termination_date is null or e.termination_date >= c.start_date)
          and c.start_date <= snap.d"""


def _outsider_survival_cube(store: Store) -> pd.DataFrame:
    """Everyone outside the programme counted per cohort start date × generation × department ×
    level × duration × event (kept while the data is unchanged)."""
    def build() -> pd.DataFrame:
        return store.query(f"""
            with snap as (select cast($as_of as date) as d),
            starts as (select distinct start_date from cohorts)
            select c.start_date, e.generation, e.department, e.level, {_SURVIVAL_SQL}
            from employees e
            cross join starts c
            cross join snap
            where e.employee_id not in (select employee_id from participants)
              and {_AT_START_SQL}
            group by all
        """, {"as_of": roster_as_of(store).date()})  # noqa: S608 - fixed SQL pieces only
    return remembered(store, ("outsider_survival",), build)


def _outsider_survival(store: Store, filters: Filters, *, by: str | None,
                       cohort: str | None) -> pd.DataFrame:
    """The implicit comparison arm of :func:`retention_counts`: everyone outside the programme,
    counted once per cohort start date × generation × department × level × duration × event
    (kept while the data is unchanged), then selected and summed for the filter state and
    handed to each cohort without an explicit comparison group that starts on that date."""
    slice_by = by if by in SLICE_COLUMNS else None
    cube = _survival_cube(store, "outsiders")
    rows = cube.select(filters, slice_by)
    cohorts = remembered(store, ("cohorts_without_comparison",), lambda: store.query("""
        select cohort_id, start_date from cohorts
        where cohort_id not in (select cohort_id from participants where role = 'comparison')
    """))
    for value in (filters.cohort, cohort):
        if value is not None:
            cohorts = cohorts[cohorts["cohort_id"] == value]
    # only the start dates of the cohorts in view are counted
    rows = rows[cube.among(rows, "start_date", cohorts["start_date"].unique())]
    counts = _survival_sums(cube, rows, ["start_date"], slice_by)
    out = cohorts.merge(counts, on="start_date").drop(columns="start_date")
    out = out.assign(treat=0, role="comparison")
    return out[["cohort_id", "treat", "role", "slice", "duration", "event", "people",
                "salary_sum", "salary_n"]]
