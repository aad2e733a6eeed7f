"""Queries that feed the metrics: SQL inline, next to the function that uses it.

Each returns a tidy DataFrame; no statistics happen here.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.cache.cubes import Cube
from analysis.cache.memo import _selections, kept, remembered
from analysis.store.db import Store, quote_ident
from analysis.store.filters import Filters
from analysis.store.waves import WAVES_SQL


def cohorts(store: Store) -> pd.DataFrame:
    return remembered(store, ("cohorts",), lambda: store.query(
        "select cohort_id, name, start_date, end_date, cost from cohorts order by start_date"
    ))


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


# The label columns of the participants' score frames: what a filter state selects by.
CODED = ("cohort_id", "role", "construct", "source", "generation", "department", "level")
SOURCES = ("programme", "pulse")  # a score's survey: the programme's own, or the org-wide pulse


def paired_scores(store: Store, filters: Filters, *, construct: str | None = None,
                  source: str | None = "programme") -> pd.DataFrame:
    """Participants' construct scores before and after their cohort, one row per person ×
    construct × source: the programme's own pre/post survey (``source`` 'programme', the
    default) and, for constructs the org-wide pulse measures, the cohort's before and after
    pulse waves (:mod:`analysis.store.waves`; 'pulse'); ``source=None`` both.

    Columns: cohort_id, employee_id, role, generation, department, level, construct, source,
    before, after (either may be null when the person skipped one survey). Every filter state
    is a subset of one query over all participants, kept while the data is unchanged (a
    dashboard filter change then selects rows by integer codes instead of joining every
    survey score).
    """
    scores = _all_paired_scores(store)
    return remembered(store, ("paired_scores", filters, construct, source),
                       lambda: _select_scores(store, scores, filters, construct=construct,
                                              source=source),
                       shelf=_selections)


def _all_paired_scores(store: Store) -> pd.DataFrame:
    """Every participant's programme and pulse scores (no filter), kept while the data is
    unchanged."""
    return remembered(store, ("paired_scores",), lambda: _paired_scores(store))


def coded_scores(store: Store, filters: Filters, *,
                 source: str | None = "programme") -> pd.DataFrame:
    """:func:`paired_scores` without employee ids, its labels as categories (sorted, so they
    order as the text does): the statistics stack and group these rows per filter state, and
    integer codes make that several times cheaper than text."""
    def build() -> pd.DataFrame:
        scores = _all_paired_scores(store)
        return scores.drop(columns="employee_id").astype({c: "category" for c in CODED})

    coded = remembered(store, ("coded_scores",), build)
    return remembered(store, ("coded_scores", filters, source),
                       lambda: _select_scores(store, coded, filters, source=source),
                       shelf=_selections)


def _select_scores(store: Store, frame: pd.DataFrame, filters: Filters, *,
                   construct: str | None = None, source: str | None = None) -> pd.DataFrame:
    """:func:`select_people` on the whole-data score rows (:func:`paired_scores` or
    :func:`coded_scores`: the same rows in the same order) by their labels' integer codes,
    built once per data version: comparing text over every participant × construct on each
    filter change cost more than the statistics."""
    def build() -> Cube:
        return Cube.of(_all_paired_scores(store)[list(CODED)], measures=())

    codes = kept(store, ("score_codes",), build)
    rows = codes.where(filters, cohort_id=filters.cohort, role=filters.role, construct=construct,
                       source=source)
    return frame if len(rows) == len(frame) else frame.take(rows).reset_index(drop=True)


def select_people(frame: pd.DataFrame, filters: Filters, *,
                   construct: str | None = None) -> pd.DataFrame:
    """The rows of a participants' frame (cohort_id, role, the slice columns[, construct]) that
    pass the filters, in their order: what ``filters.people_where`` selects in SQL."""
    keep = pd.Series(True, index=frame.index)
    for column, value in (("cohort_id", filters.cohort), ("role", filters.role),
                          ("construct", construct)):
        if value is not None:
            keep &= frame[column] == value
    for column in ("generation", "department", "level"):
        if getattr(filters, column):
            keep &= frame[column].isin(getattr(filters, column))
    return frame if keep.all() else frame[keep].reset_index(drop=True)


def _paired_scores(store: Store) -> pd.DataFrame:
    # programme: each person's pre and post per construct first, then onto every participant ×
    # construct the cohort's survey asked (participants are unique per cohort and person);
    # pulse: the same, from the participants' scores in their cohort's two pulse waves (picked
    # out first: a left join onto every pulse score hashed all 5M of them at 200,000 employees)
    return store.query(f"""
        with scored as (
            select a.cohort_id, s.employee_id, s.construct,
                   max(case when a.phase = 'pre' then s.score end) as before,
                   max(case when a.phase = 'post' then s.score end) as after
            from construct_scores s
            join administrations a using (administration_id)
            where a.kind = 'programme'
            group by all
        ),
        waves as ({WAVES_SQL}),
        measured as (
            select administration_id, construct from construct_scores
            where administration_id in (select administration_id from administrations
                                        where kind = 'pulse')
            group by all
        ),
        pulse_constructs as (
            select w.cohort_id, w.before_administration_id as wb,
                   w.after_administration_id as wa, b.construct
            from waves w
            join measured b on b.administration_id = w.before_administration_id
            join measured f on f.administration_id = w.after_administration_id
             and f.construct = b.construct
        ),
        members as (
            select p.cohort_id, p.employee_id, p.role, e.generation, e.department, e.level
            from participants p join employees e using (employee_id)
            where p.role in ('mentor', 'mentee')
        ),
        pulse_scored as (
            select c.cohort_id, s.employee_id, s.construct,
                   max(case when s.administration_id = c.wb then s.score end) as before,
                   max(case when s.administration_id = c.wa then s.score end) as after
            from pulse_constructs c
            join (select distinct cohort_id, employee_id from members) m using (cohort_id)
            join construct_scores s
              on s.employee_id = m.employee_id and s.construct = c.construct
             and (s.administration_id = c.wb or s.administration_id = c.wa)
            group by all
        )
        select m.*, c.construct, 'programme' as source, sc.before, sc.after
        from members m
        join (select distinct cohort_id, construct from scored) c using (cohort_id)
        left join scored sc
          on sc.cohort_id = m.cohort_id and sc.employee_id = m.employee_id
         and sc.construct = c.construct
        union all
        select m.*, c.construct, 'pulse' as source, ps.before, ps.after
        from members m
        join pulse_constructs c using (cohort_id)
        left join pulse_scored ps
          on ps.cohort_id = m.cohort_id and ps.employee_id = m.employee_id
         and ps.construct = c.construct
        order by cohort_id, construct, source, employee_id
    """)  # noqa: S608 - fixed SQL fragments only


def score_administrations(store: Store) -> pd.DataFrame:
    """The administrations each cohort's before and after scores come from, per source:
    cohort_id, source, administration_before, administration_after (the programme's pre and
    post surveys; the pulse waves of :mod:`analysis.store.waves`). Several programme surveys of one
    phase are named together, comma-separated."""
    return remembered(store, ("score_administrations",), lambda: store.query(f"""
        with waves as ({WAVES_SQL})
        select cohort_id, 'programme' as source,
               string_agg(distinct administration_id, ', ' order by administration_id)
                   filter (where phase = 'pre') as administration_before,
               string_agg(distinct administration_id, ', ' order by administration_id)
                   filter (where phase = 'post') as administration_after
        from administrations where kind = 'programme' and cohort_id is not null
        group by all
        union all
        select cohort_id, 'pulse', before_administration_id, after_administration_id
        from waves
        where before_administration_id is not null and after_administration_id is not null
        order by cohort_id, source
    """))  # noqa: S608 - fixed SQL fragments only


def participants(store: Store) -> pd.DataFrame:
    """Every mentor and mentee once per cohort: cohort_id, employee_id, role, pair_id (null
    without a pair), generation, department, level. Kept while the data is unchanged."""
    return remembered(store, ("participants",), lambda: store.query("""
        select p.cohort_id, p.employee_id, p.role, p.pair_id, e.generation, e.department,
               e.level
        from participants p join employees e using (employee_id)
        where p.role in ('mentor', 'mentee')
    """))


def overview_counts(store: Store, filters: Filters) -> pd.DataFrame:
    """Participants, pairs and sessions held for the filter state (one row): the people who pass
    the filters, their pairs and those pairs' held sessions, selected from frames kept while the
    data is unchanged (a filter change counts in memory instead of scanning every session)."""
    people = select_people(participants(store), filters)
    held = remembered(store, ("held_per_pair",), lambda: store.query("""
        select pair_id, count(*) as held from sessions
        where status = 'held' and pair_id is not null
        group by pair_id
    """).set_index("pair_id"))
    pairs = people["pair_id"].dropna().unique()
    # a hash lookup on the kept index (``isin`` on 20,000 arrow strings takes 0.2 s)
    found = held.index.get_indexer(pairs)
    sessions = held["held"].to_numpy(dtype=np.int64)[found[found >= 0]].sum()
    return pd.DataFrame({"participants": [people["employee_id"].nunique()],
                         "pairs": [len(pairs)], "sessions_held": [sessions]}, dtype="int64")


# Treated arm: the cohort's mentors and mentees. Comparison arm: the cohort's explicit
# 'comparison' rows when it has any, else every employee in no cohort at all (DESIGN.md).
ARMS_SQL = """
    explicit as (select distinct cohort_id from participants where role = 'comparison'),
    arms as (
        select cohort_id, employee_id, role, pair_id, 1 as treat
        from participants where role in ('mentor', 'mentee')
        union all
        select cohort_id, employee_id, 'comparison', null, 0
        from participants where role = 'comparison'
        union all
        select c.cohort_id, e.employee_id, 'comparison', null, 0
        from cohorts c cross join employees e
        where c.cohort_id not in (select cohort_id from explicit)
          and e.employee_id not in (select employee_id from participants)
    )
"""


# A person's score on each construct in the cohort's before (b) and after (f) pulse waves;
# joins ``arms a`` to ``waves w``.
PULSE_SCORES_SQL = """
        join construct_scores b
          on b.administration_id = w.before_administration_id and b.employee_id = a.employee_id
        join construct_scores f
          on f.administration_id = w.after_administration_id and f.employee_id = a.employee_id
         and f.construct = b.construct
"""


def _arm_where(filters: Filters) -> tuple[str, dict[str, object]]:
    """Filters for both arms: the role filter narrows the treated arm only."""
    where, params = filters.people_where("e")
    return (f"($cohort is null or a.cohort_id = $cohort) "
            f"and ($role is null or a.role = $role or a.treat = 0) and {where}"), params


def pulse_pairs(store: Store, filters: Filters) -> pd.DataFrame:
    """Pulse construct scores before and after each cohort, for both arms, one row per
    cohort × person × construct with a score in both waves (see :mod:`analysis.store.waves`).

    Columns: cohort_id, employee_id, role (mentor/mentee/comparison), treat (1/0),
    generation, department, level, tenure_years (at the cohort start), construct, before, after.
    """
    where, params = _arm_where(filters)
    sql = f"""
        with waves as ({WAVES_SQL}), {ARMS_SQL}
        select a.cohort_id, a.employee_id, a.role, a.treat, e.generation, e.department, e.level,
               date_diff('day', e.hire_date, c.start_date) / 365.25 as tenure_years,
               b.construct, b.score as before, f.score as after
        from arms a
        join cohorts c using (cohort_id)
        join waves w using (cohort_id)
        join employees e using (employee_id)
        {PULSE_SCORES_SQL}
        where {where}
        order by a.cohort_id, b.construct, a.treat desc, a.employee_id
    """  # noqa: S608 - ``where`` holds only placeholders; values are bound
    return store.query(sql, params)
