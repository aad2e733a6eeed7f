"""Which org-wide (pulse) survey is each cohort's *before* and *after* (DESIGN.md, "Domain model").

Rule: *before* is the latest pulse administration that closed on or before the cohort's start
date; *after* is the earliest one that opened on or after the cohort's end date. A row in
``wave_overrides`` wins, field by field (a null override field falls back to the rule).
"""

from __future__ import annotations

import pandas as pd

from analysis.store.db import Store

WAVES_SQL = """
        with ruled as (
            select c.cohort_id,
                   (select arg_max(a.administration_id, a.closed) from administrations a
                     where a.kind = 'pulse' and cast(a.closed as date) <= c.start_date)
                       as before_rule,
                   (select arg_min(a.administration_id, a.opened) from administrations a
                     where a.kind = 'pulse' and cast(a.opened as date) >= c.end_date)
                       as after_rule
            from cohorts c
        )
        select r.cohort_id,
               coalesce(o.before_administration_id, r.before_rule) as before_administration_id,
               coalesce(o.after_administration_id, r.after_rule) as after_administration_id,
               case when o.before_administration_id is not null then 'override'
                    when r.before_rule is not null then 'rule' else 'none' end as before_source,
               case when o.after_administration_id is not null then 'override'
                    when r.after_rule is not null then 'rule' else 'none' end as after_source
        from ruled r
        left join wave_overrides o using (cohort_id)
"""

WAVE_COLUMNS = ["cohort_id", "before_administration_id", "after_administration_id",
                "before_source", "after_source"]


def resolve_waves(store: Store) -> pd.DataFrame:
    """One row per cohort: the before/after pulse administration ids (null when none fits) and
    where each came from (``rule``, ``override`` or ``none``)."""
    return store.query(WAVES_SQL + " order by cohort_id")


def set_wave_override(store: Store, cohort_id: str, *, before: str | None = None,
                      after: str | None = None) -> None:
    """Pin a cohort's before and/or after pulse administration (``None`` = use the rule)."""
    if store.scalar("select count(*) from cohorts where cohort_id = ?", [cohort_id]) == 0:
        raise ValueError(f"no cohort {cohort_id!r}")
    for label, admin in (("before", before), ("after", after)):
        if admin is not None and store.scalar(
                "select count(*) from administrations where administration_id = ? "
                "and kind = 'pulse'", [admin]) == 0:
            raise ValueError(f"{label}: {admin!r} is not a pulse survey administration")
    with store.transaction() as con:
        con.execute("delete from wave_overrides where cohort_id = ?", [cohort_id])
        if before is not None or after is not None:
            con.execute("insert into wave_overrides values (?, ?, ?)", [cohort_id, before, after])
