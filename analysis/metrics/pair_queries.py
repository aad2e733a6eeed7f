"""Engagement's SQL: participants, each pair's sessions and the members of the pairs in view.
No statistics happen here."""

from __future__ import annotations

import pandas as pd

from analysis.cache.memo import remembered
from analysis.metrics.data import select_people
from analysis.metrics.survival_queries import roster_as_of
from analysis.store.db import Store
from analysis.store.filters import Filters


def cohort_participants(store: Store) -> pd.DataFrame:
    """Participants (mentors and mentees) of each cohort in its retention population, with no
    filter: cohort_id, people. The whole cohort, to share its cost pro rata."""
    sql = """
        with snap as (select cast($as_of as date) as d)
        select p.cohort_id, count(*) as people
        from participants p
        join cohorts c using (cohort_id)
        join employees e using (employee_id)
        cross join snap
        where p.role in ('mentor', 'mentee')
          and (e.hire_date is null or e.hire_date <= c.start_date)
          and (e.termination_date is null or e.termination_date >= c.start_date)
          and c.start_date <= snap.d
        group by all
    """
    return remembered(store, ("cohort_participants",),
                       lambda: store.query(sql, {"as_of": roster_as_of(store).date()}))


def pair_sessions(store: Store, *, cohort: str | None = None,
                  stall_days: int = 45) -> pd.DataFrame:
    """One row per mentoring pair (pairs with no sessions included, with zeros).

    Columns: cohort_id, pair_id, held, minutes (of held sessions), scheduled, cancelled,
    no_show, first_held, last_held, median_gap_days (between consecutive held sessions),
    as_of (= min(cohort end, roster as-of)), days_since_held (at as_of, from the last held
    session or the cohort start), stalled (no held session in ``stall_days`` while the cohort
    runs). Every cohort's pairs come from one query kept while the data is unchanged
    (engagement and dose–response read the same pairs; a cohort filter selects from them).
    """
    pairs = remembered(store, ("pair_sessions", stall_days),
                        lambda: _pair_sessions(store, cohort=None, stall_days=stall_days))
    if cohort is None:
        return pairs
    return pairs[pairs["cohort_id"] == cohort].reset_index(drop=True)


def _pair_sessions(store: Store, *, cohort: str | None, stall_days: int) -> pd.DataFrame:
    sql = """
        with snap as (select cast($as_of as date) as d),
        pairs as (
            select distinct p.cohort_id, p.pair_id, c.start_date,
                   least(c.end_date, snap.d) as as_of
            from participants p join cohorts c using (cohort_id) cross join snap
            where p.role in ('mentor', 'mentee') and p.pair_id is not null
              and ($cohort is null or p.cohort_id = $cohort)
        ),
        held as (
            select s.cohort_id, s.pair_id, s.date, s.duration_minutes,
                   date_diff('day', lag(s.date) over (partition by s.cohort_id, s.pair_id
                                                      order by s.date), s.date) as gap
            from sessions s where s.status = 'held'
        ),
        per as (
            select h.cohort_id, h.pair_id, count(*) as held,
                   coalesce(sum(h.duration_minutes), 0) as minutes,
                   min(h.date) as first_held, max(h.date) as last_held,
                   median(h.gap) as median_gap_days,
                   max(h.date) filter (where h.date <= p.as_of) as last_held_as_of
            from held h join pairs p using (cohort_id, pair_id)
            group by all
        ),
        sched as (
            select cohort_id, pair_id, count(*) as scheduled,
                   count(*) filter (where status = 'cancelled') as cancelled,
                   count(*) filter (where status = 'no_show') as no_show
            from sessions group by all
        )
        select p.cohort_id, p.pair_id,
               coalesce(per.held, 0) as held, coalesce(per.minutes, 0) as minutes,
               coalesce(sched.scheduled, 0) as scheduled,
               coalesce(sched.cancelled, 0) as cancelled, coalesce(sched.no_show, 0) as no_show,
               per.first_held, per.last_held, per.median_gap_days, p.as_of,
               date_diff('day', coalesce(per.last_held_as_of, p.start_date), p.as_of)
                   as days_since_held,
               p.as_of >= p.start_date
                   and date_diff('day', coalesce(per.last_held_as_of, p.start_date), p.as_of)
                       > $stall_days as stalled
        from pairs p
        left join per using (cohort_id, pair_id)
        left join sched using (cohort_id, pair_id)
        order by p.cohort_id, p.pair_id
    """
    return store.query(sql, {"cohort": cohort, "as_of": roster_as_of(store).date(),
                             "stall_days": stall_days})


def pair_members(store: Store, filters: Filters) -> pd.DataFrame:
    """Members of each pair who pass the filters (for slicing engagement by people).

    Columns: cohort_id, pair_id, employee_id, role, generation, department, level. Selected
    from every member, kept while the data is unchanged.
    """
    members = remembered(store, ("pair_members",), lambda: store.query("""
        select p.cohort_id, p.pair_id, p.employee_id, p.role, e.generation, e.department,
               e.level
        from participants p join employees e using (employee_id)
        where p.role in ('mentor', 'mentee') and p.pair_id is not null
        order by p.cohort_id, p.pair_id, p.role
    """))
    return select_people(members, filters)
