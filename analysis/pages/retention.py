"""Retention page: Kaplan–Meier curves per arm, at-risk counts, 12-month retention, hazard ratio."""

from __future__ import annotations

import importlib
import importlib.util

import numpy as np
import pandas as pd

from analysis import data, privacy
from analysis.filters import Filters
from analysis.pages import common, engagement
from analysis.store import Store

RETENTION_METRICS = ["retention_12m", "retention_diff_12m", "logrank", "cox_hr"]
AT_RISK_DAYS = (0, 90, 180, 270, 365, 540, 730)
KM_COLUMNS = ["arm", "time", "survival", "ci_low", "ci_high", "at_risk", "events"]


def metric_table(store: Store, filters: Filters) -> pd.DataFrame:
    names = [m for m in RETENTION_METRICS if common.available(m)]
    frame = common.overall(common.results(store, filters, names))
    if frame.empty:
        frame.attrs["empty_reason"] = ("Retention metrics are not available yet in this build."
                                       if not names else "No one matches these filters.")
        return frame
    return frame[frame["cohort"] == common.cohort_in_view(frame, filters)].reset_index(drop=True)


def curves(store: Store, filters: Filters) -> pd.DataFrame:
    """Kaplan–Meier curve per arm (participants, comparison) with pointwise bands, one cohort."""
    function = getattr(importlib.import_module("analysis.retention"), "km_curves", None) \
        if importlib.util.find_spec("analysis.retention") else None
    cohort, note = engagement.cohort_for(store, filters)
    if function is None or cohort is None:
        frame = pd.DataFrame(columns=KM_COLUMNS)
        frame.attrs["empty_reason"] = "Kaplan–Meier curves are not available yet in this build."
        return frame
    frame = function(store, filters, cohort=cohort)
    frame.attrs["note"] = note
    if frame.empty:
        frame.attrs["empty_reason"] = "Fewer people than the minimum group size in both arms."
    return frame


def at_risk_counts(durations: object, *, days: tuple[int, ...] = AT_RISK_DAYS,
                   people: object | None = None) -> np.ndarray:
    """How many people are still at risk on each day: followed up to at least that day
    (neither exited nor censored before it), i.e. ``#{duration >= day}``. ``people``: how many
    people each duration stands for (counted rows; one each when None)."""
    d = np.asarray(durations, dtype=float)
    weight = np.ones(d.size) if people is None else np.asarray(people, dtype=float)
    order = np.argsort(d, kind="stable")
    d, later = d[order], np.concatenate([np.cumsum(weight[order][::-1])[::-1], [0.0]])
    return later[np.searchsorted(d, np.asarray(days, dtype=float), side="left")]


def at_risk_table(store: Store, filters: Filters, *, min_group_size: int | None = None,
                  days: tuple[int, ...] = AT_RISK_DAYS) -> pd.DataFrame:
    """People at risk per arm on fixed days, for the cohort the Kaplan–Meier chart shows.

    Counted from the retention population itself (not read off the curve's event steps, which
    miss people censored between a tick and the next event). A count below the minimum group
    size is hidden (NaN), so is every count of an arm smaller than that.
    """
    k = privacy.resolve_min_group_size(min_group_size)
    columns = ["arm", *[str(d) for d in days]]
    cohort, note = engagement.cohort_for(store, filters)
    if cohort is None:
        out = pd.DataFrame(columns=columns)
        out.attrs["empty_reason"] = "No cohort has started yet."
        return out
    # the population counted per duration (a few thousand rows, shared with the curves)
    frame = data.retention_counts(store, filters, cohort=cohort)
    rows = []
    for treat, arm in ((1, "participants"), (0, "comparison")):
        arm_rows = frame[frame["treat"] == treat]
        counts = at_risk_counts(arm_rows["duration"], days=days, people=arm_rows["people"])
        counts[counts < k] = np.nan
        rows.append([arm, *counts])
    out = pd.DataFrame(rows, columns=columns)
    out.attrs["note"] = " ".join(p for p in (
        note, f"— : fewer than {k} people still at risk (hidden).") if p)
    return out
