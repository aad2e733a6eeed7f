"""Retention of participants against the comparison group, and the ROI it implies.

Population and censoring: :func:`analysis.data.retention_population`. Statistics:
:mod:`analysis.stats.survival` and :func:`analysis.stats.roi.roi_range`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from analysis import data, privacy
from analysis.filters import Filters
from analysis.slicing import concat, label, role_groups, slices
from analysis.stats.roi import DEFAULT_REPLACEMENT_SHARES, roi_range
from analysis.stats.survival import (
    cox_hazard_ratio,
    kaplan_meier,
    logrank,
    survival_at,
    survival_difference_at,
)
from analysis.store import Store

HORIZON_DAYS = 365


def _cells(store: Store, filters: Filters, by: str | None):
    """(cohort, treated role, slice, frame of both arms) for every retention cell."""
    frame = data.retention_population(store, filters)
    for cohort, part in frame.groupby("cohort_id", sort=True):
        comparison = part[part["treat"] == 0]
        for role, treated in role_groups(part[part["treat"] == 1], filters, by):
            both = pd.concat([treated, comparison], ignore_index=True)
            for group, cell in slices(both, by):
                yield cohort, role, group, cell


def _arm(cell: pd.DataFrame, treat: int) -> pd.DataFrame:
    return cell[cell["treat"] == treat]


def retention_rows(store: Store, filters: Filters, by: str | None, *,
                   covariates: Sequence[str] = ()) -> pd.DataFrame:
    """``retention_12m`` per arm, ``retention_diff_12m``, ``logrank`` and ``cox_hr`` rows."""
    names = data.cohorts(store).set_index("cohort_id")["name"].to_dict()
    rows = []
    shown: set[str] = set()  # the comparison arm's row once per cohort × slice
    for cohort, role, group, cell in _cells(store, filters, by):
        treated, comparison = _arm(cell, 1), _arm(cell, 0)
        counts = {"n_treated": len(treated), "n_comparison": len(comparison)}
        tag = {"outcome": "retention", "cohort": cohort, "names": names, "group": group}
        arms = [(role, treated)]
        if (key := f"{cohort}|{sorted(group.items())}") not in shown:
            shown.add(key)
            arms.append(("comparison", comparison))
        for arm_role, arm in arms:
            rows.append(label(survival_at(arm["duration"], arm["event"], t=HORIZON_DAYS),
                              metric="retention_12m", role=arm_role, **tag))
        diff = survival_difference_at(treated["duration"], treated["event"],
                                      comparison["duration"], comparison["event"],
                                      t=HORIZON_DAYS)
        rows.append(label(diff, metric="retention_diff_12m", role=role, **tag))
        test = logrank(cell["duration"], cell["event"], cell["treat"]).assign(**counts)
        rows.append(label(test, metric="logrank", role=role, **tag))
        used = [c for c in covariates if cell[c].nunique(dropna=True) > 1]
        cox = cox_hazard_ratio(cell, duration="duration", event="event", treat="treat",
                               covariates=used).assign(**counts)
        rows.append(label(cox, metric="cox_hr", role=role, **tag))
    return concat(rows)


def roi_rows(store: Store, filters: Filters, by: str | None, *,
             replacement_shares: Mapping[str, float] = DEFAULT_REPLACEMENT_SHARES
             ) -> pd.DataFrame:
    """ROI scenarios (low / base / high replacement cost) per cohort × role (× slice).

    Avoided exits = 12-month retention difference × participants (with its CI); value at
    the participants' mean salary; the cohort's cost is shared pro rata when only part of the
    cohort is in view (a role or slice). ``estimate`` is the net value, ``ci_low``/``ci_high``
    its range over the retention CI; inputs are in their own columns.
    """
    names = data.cohorts(store).set_index("cohort_id")["name"].to_dict()
    costs = data.cohorts(store).set_index("cohort_id")["cost"].to_dict()
    everyone = data.retention_population(store, Filters())
    cohort_size = everyone[everyone["treat"] == 1].groupby("cohort_id").size().to_dict()
    rows = []
    for cohort, role, group, cell in _cells(store, filters, by):
        treated, comparison = _arm(cell, 1), _arm(cell, 0)
        diff = survival_difference_at(treated["duration"], treated["event"],
                                      comparison["duration"], comparison["event"],
                                      t=HORIZON_DAYS).iloc[0]
        cost = costs.get(cohort)
        share = len(treated) / cohort_size.get(cohort, len(treated) or 1)
        cost_in_view = None if cost is None or pd.isna(cost) else float(cost) * share
        salary = float(treated["salary"].mean()) if treated["salary"].notna().any() else np.nan
        table = roi_range(
            retention_diff=diff["estimate"], retention_diff_ci_low=diff["ci_low"],
            retention_diff_ci_high=diff["ci_high"], participants=len(treated),
            mean_salary=0.0 if np.isnan(salary) else salary, programme_cost=cost_in_view,
            replacement_shares=replacement_shares)
        # One row: the base scenario's net value, ranging over every scenario × retention CI end.
        base = table[table["scenario"] == "base"] if (table["scenario"] == "base").any() \
            else table.iloc[[len(table) // 2]]
        ends = table[["net", "net_low", "net_high"]].to_numpy(dtype=float)
        finite = ends[np.isfinite(ends)]
        result = pd.DataFrame({
            "n": [len(treated)], "estimate": [float(base["net"].iloc[0])],
            "ci_low": [finite.min() if finite.size else np.nan],
            "ci_high": [finite.max() if finite.size else np.nan],
            "p_value": [np.nan], "p_adjusted": [np.nan], "effect_size": [np.nan],
            "method": [("avoided voluntary exits (12-month retention difference × participants, "
                        "with its 95% CI) × replacement share × mean salary − programme cost; "
                        "estimate: base scenario; range: every scenario × CI end")],
        })
        for rec in table.to_dict("records"):
            for key in ("replacement_share", "value", "net", "net_low", "net_high", "roi"):
                result[f"{key}_{rec['scenario']}"] = rec[key]
        result = result.assign(
            avoided_exits=float(table["avoided_exits"].iloc[0]),
            avoided_exits_low=float(table["avoided_exits_low"].iloc[0]),
            avoided_exits_high=float(table["avoided_exits_high"].iloc[0]),
            programme_cost=float(table["programme_cost"].iloc[0]),
            n_treated=len(treated), n_comparison=len(comparison), mean_salary=salary,
            retention_diff=diff["estimate"], retention_diff_ci_low=diff["ci_low"],
            retention_diff_ci_high=diff["ci_high"], cost_share=share)
        if np.isnan(salary):
            result[["estimate", "ci_low", "ci_high"]] = np.nan
        rows.append(label(result, outcome="roi", metric="roi", cohort=cohort, names=names,
                          role=role, group=group))
    return concat(rows)


def km_curves(store: Store, filters: Filters, *, cohort: str,
              min_group_size: int | None = None) -> pd.DataFrame:
    """Kaplan–Meier curves with log-log bands and at-risk counts, one per arm, for the dashboard.

    Columns: arm (participants / comparison), time, survival, ci_low, ci_high, at_risk,
    events, n. An arm with fewer people than the minimum group size is left out; each curve
    stops where fewer than that many people remain at risk (so no step describes a tiny group).
    """
    k = privacy.resolve_min_group_size(min_group_size)
    frame = data.retention_population(store, filters)
    frame = frame[frame["cohort_id"] == cohort]
    curves = []
    for treat, arm in ((1, "participants"), (0, "comparison")):
        part = frame[frame["treat"] == treat]
        if len(part) < k:
            continue
        curve = kaplan_meier(part["duration"], part["event"])
        curve = curve[curve["at_risk"] >= k]
        curves.append(curve.assign(arm=arm, n=len(part)))
    if not curves:
        return pd.DataFrame(columns=["arm", "time", "survival", "ci_low", "ci_high", "at_risk",
                                     "events", "n"])
    out = pd.concat(curves, ignore_index=True)
    return out[["arm", "time", "survival", "ci_low", "ci_high", "at_risk", "events", "n"]]
