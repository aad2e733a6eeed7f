"""Engagement page: sessions over time, engagement metrics, pair health, dose–response."""

from __future__ import annotations

import pandas as pd

from analysis import data, dose_bands, metrics, pair_health, privacy, session_months
from analysis.filters import Filters
from analysis.pages import common
from analysis.store import Store

ENGAGEMENT_METRICS = ["sessions_held", "minutes_per_pair", "median_sessions_per_pair",
                      "share_pairs_3plus", "cadence_days", "cancellation_rate", "stalled_pairs",
                      "dose_response"]


def sessions_over_time(store: Store, filters: Filters) -> pd.DataFrame:
    """Sessions per month and status for the pairs in view (a cohort, or every cohort).

    Columns: month, status, sessions, suppressed, suppressed_reason, pairs (the published pair
    count of the view, the chart's n). Cells are decided on the pairs behind them
    (:mod:`analysis.session_months`); the chart needs the view's pair count shown and is not
    offered under a slice filter (the reason in ``attrs["empty_reason"]``)."""
    columns = [*session_months.COLUMNS, "pairs"]
    if any(getattr(filters, d) for d in privacy.SLICES):
        return common.empty(columns, session_months.REASON_SLICE)
    row = _pairs_row(store, filters)
    if len(row) != 1:
        return common.empty(columns, "No mentoring sessions match these filters.")
    if bool(row["suppressed"].iloc[0]):
        return common.empty(columns, f"Sessions hidden: {row['suppressed_reason'].iloc[0]}.")
    cohort = str(row["cohort"].iloc[0])
    frame = session_months.chart(store, cohort=None if cohort == metrics.ALL_COHORTS else cohort)
    if frame.empty:
        return common.empty(columns, "No mentoring sessions match these filters.")
    return frame.assign(pairs=int(row["n"].iloc[0]))[columns]


def _pairs_row(store: Store, filters: Filters, cohort: str | None = None) -> pd.DataFrame:
    """The view's published ``sessions_held`` row (its n is the view's pair count) for
    ``cohort`` (default: the cohort in view), from the rows the metric table shows; 0 or 1."""
    names = [m for m in ENGAGEMENT_METRICS if common.available(m)]  # metric_table's rows
    rows = common.overall(common.results(store, filters, names))
    if rows.empty:
        return rows
    cohort = cohort or common.cohort_in_view(rows, filters)
    return rows[(rows["metric"] == "sessions_held") & (rows["cohort"] == cohort)
                & (rows["role"] == (filters.role or "all"))]


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


def dose_response(store: Store, filters: Filters, *,
                  min_group_size: int | None = None) -> pd.DataFrame:
    """Mean gain on the person's role's skill (mentees: digital, mentors: leadership) by how
    many sessions their pair held (buckets), the people of the ``dose_response`` row.

    Columns: bucket, order, n, mean_change, suppressed, suppressed_reason, outcome.
    Descriptive (no test); each bucket is protected like a cell of that row's breakdown
    (:mod:`analysis.dose_bands`)."""
    out = dose_bands.buckets(store, filters, min_group_size=min_group_size)
    if out.empty:
        out.attrs["empty_reason"] = "No one with answers before and after matches these filters."
    return out


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
        return common.empty(pair_health.COLUMNS, "No cohort has started yet.")
    frame = pair_health.pair_health(store, filters, cohort=cohort)
    total = _pairs_row(store, filters, cohort)
    shown = len(total) == 1 and not bool(total["suppressed"].iloc[0])
    frame.attrs["pairs"] = int(total["n"].iloc[0]) if shown else None
    frame.attrs["note"] = note
    if frame.empty:
        frame.attrs["empty_reason"] = "No pairs match these filters."
    return frame
