"""Queries that feed the metrics: SQL inline, next to the function that uses it.

Each returns a tidy DataFrame; no statistics happen here.
"""

from __future__ import annotations

import pandas as pd

from analysis.filters import Filters
from analysis.store import Store, quote_ident


def cohorts(store: Store) -> pd.DataFrame:
    return store.query(
        "select cohort_id, name, start_date, end_date, cost from cohorts order by start_date"
    )


def slice_values(store: Store) -> dict[str, list[str]]:
    """Distinct values of each slice dimension among programme participants' roster rows."""
    out = {}
    for column in ("generation", "department", "level"):  # identifiers, never user values
        name = quote_ident(column)
        frame = store.query(
            f"select distinct {name} as v from employees where {name} is not null "  # noqa: S608
            "order by 1"
        )
        out[column] = frame["v"].tolist()
    return out


def paired_scores(store: Store, filters: Filters, *, construct: str | None = None) -> pd.DataFrame:
    """Programme pre/post construct scores of participants, one row per person × construct.

    Columns: cohort_id, employee_id, role, generation, department, level, construct, before, after
    (either may be null when the person skipped one survey).
    """
    where, params = filters.people_where("e")
    sql = f"""
        with scored as (
            select a.cohort_id, a.phase, s.employee_id, s.construct, s.score
            from construct_scores s
            join administrations a using (administration_id)
            where a.kind = 'programme'
              and ($construct is null or s.construct = $construct)
        )
        select p.cohort_id, p.employee_id, p.role, e.generation, e.department, e.level,
               c.construct,
               max(case when sc.phase = 'pre' then sc.score end) as before,
               max(case when sc.phase = 'post' then sc.score end) as after
        from participants p
        join employees e using (employee_id)
        join (select distinct cohort_id, construct from scored) c using (cohort_id)
        left join scored sc
          on sc.cohort_id = p.cohort_id and sc.employee_id = p.employee_id
         and sc.construct = c.construct
        where p.role in ('mentor', 'mentee')
          and ($cohort is null or p.cohort_id = $cohort)
          and ($role is null or p.role = $role)
          and {where}
        group by all
        order by p.cohort_id, c.construct, p.employee_id
    """  # noqa: S608 - ``where`` holds only placeholders; values are bound
    return store.query(sql, {**params, "construct": construct})


def overview_counts(store: Store, filters: Filters) -> pd.DataFrame:
    """Participants, pairs and sessions held for the filter state (one row)."""
    where, params = filters.people_where("e")
    sql = f"""
        with people as (
            select p.* from participants p join employees e using (employee_id)
            where p.role in ('mentor', 'mentee')
              and ($cohort is null or p.cohort_id = $cohort)
              and ($role is null or p.role = $role)
              and {where}
        )
        select
            (select count(distinct employee_id) from people) as participants,
            (select count(distinct pair_id) from people) as pairs,
            (select count(*) from sessions s
              where s.status = 'held'
                and s.pair_id in (select pair_id from people)) as sessions_held
    """  # noqa: S608
    return store.query(sql, params)
