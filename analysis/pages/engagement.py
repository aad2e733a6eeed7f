"""Engagement page: sessions over time, engagement metrics, pair health, dose–response."""

from __future__ import annotations

import pandas as pd

from analysis.metrics import data
from analysis.metrics import registry as metrics
from analysis.pages import common, dose_bands, pair_health, session_months
from analysis.privacy import rules as privacy
from analysis.store.db import Store
from analysis.store.filters import Filters

ENGAGEMENT_METRICS = ["sessions_held", "minutes_per_pair", "median_sessions_per_pair",
                      "share_pairs_3plus", "cadence_days", "cancellation_rate", "stalled_pairs",
                      "dose_response"]


def sessions_over_time(store: Store, filters: Filters) -> pd.DataFrame:
    """Sessions per month and status for the pairs in view (a cohort, or every cohort).

    Columns: month, status, sessions, suppressed, suppressed_reason, pairs (the published pair
    count of the view, the chart's n). Cells are decided on the pairs behind them
    (:mod:`analysis.pages.session_months`); the chart needs the view's pair count shown and is not
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
    (:mod:`analysis.pages.dose_bands`)."""
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


def scope(store: Store, filters: Filters) -> str:
    """Whom the whole Engagement page describes, in one sentence."""
    return common.scope_sentence(store, filters, per_cohort=(
        "Pair health is judged within each cohort's own dates, so its table lists each "
        "cohort; together they are the pairs counted above."))


def stalled_headline(store: Store, filters: Filters) -> str:
    """'N of M pairs stalled' for the view, from its published ``stalled_pairs`` row (the share
    of the table above, as a count); the privacy reason when that row is hidden."""
    rows = common.overall(common.results(store, filters, ["stalled_pairs"]))
    if rows.empty:
        return "Stalled pairs: no pairs match these filters"
    rows = rows[(rows["cohort"] == common.cohort_in_view(rows, filters))
                & (rows["role"] == (filters.role or "all"))]
    if len(rows) != 1 or bool(rows["suppressed"].iloc[0]) or pd.isna(rows["n"].iloc[0]):
        return "Stalled pairs: hidden (privacy minimum)"
    n = int(rows["n"].iloc[0])
    return f"{round(float(rows['estimate'].iloc[0]) * n)} of {n} pairs stalled"


def pairs(store: Store, filters: Filters) -> pd.DataFrame:
    """Pair health of the view: pairs per cohort and health status (stalled first), for the
    cohort chosen or, with none, every cohort listed (a status is judged within its cohort's
    dates, so cohorts are not pooled). ``attrs``: ``stalled`` (:func:`stalled_headline`) and
    ``names`` (cohort id -> name)."""
    names = common.cohort_names(store)
    if not names:
        return common.empty(pair_health.COLUMNS, "No cohort has started yet.")
    frame = pair_health.pair_health(store, filters, cohort=filters.cohort)
    frame.attrs["stalled"] = stalled_headline(store, filters)
    frame.attrs["names"] = names
    if frame.empty:
        frame.attrs["empty_reason"] = "No pairs match these filters."
    return frame
