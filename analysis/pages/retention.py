"""Retention page: Kaplan–Meier curves per arm, at-risk counts, 12-month retention, hazard ratio."""

from __future__ import annotations

import importlib
import importlib.util

import pandas as pd

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


def at_risk(curves_frame: pd.DataFrame, *, days: tuple[int, ...] = AT_RISK_DAYS) -> pd.DataFrame:
    """People at risk at fixed days per arm: the count at the first curve step on or after each
    day (people censored in between are already out). Blank past the end of the curve."""
    if curves_frame.empty:
        return pd.DataFrame(columns=["arm", *[str(d) for d in days]])
    # merge_asof needs one dtype on both keys; curve times may be float days.
    grid = pd.DataFrame({"day": [float(d) for d in days]})
    rows = []
    for arm, part in curves_frame.groupby("arm", sort=False):
        steps_of = part.astype({"time": float}).sort_values("time")[["time", "at_risk"]]
        steps = pd.merge_asof(grid, steps_of,
                              left_on="day", right_on="time", direction="forward")
        rows.append(pd.Series(steps["at_risk"].to_numpy(), index=[str(d) for d in days],
                              name=arm))
    return pd.DataFrame(rows).rename_axis("arm").reset_index()


def at_risk_table(store: Store, filters: Filters) -> pd.DataFrame:
    """The at-risk counts under the Kaplan–Meier chart (the curves' cohort in ``attrs``)."""
    frame = curves(store, filters)
    out = at_risk(frame)
    out.attrs.update(frame.attrs)
    return out
