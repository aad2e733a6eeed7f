"""Retention page: Kaplan–Meier curves per arm, at-risk counts, 12-month retention, hazard ratio."""

from __future__ import annotations

import importlib
import importlib.util

import numpy as np
import pandas as pd

from analysis.metrics import data, retention, survival_queries
from analysis.pages import common, engagement
from analysis.privacy import rules as privacy
from analysis.store.db import Store
from analysis.store.filters import Filters

RETENTION_METRICS = list(retention.RETENTION_METRICS)
AT_RISK_DAYS = (0, 90, 180, 270, 365, 540, 730)
KM_COLUMNS = ["arm", "time", "survival", "ci_low", "ci_high", "at_risk", "events"]
ARMS = {"participants": None, "comparison": "comparison"}  # arm -> its retention_12m role
REASON_NO_ROW = "hidden: no 12-month retention figure is shown for this group"


def metric_table(store: Store, filters: Filters) -> pd.DataFrame:
    names = [m for m in RETENTION_METRICS if common.available(m)]
    frame = common.overall(common.results(store, filters, names))
    if frame.empty:
        frame.attrs["empty_reason"] = ("Retention metrics are not available yet in this build."
                                       if not names else "No one matches these filters.")
        return frame
    # the cohort the curve and the at-risk table show: one scope for the whole page
    cohort, note = engagement.cohort_for(store, filters)
    frame = frame[frame["cohort"] == cohort].reset_index(drop=True)
    frame.attrs["scope"] = note
    return frame


def scope(store: Store, filters: Filters) -> str:
    """Which cohort the whole Retention page describes, in one sentence."""
    cohort, _note = engagement.cohort_for(store, filters)
    if cohort is None:
        return "No cohort has started yet."
    names = data.cohorts(store).set_index("cohort_id")["name"]
    name = str(names.get(cohort, cohort))
    chosen = "the cohort chosen in the filter bar" if filters.cohort else \
        "the latest cohort; choose another in the filter bar"
    return (f"Everything on this page describes {name} ({chosen}): retention is measured from "
            "each cohort's own start date, so cohorts are not pooled here.")


Decision = tuple[bool, float, str]  # shown, the row's n, why not


def arm_decisions(store: Store, filters: Filters, cohort: str, *,
                  min_group_size: int | None = None) -> dict[str, Decision]:
    """Whether each arm's curve and at-risk counts may be shown, the row's n, and why not:
    exactly when the same group's ``retention_12m`` row (its complementary-suppression
    decision, the one the 12-month difference and log-rank rows use) is shown."""
    frame = common.overall(common.results(store, filters, RETENTION_METRICS,
                                          min_group_size=min_group_size))
    out = {arm: (False, float("nan"), REASON_NO_ROW) for arm in ARMS}
    if frame.empty:
        return out
    rows = frame[(frame["metric"] == "retention_12m") & (frame["cohort"] == cohort)]
    for arm, role in ARMS.items():
        row = rows[rows["role"] == (role or filters.role or "all")]
        if len(row) == 1:
            hidden = bool(row["suppressed"].iloc[0])
            out[arm] = (not hidden, float(row["n"].iloc[0]),
                        str(row["suppressed_reason"].iloc[0]) if hidden else "")
    return out


def _hidden(decisions: dict[str, Decision], sizes: dict[str, float]) -> dict[str, str]:
    """Arms not to show: hidden rows, and shown rows counting other people than the display."""
    hidden = {arm: why for arm, (shown, _n, why) in decisions.items() if not shown}
    for arm, (shown, n, _why) in decisions.items():
        if shown and arm in sizes and sizes[arm] != n:
            hidden[arm] = privacy.REASON_UNCHECKED
    return hidden


def curves(store: Store, filters: Filters) -> pd.DataFrame:
    """Kaplan–Meier curve per arm (participants, comparison) with pointwise bands, one cohort,
    on a monthly grid; an arm whose 12-month retention row is hidden is left out, with why."""
    function = getattr(importlib.import_module("analysis.metrics.retention"), "km_monthly", None) \
        if importlib.util.find_spec("analysis.metrics.retention") else None
    cohort, note = engagement.cohort_for(store, filters)
    if function is None or cohort is None:
        frame = pd.DataFrame(columns=KM_COLUMNS)
        frame.attrs["empty_reason"] = "Kaplan–Meier curves are not available yet in this build."
        return frame
    frame = function(store, filters, cohort=cohort)
    sizes = frame.groupby("arm")["n"].first().to_dict() if not frame.empty else {}
    hidden = _hidden(arm_decisions(store, filters, cohort), sizes)
    frame = frame[~frame["arm"].isin(list(hidden))].reset_index(drop=True)
    frame.attrs["note"] = " ".join(p for p in (note, *[f"The {arm} curve is not shown ({why})."
                                                       for arm, why in hidden.items()]) if p)
    frame.attrs["hidden_arms"] = hidden
    if frame.empty:
        frame.attrs["empty_reason"] = "; ".join(f"{arm}: {why}" for arm, why in hidden.items()) \
            or "Fewer people than the minimum group size in both arms."
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
    size is hidden (NaN), so is every count of an arm whose curve is hidden
    (:func:`arm_decisions`).
    """
    k = privacy.resolve_min_group_size(min_group_size)
    columns = ["arm", *[str(d) for d in days]]
    cohort, note = engagement.cohort_for(store, filters)
    if cohort is None:
        out = pd.DataFrame(columns=columns)
        out.attrs["empty_reason"] = "No cohort has started yet."
        return out
    # the population counted per duration (a few thousand rows, shared with the curves)
    frame = survival_queries.retention_counts(store, filters, cohort=cohort)
    arms = {"participants": frame[frame["treat"] == 1], "comparison": frame[frame["treat"] == 0]}
    hidden = _hidden(arm_decisions(store, filters, cohort, min_group_size=k),
                     {arm: float(part["people"].sum()) for arm, part in arms.items()})
    rows = []
    for arm, part in arms.items():
        counts = at_risk_counts(part["duration"], days=days, people=part["people"])
        counts[(counts < k) | (arm in hidden)] = np.nan
        rows.append([arm, *counts])
    out = pd.DataFrame(rows, columns=columns)
    why = [f"The {arm} arm is not shown ({reason})." for arm, reason in hidden.items()]
    out.attrs["note"] = " ".join(p for p in (
        note, f"— : fewer than {k} people still at risk, or the arm's 12-month retention is "
              "hidden.", *why) if p)
    return out
