"""Data page: import history, data-quality findings, codebook, reliability."""

from __future__ import annotations

import pandas as pd

from analysis.pages import common
from analysis.store.db import Store
from analysis.store.filters import Filters


def import_history(store: Store) -> pd.DataFrame:
    return store.query("""
        select import_id, kind, file_name, format, rows_in, rows_accepted, rows_rejected,
               imported_at
        from imports order by imported_at desc, import_id desc
    """)


def codebook(store: Store) -> pd.DataFrame:
    frame = store.query("""
        select construct, item_id, text, scale_min, scale_max, reverse_coded
        from items order by construct, item_id
    """)
    frame.insert(1, "label", frame["construct"].map(common.label))
    return frame


def findings(store: Store) -> pd.DataFrame:
    """Counts of common data problems; each row says what it means and what to do."""
    checks = store.query("""
        select
          (select coalesce(sum(rows_rejected), 0) from imports) as rejected_rows,
          (select count(*) from employees where generation is null) as no_generation,
          (select count(*) from employees where department is null or level is null)
            as no_department_or_level,
          (select count(*) from participants p where p.role in ('mentor', 'mentee')
             and not exists (select 1 from employees e where e.employee_id = p.employee_id))
            as participants_not_in_roster,
          (select count(*) from sessions s where not exists (
             select 1 from participants p where p.cohort_id = s.cohort_id
               and p.pair_id = s.pair_id)) as sessions_unknown_pair,
          (select count(*) from construct_scores where items_answered < items_total)
            as partial_scores,
          (select count(*) from (
             select p.cohort_id, p.employee_id from participants p
             join administrations a on a.cohort_id = p.cohort_id and a.kind = 'programme'
             left join construct_scores s on s.administration_id = a.administration_id
               and s.employee_id = p.employee_id
             where p.role in ('mentor', 'mentee')
             group by all
             having count(distinct case when s.employee_id is not null then a.phase end) = 1))
            as only_one_wave
    """).iloc[0]
    explain = [
        ("rejected_rows", "Rows rejected at import",
         "Fix the rows named in the import report and import the file again."),
        ("no_generation", "Employees without a generation (no birth year)",
         "Add birth years to the roster export; they are left out of generation slices."),
        ("no_department_or_level", "Employees without department or level",
         "Complete the roster; they are left out of those slices."),
        ("participants_not_in_roster", "Programme participants missing from the roster",
         "Import a roster that includes them."),
        ("sessions_unknown_pair", "Sessions whose pair is not in the programme file",
         "Check the pair keys of the session export."),
        ("partial_scores", "Construct scores from partly answered surveys (half or more items)",
         "Informational: scores need at least half a construct's items."),
        ("only_one_wave", "Participants with a programme survey before or after, not both",
         "They are left out of paired before/after comparisons."),
    ]
    return pd.DataFrame([{"check": key, "finding": text, "count": int(checks[key]),
                          "action": action} for key, text, action in explain])


def reliability(store: Store, filters: Filters) -> pd.DataFrame:
    """Cronbach's alpha per construct and administration (when the build provides it)."""
    frame = common.results(store, filters, ["cronbach_alpha"])
    if frame.empty:
        frame.attrs["empty_reason"] = (
            "Reliability (Cronbach's alpha) is not available yet in this build."
            if not common.available("cronbach_alpha") else "No survey answers match these "
                                                            "filters.")
    return frame
