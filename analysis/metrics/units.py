"""Who is counted behind each comparison, engagement, retention and reliability row: the unit
families and arms :func:`analysis.privacy.decisions.suppress_results` decides these metrics on.

Units are counted in SQL (one row per cohort × role × slice values with ``people``), over the
whole database. Rules, per metric (README, "Privacy and access"):

* ``did``, retention metrics and ``roi`` compare two arms. Each arm is its own unit family and
  a row is hidden when either arm's group is. The comparison arm is counted per cohort (its
  people measured on that cohort's waves or from its start date): non-participants repeat in
  every cohort, so the cohort total of that family is never published, only treated as public,
  which can only hide more.
* Engagement rows count pairs. A pair has one mentor and one mentee, so the mentor and mentee
  views are person tables of members, protected like any other. The "all" view counts a pair
  in each cell one of its members is in, so cells overlap; such a cell is shown only when it is
  the sum of its mentor and mentee cells, both shown (no pair with both members in it): then
  it follows from numbers already shown and adds nothing to subtract. Without a slice it is
  the mentor view's count. Sessions (``n_sessions``) belong to the pairs behind the row.
* ``dose_response`` counts people with a skill gain (their role's skill); ``cronbach_alpha``
  complete respondents of one administration and construct, in a family per construct and
  phase with the cohort (each programme administration belongs to one) as a dimension.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from analysis.metrics import data, item_queries, pair_queries, survival_queries
from analysis.metrics.engagement import ROLE_SKILL
from analysis.privacy.rules import ALL, OVERLAP, UNIT_COLUMNS, WEIGHT, Arm
from analysis.store.db import Store
from analysis.store.filters import Filters
from analysis.store.waves import WAVES_SQL

COLUMNS = [*UNIT_COLUMNS, WEIGHT]
COMPARISON = ":comparison"  # suffix of a comparison arm's unit family
PAIRS, PAIRS_TWO = "pairs", "pairs with 2+ held sessions"
BOTH = "engagement" + OVERLAP  # pairs with both members in one slice value
REASON_PAIRS = ("hidden: pairs with both members in this group would follow from the mentor "
                "and mentee views")


def did_units(store: Store) -> pd.DataFrame:
    """People with a pulse score before and after each cohort, per arm (what DiD counts; arms as
    in :data:`data.ARMS_SQL`). The everyone-else comparison pool is counted once per pair of
    waves and then given to each cohort using them: at 200,000 employees joining it to every
    cohort first would mean millions of rows."""
    sql = f"""
        with waves as ({WAVES_SQL}),
        answered as (
            select w.before_administration_id as wb, w.after_administration_id as wa,
                   b.employee_id, b.construct
            from (select distinct before_administration_id, after_administration_id
                  from waves) w
            join construct_scores b on b.administration_id = w.before_administration_id
            join construct_scores f
              on f.administration_id = w.after_administration_id
             and f.employee_id = b.employee_id and f.construct = b.construct
            where b.score is not null and f.score is not null
        ),
        pool as (
            select x.wb, x.wa, x.construct, e.generation, e.department, e.level,
                   count(*) as people
            from answered x join employees e using (employee_id)
            where x.employee_id not in (select employee_id from participants)
            group by all
        ),
        listed as (
            select p.cohort_id, p.role, x.construct, e.generation, e.department, e.level,
                   count(*) as people
            from participants p
            join waves w using (cohort_id)
            join answered x on x.wb = w.before_administration_id
             and x.wa = w.after_administration_id and x.employee_id = p.employee_id
            join employees e on e.employee_id = p.employee_id
            where p.role in ('mentor', 'mentee', 'comparison')
            group by all
        )
        select case when role = 'comparison' then 'did{COMPARISON}' else 'did' end as metric,
               construct as outcome, cohort_id as cohort, role, generation, department, level,
               people
        from listed
        union all
        select 'did{COMPARISON}', x.construct, w.cohort_id, 'comparison', x.generation,
               x.department, x.level, x.people
        from pool x
        join waves w on x.wb = w.before_administration_id and x.wa = w.after_administration_id
        where w.cohort_id not in (select cohort_id from participants where role = 'comparison')
    """  # noqa: S608 - fixed SQL fragments only
    return store.query(sql)[COLUMNS]


def did_arms(row: Mapping[str, Any], _sliced: bool) -> list[Arm]:
    outcome = str(row["outcome"])
    return [Arm("did", outcome, "n_treated"),
            Arm(f"did{COMPARISON}", outcome, "n_comparison", roles=(ALL,))]


def retention_units(store: Store) -> pd.DataFrame:
    """Everyone in a cohort's retention population, per arm
    (:func:`survival_queries.retention_counts`). The everyone-else comparison pool is counted once
    per start date, then given to each cohort starting then (as in :func:`did_units`)."""
    sql = f"""
        with snap as (select cast($as_of as date) as d),
        explicit as (select distinct cohort_id from participants where role = 'comparison'),
        listed as (
            select p.cohort_id, p.role, e.generation, e.department, e.level, count(*) as people
            from participants p
            join cohorts c using (cohort_id)
            join employees e using (employee_id)
            cross join snap
            where p.role in ('mentor', 'mentee', 'comparison') and {survival_queries._AT_START_SQL}
            group by all
        ),
        starts as (select distinct start_date from cohorts),
        pool as (
            select c.start_date, e.generation, e.department, e.level, count(*) as people
            from employees e
            cross join starts c
            cross join snap
            where e.employee_id not in (select employee_id from participants)
              and {survival_queries._AT_START_SQL}
            group by all
        )
        select case when role = 'comparison' then 'retention{COMPARISON}' else 'retention' end
                   as metric,
               'retention' as outcome, cohort_id as cohort, role, generation, department,
               level, people
        from listed
        union all
        select 'retention{COMPARISON}', 'retention', c.cohort_id, 'comparison', x.generation,
               x.department, x.level, x.people
        from pool x
        join cohorts c on c.start_date = x.start_date
        where c.cohort_id not in (select cohort_id from explicit)
    """  # noqa: S608 - fixed SQL fragments only
    return store.query(sql, {"as_of": survival_queries.roster_as_of(store).date()})[COLUMNS]


def retention_arms(row: Mapping[str, Any], _sliced: bool) -> list[Arm]:
    """retention_12m: one arm per row (the comparison row is the comparison arm); the other
    retention metrics and roi: both arms."""
    comparison = Arm(f"retention{COMPARISON}", "retention", "n", roles=(ALL,))
    if row["metric"] == "retention_12m":
        return [comparison] if row["role"] == "comparison" else [Arm("retention", "retention")]
    return [Arm("retention", "retention", "n_treated"),
            Arm(f"retention{COMPARISON}", "retention", "n_comparison", roles=(ALL,))]


def engagement_units(store: Store) -> pd.DataFrame:
    """Members of every pair, and of the pairs with two or more held sessions (cadence); and
    per slice value the pairs with both members in it (``engagement:both``, role = the slice:
    what the "all" view counts once although both members are in the cell)."""
    sql = f"""
        with two as (
            select cohort_id, pair_id from sessions where status = 'held'
            group by all having count(*) >= 2
        ),
        members as (
            select p.cohort_id, p.pair_id, p.role, e.generation, e.department, e.level
            from participants p join employees e using (employee_id)
            where p.role in ('mentor', 'mentee') and p.pair_id is not null
        ),
        both_members as (
            select a.cohort_id, a.pair_id, a.generation, a.department, a.level,
                   a.generation = b.generation as generation_alike,
                   a.department = b.department as department_alike,
                   a.level = b.level as level_alike
            from members a join members b using (cohort_id, pair_id)
            where a.role = 'mentor' and b.role = 'mentee'
        ),
        counted as (
            select '{PAIRS}' as outcome, * from both_members
            union all
            select '{PAIRS_TWO}', x.* from both_members x join two using (cohort_id, pair_id)
        )
        select 'engagement' as metric, '{PAIRS}' as outcome, cohort_id as cohort, role,
               generation, department, level, count(*) as people
        from members group by all
        union all
        select 'engagement', '{PAIRS_TWO}', cohort_id, role, generation, department, level,
               count(*)
        from members join two using (cohort_id, pair_id) group by all
        union all
        select '{BOTH}', outcome, cohort_id, 'generation', generation, null, null, count(*)
        from counted where generation_alike group by all
        union all
        select '{BOTH}', outcome, cohort_id, 'department', null, department, null, count(*)
        from counted where department_alike group by all
        union all
        select '{BOTH}', outcome, cohort_id, 'level', null, null, level, count(*)
        from counted where level_alike group by all
    """  # noqa: S608 - fixed labels only
    return store.query(sql)[COLUMNS]


def engagement_arms(row: Mapping[str, Any], sliced: bool) -> list[Arm]:
    """Mentor / mentee views: that member's group. The "all" view: the mentor's group without
    a slice (one per pair), else the mentor and mentee groups added up (see the module)."""
    roles = None if row["role"] != ALL else (("mentor", "mentee") if sliced else ("mentor",))
    mismatch = REASON_PAIRS if sliced and roles else Arm.mismatch
    if row["metric"] == "cadence_days":
        return [Arm("engagement", PAIRS_TWO, "n", roles, mismatch),
                Arm("engagement", PAIRS, "n_pairs", roles, mismatch)]
    return [Arm("engagement", PAIRS, "n", roles, mismatch)]


def dose_units(store: Store) -> pd.DataFrame:
    """Pair members with a gain on their role's skill (:func:`engagement.dose_response_rows`)."""
    scores = data.paired_scores(store, Filters())
    scores = scores[(scores["construct"] == scores["role"].map(ROLE_SKILL))
                    & scores["before"].notna() & scores["after"].notna()]
    members = pair_queries.pair_members(store, Filters())[["cohort_id", "employee_id"]]
    people = scores.merge(members, on=["cohort_id", "employee_id"])
    return people.rename(columns={"cohort_id": "cohort"}).assign(
        metric="dose_response", outcome="skills", people=1)[COLUMNS]


def dose_arms(_row: Mapping[str, Any], _sliced: bool) -> list[Arm]:
    return [Arm("dose_response", "skills")]


def cronbach_units(store: Store) -> pd.DataFrame:
    """Complete respondents (every item of the construct the administration asked) per
    programme administration × multi-item construct (:func:`outcomes.cronbach_rows`), in one
    family per construct × phase (a cohort has one administration per phase; if it had two,
    the counts would not match and its rows would stay hidden); and each cohort's participants
    complete in its before and after pulse waves, in a family per construct × phase + '|pulse'
    (a wave serves several cohorts: its people are counted once for each, as the rows are)."""
    # Grouped by integers (rowids, construct numbers), named at the end: text keys over the
    # programme answers cost 0.8 s at 200,000 employees.
    sql = f"""
        with {item_queries.CONSTRUCT_NUMBERS_SQL},
        answers as (
            select a.rowid as adm, c.con, e.rowid as person, i.rowid as item,
                   any_value(r.value) as value
            from responses r
            join administrations a using (administration_id)
            join items i using (item_id)
            join constructs c on c.construct = i.construct
            join employees e using (employee_id)
            where a.kind = 'programme'
            group by all
        ),
        multi as (select con from answers group by all having count(distinct item) >= 2),
        asked as (select adm, con, count(distinct item) as items from answers group by all),
        complete as (
            select adm, con, person from answers join asked using (adm, con)
            group by all having count(value) = any_value(asked.items)
        )
        select 'cronbach_alpha' as metric, k.construct || '|' || a.phase as outcome,
               a.cohort_id as cohort, p.role, e.generation, e.department, e.level,
               count(*) as people
        from complete x
        join multi using (con)
        join constructs k using (con)
        join administrations a on a.rowid = x.adm
        join employees e on e.rowid = x.person
        left join participants p on p.cohort_id = a.cohort_id and p.employee_id = e.employee_id
        group by all
    """  # noqa: S608 - fixed SQL fragments only
    return pd.concat([store.query(sql)[COLUMNS], _pulse_cronbach_units(store)],
                     ignore_index=True)


def _pulse_cronbach_units(store: Store) -> pd.DataFrame:
    """Each cohort's participants complete in its before ('pre') and after ('post') pulse
    waves, per multi-item construct (the pulse rows of :func:`outcomes.cronbach_rows`)."""
    # Answered items deduplicated per wave and person before counting, and the waves' items
    # before joining ``items``: distinct counts over the joined answers took 1.2 s at 200,000
    # employees, this 0.8 s.
    sql = f"""
        with {item_queries.PULSE_TARGETS_SQL},
        answered as (  -- each target's participants' answered items, once each
            select distinct t.tgt, p.employee_id, p.role, r.item_id
            from targets t
            join participants p
              on p.cohort_id = t.cohort_id and p.role in ('mentor', 'mentee')
            join responses r
              on r.administration_id = t.administration_id and r.employee_id = p.employee_id
            where r.value is not null
        ),
        asked as (  -- the items each wave asked of anyone, per construct
            select d.administration_id, i.construct, count(*) as items
            from (select distinct administration_id, item_id from responses
                  where administration_id in (select administration_id from targets)) d
            join items i using (item_id)
            group by all
        ),
        counted as (
            select x.tgt, x.employee_id, x.role, i.construct, count(*) as answered
            from answered x join items i using (item_id)
            group by all
        )
        select 'cronbach_alpha' as metric, x.construct || '|' || t.phase || '|pulse' as outcome,
               t.cohort_id as cohort, x.role, e.generation, e.department, e.level,
               count(*) as people
        from counted x
        join targets t using (tgt)
        join asked q on q.administration_id = t.administration_id and q.construct = x.construct
        join employees e using (employee_id)
        where x.answered = q.items
          and x.construct in (select construct from asked group by all having max(items) >= 2)
        group by all
    """  # noqa: S608 - fixed SQL fragments only
    return store.query(sql)[COLUMNS]


def cronbach_arms(row: Mapping[str, Any], _sliced: bool) -> list[Arm]:
    pulse = "|pulse" if row.get("source") == "pulse" else ""
    return [Arm("cronbach_alpha", f"{row['outcome']}|{row['phase']}{pulse}")]
