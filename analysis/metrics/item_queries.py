"""Reliability's SQL: construct scales, item answers and the sums behind Cronbach's alpha per
cell. No statistics happen here."""

from __future__ import annotations

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from analysis.cache import memo
from analysis.store.db import Store, quote_ident
from analysis.store.filters import Filters
from analysis.store.waves import WAVES_SQL


def construct_scales(store: Store) -> pd.DataFrame:
    """Scale range of each construct's items: construct, scale_min, scale_max, n_items."""
    return memo.remembered(store, ("construct_scales",), lambda: store.query(
        "select construct, min(scale_min) as scale_min, max(scale_max) as scale_max, "
        "count(*) as n_items from items group by construct order by construct"
    ))


# Item answers (r) with their administration (a), item (i), person (e) and, for participants,
# their role in that cohort (p); the value reverse-coded where the item says so.
_ANSWERS_FROM = """from responses r
            join administrations a using (administration_id)
            join items i using (item_id)
            join employees e using (employee_id)
            left join participants p
              on p.cohort_id = a.cohort_id and p.employee_id = r.employee_id"""
_REVERSED_VALUE = ("case when i.reverse_coded then i.scale_min + i.scale_max - r.value "
                   "else r.value end")


# Each construct's number (con), for grouping answers by integers; name constructs again at the
# end by joining ``constructs``.
CONSTRUCT_NUMBERS_SQL = """constructs as (
            select construct, row_number() over (order by construct) as con
            from (select distinct construct from items)
        )"""


# Each cohort's before (as 'pre') and after (as 'post') pulse wave, numbered (tgt): a wave
# serving several cohorts once for each.
PULSE_TARGETS_SQL = f"""waves as ({WAVES_SQL}),
        targets as (
            select row_number() over (order by cohort_id, phase) as tgt, *
            from (select cohort_id, before_administration_id as administration_id,
                         'pre' as phase from waves where before_administration_id is not null
                  union all
                  select cohort_id, after_administration_id, 'post' from waves
                  where after_administration_id is not null)
        )"""  # noqa: S608 - fixed SQL fragments only
# The answers (r) of each target's (t) cohort's participants (p) in its wave, with the item (i).
PULSE_ANSWERS_FROM = """from targets t
            join participants p
              on p.cohort_id = t.cohort_id and p.role in ('mentor', 'mentee')
            join responses r
              on r.administration_id = t.administration_id and r.employee_id = p.employee_id
            join items i using (item_id)"""
# The administrations whose alpha a cohort's rows report, numbered (tgt) for grouping: every
# programme survey (its rowid), or the cohort's pulse waves.
_ALPHA_TARGETS = {
    "programme": """targets as (
            select rowid as tgt, cohort_id, administration_id, phase from administrations
            where kind = 'programme'
        )""",
    "pulse": PULSE_TARGETS_SQL,
}
# The answers behind each target: a programme survey's every respondent (role null outside
# the cohort), a pulse wave's the cohort's participants only.
_ALPHA_ANSWERS_ALL = {
    "programme": f"""{_ANSWERS_FROM}
            join constructs c on c.construct = i.construct
            where a.kind = 'programme'""",
    "pulse": f"""{PULSE_ANSWERS_FROM}
            join employees e on e.employee_id = r.employee_id
            join constructs c on c.construct = i.construct""",
}


def alpha_moments(store: Store, filters: Filters, *, views: list[str],
                  by: str | None, source: str = "programme") -> pd.DataFrame:
    """What Cronbach's alpha needs per cell of the multi-item constructs of the programme
    surveys (``source`` 'programme') or of each cohort's before and after pulse waves ('pulse',
    the cohort's participants' answers), aggregated where the answers live (reverse-coded as
    :func:`item_answers`).

    A cell is cohort_id × construct × administration_id × phase × view (a role in ``views``;
    'all' takes every respondent) [× ``slice``, the ``by`` column, '' when not sliced]. Columns
    besides the cell: k (items anyone in the cell answered), n (people answering all k),
    item_var (sum of the items' ddof=1 variances over those people), total_var, hi, lo (ddof=1
    variance, largest and smallest of their totals); see
    :func:`analysis.stats.reliability.alpha_from_moments`.

    The answers behind every cell, with their person's filter columns, are read once per data
    version (:func:`alpha_answers`); a filter state then aggregates only its own rows of that
    table (at 200,000 employees a cohort's pulse cells took 0.15 s from the 17M answers, most
    of it finding the few thousand wanted). Cells and people are grouped by integers."""
    where, params = filters.people_where("x")
    sliced = by is not None and by != "role"
    column = f"x.{quote_ident(by)}" if by is not None and sliced else "''"
    cell = "adm, con, view_no, slice"
    sql = f"""
        with answers as (
            select x.adm, x.con, x.role, x.person, x.item, {column} as slice, x.value
            from base x
            where ($cohort is null or x.cohort_id = $cohort)
              and ($role is null or x.role = $role)
              and {where}
        ),
        multi as (
            select con from answers group by con having count(distinct item) >= 2
        ),
        stacked as (
            select x.*, list_position($views, v.view) as view_no from answers x
            join multi using (con)
            join (select unnest($views) as view) v on v.view = 'all' or v.view = x.role
            where x.slice is not null
        ),
        asked as (select {cell}, count(distinct item) as k from stacked group by all),
        people as (
            select {cell}, person, count(*) as answered, sum(value) as total
            from stacked group by all
        ),
        complete as (
            select p.* from people p join asked q using ({cell}) where p.answered = q.k
        ),
        items as (
            select {cell}, var_samp(s.value) as v
            from stacked s join complete c using ({cell}, person)
            group by {cell}, s.item
        ),
        totals as (
            select {cell}, count(*) as n, var_samp(total) as total_var, max(total) as hi,
                   min(total) as lo
            from complete group by all
        )
        select g.cohort_id, c.construct, g.administration_id, g.phase, $views[q.view_no] as view,
               q.slice, q.k, t.n, t.total_var, t.hi, t.lo, i.item_var
        from asked q
        join targets g on g.tgt = q.adm
        join constructs c using (con)
        left join totals t using ({cell})
        left join (select {cell}, sum(v) as item_var from items group by all) i using ({cell})
    """  # noqa: S608 - the slice column is quoted; values are bound
    base, targets, constructs = alpha_answers(store, source)
    return store.query(sql, {**params, "views": views},
                       tables={"base": base, "targets": targets, "constructs": constructs})


def alpha_answers(store: Store, source: str) -> tuple[pa.Table, pa.Table, pa.Table]:
    """Every answer behind the ``source``'s alpha cells, unfiltered: target (adm), construct
    (con) and item numbers, the respondent (person: the employee's rowid), role (null outside
    the cohort), reverse-coded value, the target's cohort and the person's generation,
    department and level; plus the targets and constructs, to name the cells. Kept while the
    data is unchanged."""
    adm = "a.rowid" if source == "programme" else "t.tgt"
    cohort = "a.cohort_id" if source == "programme" else "t.cohort_id"
    prelude = f"with {CONSTRUCT_NUMBERS_SQL}, {_ALPHA_TARGETS[source]}"

    def build() -> tuple[pa.Table, pa.Table, pa.Table]:
        answers = store.arrow(f"""
            {prelude}
            select ({adm})::integer as adm, c.con::integer as con, p.role,
                   e.rowid::integer as person, i.rowid::integer as item,
                   {_REVERSED_VALUE} as value, {cohort} as cohort_id,
                   e.generation, e.department, e.level
            {_ALPHA_ANSWERS_ALL[source]}
        """)
        targets = store.arrow(
            f"{prelude} select tgt, cohort_id, administration_id, phase from targets")  # noqa: S608
        constructs = store.arrow(
            f"with {CONSTRUCT_NUMBERS_SQL} select construct, con from constructs")  # noqa: S608
        # a few distinct texts per column: as dictionaries, a fifth of the memory
        for name in ("role", "cohort_id", "generation", "department", "level"):
            column = answers.schema.get_field_index(name)
            answers = answers.set_column(column, name,
                                         pc.dictionary_encode(answers.column(name)))
        return answers, targets, constructs

    return memo.kept(store, ("alpha_answers", source), build)


def item_answers(store: Store, filters: Filters, *, programme_only: bool = True) -> pd.DataFrame:
    """Item answers after reverse-coding, for reliability: one row per administration × person ×
    item. Columns: administration_id, cohort_id, phase, kind, employee_id, role (null for
    non-participants), generation, department, level, construct, item_id, value."""
    where, params = filters.people_where("e")
    sql = f"""
        select r.administration_id, a.cohort_id, a.phase, a.kind, r.employee_id, p.role,
               e.generation, e.department, e.level, i.construct, r.item_id,
               {_REVERSED_VALUE} as value
        {_ANSWERS_FROM}
        where (not $programme_only or a.kind = 'programme')
          and ($cohort is null or a.cohort_id = $cohort or a.kind = 'pulse')
          and ($role is null or p.role = $role)
          and {where}
        order by r.administration_id, i.construct, r.employee_id, r.item_id
    """
    return store.query(sql, {**params, "programme_only": programme_only})
