"""Engagement page: sessions over time, engagement metrics, pair health, dose–response."""

from __future__ import annotations

import pandas as pd

from analysis import data, pair_health, privacy
from analysis.filters import Filters
from analysis.pages import common
from analysis.store import Store

ENGAGEMENT_METRICS = ["sessions_held", "minutes_per_pair", "median_sessions_per_pair",
                      "share_pairs_3plus", "cadence_days", "cancellation_rate", "stalled_pairs",
                      "dose_response"]
DOSE_BUCKETS = [(0, 2, "0–2"), (3, 5, "3–5"), (6, 8, "6–8"), (9, 10_000, "9+")]

_PAIRS_SQL = """
    select distinct p.cohort_id, p.pair_id
    from participants p join employees e using (employee_id)
    where p.role in ('mentor', 'mentee') and p.pair_id is not null
      and ($cohort is null or p.cohort_id = $cohort)
      and ($role is null or p.role = $role)
      and {where}
"""


def sessions_over_time(store: Store, filters: Filters) -> pd.DataFrame:
    """Sessions per month and status for the pairs in view.

    Columns: month, status, sessions, pairs (pairs in view, the chart's n).
    """
    where, params = filters.people_where("e")
    sql = f"""
        with pairs as ({_PAIRS_SQL.format(where=where)})
        select date_trunc('month', s.date) as month, s.status, count(*) as sessions,
               (select count(*) from pairs) as pairs
        from sessions s join pairs using (cohort_id, pair_id)
        group by all order by 1, 2
    """  # noqa: S608 - ``where`` holds only placeholders; values are bound
    frame = store.query(sql, params)
    k = privacy.resolve_min_group_size()
    if frame.empty or int(frame["pairs"].iloc[0]) * 2 < k:
        frame = frame.iloc[0:0]
        frame.attrs["empty_reason"] = "No mentoring sessions match these filters."
    return frame


def metric_table(store: Store, filters: Filters) -> pd.DataFrame:
    """Whole-group engagement metric rows for the cohort in view (those the build provides)."""
    names = [m for m in ENGAGEMENT_METRICS if common.available(m)]
    frame = common.overall(common.results(store, filters, names))
    if frame.empty:
        frame.attrs["empty_reason"] = ("Engagement metrics are not available yet in this build."
                                       if not names else "No pairs match these filters.")
        return frame
    frame = frame[frame["cohort"] == common.cohort_in_view(frame, filters)]
    return frame.reset_index(drop=True)


def dose_response(store: Store, filters: Filters, *, outcome: str = "skills.digital",
                  min_group_size: int | None = None) -> pd.DataFrame:
    """Mean change of ``outcome`` by how many sessions the person's pair held (binned).

    Columns: bucket, order, n, mean_change, suppressed, outcome. Descriptive (no test); people in
    buckets smaller than the minimum group size are hidden.
    """
    k = privacy.resolve_min_group_size(min_group_size)
    scores = data.paired_scores(store, filters, construct=outcome).dropna(
        subset=["before", "after"])
    held = store.query("""
        select p.cohort_id, p.employee_id,
               count(s.session_id) filter (where s.status = 'held') as sessions_held
        from participants p
        left join sessions s on s.cohort_id = p.cohort_id and s.pair_id = p.pair_id
        where p.role in ('mentor', 'mentee')
        group by all
    """)
    frame = scores.merge(held, on=["cohort_id", "employee_id"])
    columns = ["bucket", "order", "n", "mean_change", "suppressed", "outcome"]
    if frame.empty:
        out = pd.DataFrame(columns=columns)
        out.attrs["empty_reason"] = "No one with answers before and after matches these filters."
        return out
    bounds = pd.DataFrame(DOSE_BUCKETS, columns=["lo", "hi", "bucket"])
    frame["order"] = pd.cut(frame["sessions_held"], bins=[-1, *bounds["hi"]], labels=False)
    frame["change"] = frame["after"] - frame["before"]
    out = frame.groupby("order", as_index=False).agg(n=("change", "size"),
                                                     mean_change=("change", "mean"))
    out["bucket"] = bounds["bucket"].to_numpy()[out["order"].astype(int)]
    out["suppressed"] = out["n"] < k
    out["mean_change"] = out["mean_change"].where(~out["suppressed"])
    out["n"] = out["n"].astype(float).where(~out["suppressed"])
    out["outcome"] = outcome
    return out[columns]


def cohort_for(store: Store, filters: Filters) -> tuple[str | None, str]:
    """The cohort a per-cohort view shows: the filtered one, else the latest that has started."""
    if filters.cohort:
        return filters.cohort, ""
    cohorts = data.cohorts(store)
    if cohorts.empty:
        return None, ""
    latest = cohorts.iloc[-1]
    return str(latest["cohort_id"]), (f"Showing {latest['name']} ({latest['cohort_id']}); choose "
                                      "a cohort in the filter bar to see another.")


def pairs(store: Store, filters: Filters) -> pd.DataFrame:
    """Pair health of the cohort in view: pairs per health status (stalled first), with the
    cohort's published pair count in ``attrs["pairs"]`` (None when that row is hidden)."""
    cohort, note = cohort_for(store, filters)
    if cohort is None:
        frame = pd.DataFrame(columns=pair_health.COLUMNS)
        frame.attrs["empty_reason"] = "No cohort has started yet."
        return frame
    frame = pair_health.pair_health(store, filters, cohort=cohort)
    names = [m for m in ENGAGEMENT_METRICS if common.available(m)]  # metric_table's rows
    total = common.overall(common.results(store, filters, names))
    if not total.empty:
        total = total[(total["metric"] == "sessions_held") & (total["cohort"] == cohort)
                      & (total["role"] == (filters.role or "all"))]
    shown = len(total) == 1 and not bool(total["suppressed"].iloc[0])
    frame.attrs["pairs"] = int(total["n"].iloc[0]) if shown else None
    frame.attrs["note"] = note
    if frame.empty:
        frame.attrs["empty_reason"] = "No pairs match these filters."
    return frame
